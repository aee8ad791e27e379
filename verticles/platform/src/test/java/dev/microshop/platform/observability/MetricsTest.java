package dev.microshop.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.NotificationsApi;
import dev.microshop.contracts.OrdersApi;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Event-bus series by address on a real (local) Vert.x, scraped as Prometheus text. */
class MetricsTest {
  private static final String LOCAL = "\",side=\"local\"";
  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void seriesCarryTheirAddressAndPerUserAndPerInstanceAddressesFoldIntoOneName() throws Exception {
    vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setMetricsOptions(Metrics.options().setRegistryName("metrics-test")))
            .withMetrics(Metrics.factory())
            .build();
    EventBus bus = vertx.eventBus();
    List<String> users =
        List.of(
            "7f1c2a9e-0000-4000-8000-000000000001",
            "7f1c2a9e-0000-4000-8000-000000000002",
            "7f1c2a9e-0000-4000-8000-000000000003");
    List<MessageConsumer<Object>> streams = new ArrayList<>();
    for (String user : users) {
      streams.add(bus.consumer(NotificationsApi.stream(user), m -> {}));
    }
    await(streams.get(2).unregister()); // a stream that closed no longer counts
    bus.consumer(Addresses.ping("instance-a"), m -> m.reply("pong"));
    bus.consumer(OrdersApi.PLACE, m -> m.reply("placed"));

    for (String user : users.subList(0, 2)) {
      bus.publish(NotificationsApi.stream(user), "hello");
    }
    await(bus.request(Addresses.ping("instance-a"), "ping"));
    await(bus.request(OrdersApi.PLACE, "order"));
    await(bus.request(OrdersApi.PLACE, "order"));
    PrometheusMeterRegistry registry =
        (PrometheusMeterRegistry) BackendRegistries.getNow("metrics-test");
    String delivered =
        "vertx_eventbus_delivered_total{address=\""
            + NotificationsApi.STREAM_METRIC_NAME
            + LOCAL
            + "} 2.0";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!registry.scrape().contains(delivered) && System.nanoTime() < deadline) {
      Thread.sleep(20); // published messages are delivered asynchronously
    }

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("vertx_eventbus_handlers{address=\"" + OrdersApi.PLACE + "\"} 1.0")
        .contains("vertx_eventbus_delivered_total{address=\"" + OrdersApi.PLACE + LOCAL + "} 2.0")
        .contains(
            "vertx_eventbus_published_total{address=\""
                + NotificationsApi.STREAM_METRIC_NAME
                + LOCAL
                + "} 2.0")
        .contains(
            "vertx_eventbus_delivered_total{address=\""
                + NotificationsApi.STREAM_METRIC_NAME
                + LOCAL
                + "} 2.0")
        .contains(
            "vertx_eventbus_sent_total{address=\"" + Addresses.PING_METRIC_NAME + LOCAL + "} 1.0")
        .contains(
            "vertx_eventbus_handlers{address=\"" + NotificationsApi.STREAM_METRIC_NAME + "\"} 2.0")
        .contains("vertx_eventbus_handlers{address=\"" + Addresses.PING_METRIC_NAME + "\"} 1.0")
        .doesNotContain(users.get(0))
        .doesNotContain(users.get(1))
        .doesNotContain(users.get(2))
        .doesNotContain("instance-a");
  }

  @Test
  void aRouteIsLabelledByItsTemplateThroughSubRouters() {
    assertThat(Metrics.routeTemplate("/>/v1/orders>/:id")).isEqualTo("/v1/orders/:id");
    assertThat(Metrics.routeTemplate("/>/v1/orders>/")).isEqualTo("/v1/orders");
    assertThat(Metrics.routeTemplate("/>/v1/products")).isEqualTo("/v1/products");
    assertThat(Metrics.routeTemplate("/v1/status")).isEqualTo("/v1/status");
    assertThat(Metrics.routeTemplate("/")).isEqualTo("/");
    assertThat(Metrics.routeTemplate("")).isEmpty();
  }

  /**
   * A request through a sub-router, scraped: its route template and no id, a latency histogram of
   * the fixed buckets, and no histogram at all for sizes.
   */
  @Test
  void httpSeriesCarryTheRouteTemplateAndSmallHistograms() throws Exception {
    vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setMetricsOptions(Metrics.options().setRegistryName("metrics-http")))
            .withMetrics(Metrics.factory())
            .build();
    Router orders = Router.router(vertx);
    orders.get("/:id").handler(ctx -> ctx.response().end("order"));
    Router root = Router.router(vertx);
    root.route("/v1/orders*").subRouter(orders);
    HttpServer server = await(vertx.createHttpServer().requestHandler(root).listen(0, "127.0.0.1"));
    String id = "7f1c2a9e-0000-4000-8000-00000000abcd";
    HttpClient client = vertx.createHttpClient();
    await(
        client
            .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/v1/orders/" + id)
            .compose(request -> request.send())
            .compose(response -> response.body()));

    PrometheusMeterRegistry registry =
        (PrometheusMeterRegistry) BackendRegistries.getNow("metrics-http");
    String scrape = registry.scrape();
    List<String> latencyBuckets =
        scrape
            .lines()
            .filter(l -> l.startsWith("vertx_http_server_response_time_seconds_bucket{"))
            .toList();

    assertThat(scrape).contains("route=\"/v1/orders/:id\"").doesNotContain(id);
    assertThat(latencyBuckets).hasSize(Metrics.LATENCY_BUCKETS.length + 1);
    assertThat(latencyBuckets).anySatisfy(l -> assertThat(l).contains("le=\"0.25\""));
    assertThat(scrape).doesNotContain("vertx_http_server_response_bytes_bucket");
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
