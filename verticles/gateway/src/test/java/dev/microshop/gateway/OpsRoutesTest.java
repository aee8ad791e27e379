package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.OutboxApi;
import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operations console: its page, and its data for admins only, at once and as a stream. */
class OpsRoutesTest extends RoutesTestBase {
  private static final String DEAD_ID = "7d0e5c9a-1b2c-4d3e-8f4a-5b6c7d8e9f0a";

  /** A snapshot is reused for half of ops.pushMs (100 ms here): each test starts after that. */
  @BeforeEach
  void letTheLastSnapshotAge() throws InterruptedException {
    Thread.sleep(150);
  }

  @Test
  void anAdminGetsEveryServiceItsOutboxDeadLettersWithoutPayloadsBreakersAndOrders()
      throws Exception {
    stubOutboxes();
    gateway.answer(
        OrdersApi.ACTIVITY,
        new JsonObject()
            .put("windowSeconds", 60)
            .put("placedPerSecond", 1.5)
            .put("p99Ms", 420)
            .put("recent", new JsonArray()));

    JsonObject snapshot = assertJson(gateway.get("/v1/admin/ops", admin()), 200);

    assertThat(snapshot.getJsonObject("status").getJsonObject("services").fieldNames())
        .containsAll(SERVICES);
    assertThat(snapshot.getJsonObject("breakers").getString(Services.ORDERS)).isEqualTo("CLOSED");
    JsonObject payments = snapshot.getJsonObject("outboxes").getJsonObject(Services.PAYMENTS);
    assertThat(payments.getInteger("pending")).isEqualTo(3);
    assertThat(payments.getInteger("dead")).isEqualTo(1);
    JsonObject letter = payments.getJsonArray("deadLetters").getJsonObject(0);
    assertThat(letter.getString("id")).isEqualTo(DEAD_ID);
    assertThat(letter.getString("destination"))
        .isEqualTo("notifications.on.orders.order.confirmed");
    assertThat(letter.containsKey("payload"))
        .as("the console lists, it does not show bodies")
        .isFalse();
    assertThat(snapshot.getJsonObject("orders").getDouble("placedPerSecond")).isEqualTo(1.5);
    assertThat(snapshot.getString("traceUrl"))
        .isEqualTo("https://traces.example/zipkin/traces/{traceId}");
    assertThat(snapshot.getLong("slowOrderMs")).isEqualTo(2000);
    var activity = gateway.received(OrdersApi.ACTIVITY);
    assertCaller(activity, ADMIN, "admin");
    assertThat(activity.body().getLong("slowMs")).isEqualTo(2000);
    for (String service : SERVICES) {
      assertCaller(gateway.received(OutboxApi.deadLetters(service)), ADMIN, "admin");
    }
  }

  @Test
  void aPartThatCannotBeReadSaysWhyAndTheRestIsStillShown() throws Exception {
    stubOutboxes();
    gateway.fail(OrdersApi.ACTIVITY, 500, "the orders database is gone");

    JsonObject snapshot = assertJson(gateway.get("/v1/admin/ops", admin()), 200);

    assertThat(snapshot.getJsonObject("orders").getString("error")).isNotBlank();
    assertThat(snapshot.getJsonObject("outboxes").getJsonObject(Services.USERS).getInteger("dead"))
        .isEqualTo(1);
  }

  @Test
  void aCustomersTokenGets403AndNoTokenGets401AndNoServiceIsAsked() throws Exception {
    assertProblem(gateway.get("/v1/admin/ops", customer()), 403, "forbidden");
    assertProblem(gateway.get("/v1/admin/ops/stream", customer()), 403, "forbidden");
    assertProblem(gateway.get("/v1/admin/ops", Map.of()), 401, "unauthenticated");
    assertProblem(gateway.get("/v1/admin/ops/stream", Map.of()), 401, "unauthenticated");

    assertThat(gateway.pending(OrdersApi.ACTIVITY)).isZero();
    assertThat(gateway.pending(OutboxApi.deadLetters(Services.ORDERS))).isZero();
  }

  @Test
  void theStreamSendsASnapshotAtOnceAndAgainEveryPush() throws Exception {
    stubOutboxes();
    gateway.answer(OrdersApi.ACTIVITY, new JsonObject().put("placedPerSecond", 0.0));
    HttpClient client = gateway.vertx().createHttpClient();
    StringBuffer received = new StringBuffer();
    CompletableFuture<Void> twoSnapshots = new CompletableFuture<>();
    try {
      RequestOptions options =
          new RequestOptions()
              .setMethod(HttpMethod.GET)
              .setHost("127.0.0.1")
              .setPort(gateway.port())
              .setURI("/v1/admin/ops/stream");
      admin().forEach(options::putHeader);
      HttpClientResponse response =
          client
              .request(options)
              .compose(
                  request ->
                      request
                          .send()
                          .onSuccess(
                              stream ->
                                  stream.handler(
                                      chunk -> {
                                        received.append(chunk.toString());
                                        if (received.toString().split("event: snapshot").length
                                            > 2) {
                                          twoSnapshots.complete(null);
                                        }
                                      })))
              .await(10, TimeUnit.SECONDS);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("Content-Type")).isEqualTo("text/event-stream");
      twoSnapshots.get(10, TimeUnit.SECONDS);
      assertThat(received.toString()).startsWith(": connected\n\nevent: snapshot\ndata: {");
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void thePageIsStaticHtmlUnderAPolicyThatRunsOnlyItsOwnScript() throws Exception {
    GatewayHarness.Response page = gateway.get("/ops/", Map.of());

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.body()).contains("<script src=\"ops.js\" defer></script>");
    assertThat(page.header("Content-Security-Policy"))
        .contains("script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'");
    GatewayHarness.Response script = gateway.get("/ops/ops.js", Map.of());
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.body()).contains("/v1/admin/ops/stream").doesNotContain("innerHTML");
    assertProblem(gateway.get("/ops/nothing-here.js", Map.of()), 404, "not-found");
  }

  @Test
  void theTraceLinkIsTheSettingOrZipkinsPageWhereTracesGoToZipkin() {
    JsonObject zipkin =
        new JsonObject()
            .put("exporter", "zipkin")
            .put("zipkinEndpoint", "http://127.0.0.1:9411/api/v2/spans");

    assertThat(OpsRoutes.traceUrl("", zipkin))
        .isEqualTo("http://127.0.0.1:9411/zipkin/traces/{traceId}");
    assertThat(OpsRoutes.traceUrl("", zipkin.copy().put("exporter", "otlp"))).isNull();
    assertThat(OpsRoutes.traceUrl("https://tempo.example/t/{traceId}", zipkin))
        .isEqualTo("https://tempo.example/t/{traceId}");
    assertThatThrownBy(() -> OpsRoutes.traceUrl("https://tempo.example/t/", zipkin))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ops.traceUrl");
  }

  private static void stubOutboxes() {
    for (String service : SERVICES) {
      gateway.answer(
          OutboxApi.stats(service),
          new JsonObject().put("pending", 3).put("dead", 1).put("lagSeconds", 0.5));
      gateway.answer(
          OutboxApi.deadLetters(service),
          new JsonObject()
              .put(
                  "items",
                  new JsonArray()
                      .add(
                          new JsonObject()
                              .put("id", DEAD_ID)
                              .put("destination", "notifications.on.orders.order.confirmed")
                              .put("payload", new JsonObject().put("orderId", "secret"))
                              .put("attempts", 10)
                              .put("lastError", "NO_HANDLERS")
                              .put("createdAt", "2026-12-07T10:00:00Z"))));
    }
  }
}
