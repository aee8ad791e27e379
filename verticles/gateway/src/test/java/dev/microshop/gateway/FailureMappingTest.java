package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.platform.observability.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How failures of the services behind the gateway become HTTP statuses: each error code of the
 * contracts, a service that does not answer, one with no consumer, one that is not in discovery,
 * and the circuit breaker. A gateway of its own: the breakers it trips must not leak into other
 * tests. Notifications is never published; the outbox addresses of users have no consumer.
 */
class FailureMappingTest {
  private static final String USER = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5";
  private static final String ID = "11111111-2222-4333-8444-555555555555";
  private static GatewayHarness gateway;

  @BeforeAll
  static void startGateway() throws Exception {
    gateway =
        GatewayHarness.start(
            Map.of("MICROSHOP_GATEWAY_BUS_REQUEST_TIMEOUT_MS", "500"),
            List.of(
                InventoryApi.GET,
                OrdersApi.GET,
                OrdersApi.PLACE,
                OrdersApi.CANCEL,
                PaymentsApi.WALLET),
            List.of(Services.USERS, Services.INVENTORY, Services.ORDERS, Services.PAYMENTS));
  }

  @AfterAll
  static void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @BeforeEach
  void forgetMessages() {
    gateway.reset();
  }

  @ParameterizedTest
  @ValueSource(
      ints = {
        ErrorCodes.INVALID_REQUEST,
        ErrorCodes.UNAUTHENTICATED,
        ErrorCodes.FORBIDDEN,
        ErrorCodes.NOT_FOUND,
        ErrorCodes.CONFLICT,
        ErrorCodes.PRECONDITION_FAILED,
        ErrorCodes.UNPROCESSABLE
      })
  void aServicesClientErrorIsThatStatusWithItsText(int code) throws Exception {
    gateway.fail(InventoryApi.GET, code, "refused with " + code);

    GatewayHarness.Response response = gateway.get("/v1/products/" + ID, Map.of());

    JsonObject problem = RoutesTestBase.assertProblem(response, code, Problems4xx.kind(code));
    assertThat(problem.getString("detail")).isEqualTo("refused with " + code);
    assertThat(problem.containsKey("errors")).isEqualTo(code == ErrorCodes.INVALID_REQUEST);
    assertThat(response.header("Retry-After")).isNull();
    assertThat(gateway.received(InventoryApi.GET).body()).isEqualTo(new JsonObject().put("id", ID));
  }

  @Test
  void clientErrorsDoNotTripTheBreaker() throws Exception {
    gateway.fail(InventoryApi.GET, ErrorCodes.NOT_FOUND, "no product");
    for (int i = 0; i < 8; i++) {
      assertThat(gateway.get("/v1/products/" + ID, Map.of()).status()).isEqualTo(404);
    }
    gateway.answer(InventoryApi.GET, new JsonObject().put("id", ID).put("version", 1));

    assertThat(gateway.get("/v1/products/" + ID, Map.of()).status()).isEqualTo(200);
  }

  @Test
  void anInternalErrorIs502WithoutTheServicesText() throws Exception {
    gateway.fail(OrdersApi.GET, ErrorCodes.INTERNAL, "NullPointerException at Orders.java:42");

    GatewayHarness.Response response = gateway.get("/v1/orders/" + ID, customer());

    assertThat(RoutesTestBase.assertProblem(response, 502, "bad-gateway").getString("detail"))
        .isEqualTo("a service failed to handle the request");
    assertThat(response.body()).doesNotContain("NullPointerException");
  }

  @Test
  void aServiceThatSaysItIsUnavailableIs503RetryAfterOneSecond() throws Exception {
    gateway.fail(OrdersApi.GET, ErrorCodes.UNAVAILABLE, "the database is failing over");

    GatewayHarness.Response response = gateway.get("/v1/orders/" + ID, customer());

    assertThat(RoutesTestBase.assertProblem(response, 503, "unavailable").getString("detail"))
        .isEqualTo("the database is failing over");
    assertThat(response.header("Retry-After")).isEqualTo("1");
  }

  @Test
  void aServiceThatDoesNotAnswerInTimeIs504() throws Exception {
    gateway.answer(OrdersApi.GET, GatewayHarness.SILENT);

    GatewayHarness.Response response = gateway.get("/v1/orders/" + ID, customer());

    assertThat(RoutesTestBase.assertProblem(response, 504, "timeout").getString("detail"))
        .isEqualTo("the service did not answer in time");
    assertThat(gateway.received(OrdersApi.GET).body()).isEqualTo(new JsonObject().put("id", ID));
  }

