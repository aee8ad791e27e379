package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.NotificationsApi;
import dev.microshop.contracts.OutboxApi;
import dev.microshop.contracts.Services;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Notifications (a page, and the live stream) and the admin routes of every service's outbox. */
class NotificationAndAdminRoutesTest extends RoutesTestBase {
  private static final String DEAD_LETTER = "abcdefab-cdef-4abc-8def-abcdefabcdef";
  private HttpClient streams;

  @BeforeEach
  void streamClient() {
    // Room for more live streams than a user may open: a queued request would never be refused.
    streams = gateway.vertx().createHttpClient(new PoolOptions().setHttp1MaxSize(20));
  }

  @AfterEach
  void closeStreams() throws Exception {
    streams.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void notificationsArePagedAsTheCaller() throws Exception {
    JsonObject page =
        new JsonObject().put("items", new JsonArray().add(new JsonObject().put("id", "n1")));
    gateway.answer(NotificationsApi.LIST, page);

    GatewayHarness.Response response = gateway.get("/v1/notifications?limit=100", customer());

    assertThat(assertJson(response, 200)).isEqualTo(page);
    Message<JsonObject> msg = gateway.received(NotificationsApi.LIST);
    assertThat(msg.body()).isEqualTo(new JsonObject().put("limit", 100));
    assertCaller(msg, USER, "customer");
  }

  @Test
  void theStreamSendsEachNotificationPublishedForTheCallerAsAnEvent() throws Exception {
    StringBuffer received = new StringBuffer();
    Promise<Void> connected = Promise.promise();
    Promise<Void> event = Promise.promise();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(gateway.port())
            .setURI("/v1/notifications/stream");
    customer().forEach(options::putHeader);
    // The handler is set on the event loop as the response arrives, so no chunk goes unread.
    HttpClientResponse response =
        streams
            .request(options)
            .compose(request -> request.send())
            .onSuccess(
                stream ->
                    stream.handler(
                        chunk -> {
                          received.append(chunk.toString());
                          if (received.indexOf(": connected\n\n") >= 0) {
                            connected.tryComplete();
                          }
                          if (received.indexOf("event: notification") >= 0
                              && received.toString().endsWith("\n\n")) {
                            event.tryComplete();
                          }
                        }))
            .await(10, TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("text/event-stream");
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    connected.future().await(10, TimeUnit.SECONDS);
    JsonObject notification = new JsonObject().put("id", "n-7").put("text", "order confirmed");
    gateway
        .vertx()
        .eventBus()
        .publish(NotificationsApi.stream(ADMIN), new JsonObject().put("id", "x"));
    gateway.vertx().eventBus().publish(NotificationsApi.stream(USER), notification);
    event.future().await(10, TimeUnit.SECONDS);

    assertThat(received.toString())
        .isEqualTo(
            ": connected\n\nevent: notification\nid: n-7\ndata: " + notification.encode() + "\n\n");
  }

  @Test
  void aUsersSixthLiveStreamIs429WithRetryAfterAndClosingOneFreesAPlace() throws Exception {
    Map<String, String> token = gateway.bearer(UUID.randomUUID().toString(), Identity.CUSTOMER);
    List<LiveStream> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      LiveStream stream = open(streams, gateway.port(), token);
      assertThat(stream.response().statusCode()).isEqualTo(200);
      stream.connected().future().await(10, TimeUnit.SECONDS);
      five.add(stream);
    }

    // Not get(): another test's gateway may have closed the registry this one registered in.
    double refusedBefore =
        RateLimitMetersTest.counts().getOrDefault(RateLimitMeters.LIVE_STREAMS, 0.0);

    LiveStream sixth = open(streams, gateway.port(), token);
    sixth.ended().future().await(10, TimeUnit.SECONDS);

    assertThat(sixth.response().statusCode()).isEqualTo(429);
    assertThat(RateLimitMetersTest.counts().get(RateLimitMeters.LIVE_STREAMS))
        .isEqualTo(refusedBefore + 1);
    assertThat(sixth.response().getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(Long.parseLong(sixth.response().getHeader("Retry-After"))).isPositive();
    assertThat(new JsonObject(sixth.received().toString()).getString("type"))
        .isEqualTo("https://microshop.dev/problems/rate-limited");
    assertThat(five).noneMatch(stream -> stream.ended().future().isComplete());
    LiveStream otherUser =
        open(streams, gateway.port(), gateway.bearer(UUID.randomUUID().toString()));
    assertThat(otherUser.response().statusCode()).isEqualTo(200);

    five.get(0).response().request().connection().close().await(10, TimeUnit.SECONDS);
    assertThat(openWithin(token, 10_000).response().statusCode()).isEqualTo(200);
  }

  @Test
  void aStreamEndsWhenTheTokenThatOpenedItExpires() throws Exception {
    LiveStream stream =
        open(
            streams,
            gateway.port(),
            gateway.bearer(2, UUID.randomUUID().toString(), Identity.CUSTOMER));
    assertThat(stream.response().statusCode()).isEqualTo(200);

    stream.ended().future().await(15, TimeUnit.SECONDS);

    assertThat(stream.received().toString())
        .startsWith(": connected\n\n")
        .endsWith("event: expired\ndata: {\"reason\":\"the token expired\"}\n\n");
  }

  @Test
  void beyondTheGatewaysTotalOfStreamsANewOneIs503() throws Exception {
    try (GatewayHarness small =
        GatewayHarness.start(
            Map.of("MICROSHOP_GATEWAY_STREAMS_TOTAL", "2"), List.of(), List.of())) {
      // Its own client, closed before the gateway, which would otherwise wait for the streams.
      HttpClient client = small.vertx().createHttpClient(new PoolOptions().setHttp1MaxSize(5));
      try {
        for (int i = 0; i < 2; i++) {
          LiveStream stream =
              open(client, small.port(), small.bearer(UUID.randomUUID().toString()));
          assertThat(stream.response().statusCode()).isEqualTo(200);
        }

        LiveStream third = open(client, small.port(), small.bearer(UUID.randomUUID().toString()));
        third.ended().future().await(10, TimeUnit.SECONDS);

        assertThat(third.response().statusCode()).isEqualTo(503);
        assertThat(third.response().getHeader("Retry-After")).isNotBlank();
      } finally {
        client.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void headOfTheStreamIsItsHeadersOnly() throws Exception {
    GatewayHarness.Response response =
        gateway.http(HttpMethod.HEAD, "/v1/notifications/stream", customer(), null);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Content-Type")).isEqualTo("text/event-stream");
    assertThat(response.body()).isEmpty();
  }

  @Test
  void theStreamWithoutATokenIs401() throws Exception {
    assertProblem(gateway.get("/v1/notifications/stream", Map.of()), 401, "unauthenticated");
  }

  /** A stream as its client sees it: the response, what arrived, and when it ended. */
  private record LiveStream(
      HttpClientResponse response,
      StringBuffer received,
      Promise<Void> connected,
      Promise<Void> ended) {}

  private static LiveStream open(HttpClient client, int port, Map<String, String> headers)
      throws Exception {
    StringBuffer received = new StringBuffer();
    Promise<Void> connected = Promise.promise();
    Promise<Void> ended = Promise.promise();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI("/v1/notifications/stream");
    headers.forEach(options::putHeader);
    // The handlers are set on the event loop, in the callback of send(): set later, from this
    // thread, they could miss the body and the end of a short answer (a 503) that already came.
    HttpClientResponse response =
        client
            .request(options)
            .compose(
                request ->
                    request
                        .send()
                        .onSuccess(
                            stream ->
                                stream
                                    .handler(
                                        chunk -> {
                                          received.append(chunk.toString());
                                          if (received.indexOf(": connected\n\n") >= 0) {
                                            connected.tryComplete();
                                          }
                                        })
                                    .exceptionHandler(ended::tryFail)
                                    .endHandler(v -> ended.tryComplete())))
            .await(10, TimeUnit.SECONDS);
    return new LiveStream(response, received, connected, ended);
  }

  /** Opens a stream, retrying while it is refused (a closed stream frees its place shortly). */
  private LiveStream openWithin(Map<String, String> headers, long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    LiveStream stream = open(streams, gateway.port(), headers);
    while (stream.response().statusCode() == 429 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      stream = open(streams, gateway.port(), headers);
    }
    return stream;
  }

  @Test
  void anAdminListsAServicesDeadLettersAtItsOwnAddress() throws Exception {
    JsonObject items = new JsonObject().put("items", new JsonArray());
    for (String service : SERVICES) {
      gateway.answer(OutboxApi.deadLetters(service), items.copy().put("service", service));

      GatewayHarness.Response response = gateway.get("/v1/admin/dead-letters/" + service, admin());

      assertThat(assertJson(response, 200).getString("service")).isEqualTo(service);
      Message<JsonObject> msg = gateway.received(OutboxApi.deadLetters(service));
      assertThat(msg.body()).isEqualTo(new JsonObject());
      assertCaller(msg, ADMIN, "admin");
    }
  }

  @Test
  void anAdminRedrivesADeadLetterById() throws Exception {
    gateway.answer(OutboxApi.redrive(Services.ORDERS), new JsonObject().put("redriven", true));

    GatewayHarness.Response response =
        gateway.http(
            HttpMethod.POST,
            "/v1/admin/dead-letters/orders/" + DEAD_LETTER + "/redrive",
            admin(),
            null);

    assertThat(assertJson(response, 200)).isEqualTo(new JsonObject().put("redriven", true));
    Message<JsonObject> msg = gateway.received(OutboxApi.redrive(Services.ORDERS));
    assertThat(msg.body()).isEqualTo(new JsonObject().put("id", DEAD_LETTER));
    assertCaller(msg, ADMIN, "admin");
  }

  @Test
  void redrivingAnUnknownDeadLetterIsTheServices404() throws Exception {
    gateway.fail(
        OutboxApi.redrive(Services.PAYMENTS),
        ErrorCodes.NOT_FOUND,
        "no dead letter " + DEAD_LETTER);

    GatewayHarness.Response response =
        gateway.http(
            HttpMethod.POST,
            "/v1/admin/dead-letters/payments/" + DEAD_LETTER + "/redrive",
            admin(),
            null);

    assertThat(assertProblem(response, 404, "not-found").getString("detail"))
        .isEqualTo("no dead letter " + DEAD_LETTER);
  }

  @Test
  void anAdminReadsOutboxStats() throws Exception {
    JsonObject stats = new JsonObject().put("pending", 2).put("dead", 1).put("lagSeconds", 0.5);
    gateway.answer(OutboxApi.stats(Services.INVENTORY), stats);

    GatewayHarness.Response response = gateway.get("/v1/admin/outbox/inventory", admin());

    assertThat(assertJson(response, 200)).isEqualTo(stats);
    assertCaller(gateway.received(OutboxApi.stats(Services.INVENTORY)), ADMIN, "admin");
  }

  @Test
  void adminRoutesAre403ForACustomerAnd401WithoutAToken() throws Exception {
    assertProblem(gateway.get("/v1/admin/outbox/users", customer()), 403, "forbidden");
    assertProblem(gateway.get("/v1/admin/dead-letters/users", customer()), 403, "forbidden");
    assertProblem(
        gateway.http(
            HttpMethod.POST,
            "/v1/admin/dead-letters/users/" + DEAD_LETTER + "/redrive",
            customer(),
            null),
        403,
        "forbidden");
    assertProblem(gateway.get("/v1/admin/outbox/users", Map.of()), 401, "unauthenticated");

    assertThat(gateway.pending(OutboxApi.stats(Services.USERS))).isZero();
    assertThat(gateway.pending(OutboxApi.deadLetters(Services.USERS))).isZero();
    assertThat(gateway.pending(OutboxApi.redrive(Services.USERS))).isZero();
  }

  @Test
  void aServiceTheContractDoesNotNameIs400() throws Exception {
    JsonObject problem =
        assertProblem(gateway.get("/v1/admin/outbox/gateway", admin()), 400, "invalid-request");

    assertThat(problem.getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("service");
  }
}