  @Test
  void anAddressWithNoConsumerIs503RetryAfterFiveSeconds() throws Exception {
    GatewayHarness.Response response =
        gateway.get("/v1/admin/outbox/users", gateway.bearer(USER, Identity.ADMIN));

    assertThat(RoutesTestBase.assertProblem(response, 503, "unavailable").getString("detail"))
        .isEqualTo("no instance of the service is running");
    assertThat(response.header("Retry-After")).isEqualTo("5");
  }

  @Test
  void aServiceNotInDiscoveryIs503AtOnceNamingIt() throws Exception {
    GatewayHarness.Response response = gateway.get("/v1/notifications", customer());

    assertThat(RoutesTestBase.assertProblem(response, 503, "unavailable").getString("detail"))
        .isEqualTo("no instance of notifications is running");
    assertThat(response.header("Retry-After")).isEqualTo("5");
  }

  @Test
  void fiveTransportFailuresOpenTheBreakerAndTheNextCallIsRefusedWithoutSendingIt()
      throws Exception {
    gateway.fail(PaymentsApi.WALLET, ErrorCodes.INTERNAL, "boom");
    for (int i = 0; i < 5; i++) {
      assertThat(gateway.get("/v1/wallet", customer()).status())
          .as("call %d", i + 1)
          .isEqualTo(502);
      gateway.received(PaymentsApi.WALLET);
    }
    gateway.answer(PaymentsApi.WALLET, new JsonObject().put("balanceMinor", 0));

    GatewayHarness.Response response = gateway.get("/v1/wallet", customer());

    assertThat(RoutesTestBase.assertProblem(response, 503, "unavailable").getString("detail"))
        .isEqualTo("the service is failing; the gateway stopped calling it for a few seconds");
    assertThat(response.header("Retry-After")).isEqualTo("5");
    assertThat(gateway.pending(PaymentsApi.WALLET)).isZero();
    // What the breaker-open alert and the dashboards read.
    MeterRegistry registry = Metrics.registry();
    assertThat(
            registry
                .get("microshop.breaker.open")
                .tag("downstream", Services.PAYMENTS)
                .gauge()
                .value())
        .isEqualTo(1.0);
    assertThat(
            registry
                .get("microshop.breaker.transitions")
                .tag("downstream", Services.PAYMENTS)
                .tag("to", "open")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void aPlacementWhoseAnswerIsLostIsSentOnceMoreWithItsKeyAndThatAnswerServed() throws Exception {
    JsonObject pending = new JsonObject().put("id", ID).put("status", "PENDING");
    AtomicInteger placements = new AtomicInteger();
    gateway.answer(
        OrdersApi.PLACE,
        msg ->
            placements.incrementAndGet() == 1
                ? GatewayHarness.SILENT.apply(msg)
                : Future.succeededFuture(pending));
    Map<String, String> headers = new HashMap<>(customer());
    headers.put("Idempotency-Key", "lost-answer-1");
    JsonObject lines =
        new JsonObject()
            .put(
                "lines",
                new JsonArray().add(new JsonObject().put("productId", ID).put("quantity", 1)));

    GatewayHarness.Response response = gateway.post("/v1/orders", headers, lines);

    assertThat(response.status()).as(response.body()).isEqualTo(202);
    assertThat(new JsonObject(response.body())).isEqualTo(pending);
    Message<JsonObject> first = gateway.received(OrdersApi.PLACE);
    Message<JsonObject> second = gateway.received(OrdersApi.PLACE);
    // The same key and lines: orders answers the repeat with the order the first one made.
    assertThat(first.body()).isEqualTo(lines.copy().put("idempotencyKey", "lost-answer-1"));
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(gateway.pending(OrdersApi.PLACE)).isZero();
  }

  @Test
  void aCancelWhoseAnswerIsLostIsNotSentAgain() throws Exception {
    gateway.answer(OrdersApi.CANCEL, GatewayHarness.SILENT);

    GatewayHarness.Response response =
        gateway.http(HttpMethod.POST, "/v1/orders/" + ID + "/cancel", customer(), null);

    RoutesTestBase.assertProblem(response, 504, "timeout");
    assertThat(gateway.received(OrdersApi.CANCEL).body()).isEqualTo(new JsonObject().put("id", ID));
    assertThat(gateway.pending(OrdersApi.CANCEL)).isZero();
  }

  private static Map<String, String> customer() {
    return gateway.bearer(USER, Identity.CUSTOMER);
  }

  /** The problem type the gateway gives each client error. */
  private static final class Problems4xx {
    static String kind(int code) {
      return switch (code) {
        case 400 -> "invalid-request";
        case 401 -> "unauthenticated";
        case 403 -> "forbidden";
        case 404 -> "not-found";
        case 409 -> "conflict";
        case 412 -> "precondition-failed";
        case 422 -> "unprocessable";
        default -> throw new IllegalArgumentException(String.valueOf(code));
      };
    }
  }
}
