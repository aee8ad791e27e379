package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.NotificationsApi;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.OutboxApi;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A gateway in front of a stub of every service address it calls, every service published: what the
 * route tests share.
 */
abstract class RoutesTestBase {
  static final List<String> SERVICES =
      List.of(
          Services.USERS,
          Services.INVENTORY,
          Services.ORDERS,
          Services.PAYMENTS,
          Services.NOTIFICATIONS);
  static final String USER = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5";
  static final String ADMIN = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  static GatewayHarness gateway;

  @BeforeAll
  static void startGateway() throws Exception {
    // Every status request builds a fresh report, so a test sees the pings its stubs answer.
    gateway =
        GatewayHarness.start(
            Map.of(
                "MICROSHOP_GATEWAY_STATUS_CACHE_MS",
                "1",
                "MICROSHOP_GATEWAY_OPS_PUSH_MS",
                "200",
                "MICROSHOP_GATEWAY_OPS_TRACE_URL",
                "https://traces.example/zipkin/traces/{traceId}"),
            addresses(),
            SERVICES);
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

  static List<String> addresses() {
    List<String> all =
        new ArrayList<>(
            List.of(
                UsersApi.REGISTER,
                UsersApi.ISSUE_TOKEN,
                UsersApi.PROFILE,
                InventoryApi.LIST,
                InventoryApi.GET,
                InventoryApi.CREATE,
                InventoryApi.UPDATE,
                InventoryApi.ADJUST_STOCK,
                OrdersApi.PLACE,
                OrdersApi.GET,
                OrdersApi.LIST,
                OrdersApi.CANCEL,
                OrdersApi.ACTIVITY,
                PaymentsApi.WALLET,
                PaymentsApi.CREDIT,
                PaymentsApi.TRANSACTIONS,
                NotificationsApi.LIST));
    SERVICES.forEach(
        s ->
            Stream.of(OutboxApi.deadLetters(s), OutboxApi.redrive(s), OutboxApi.stats(s))
                .forEach(all::add));
    return all;
  }

  static Map<String, String> customer() {
    return gateway.bearer(USER, Identity.CUSTOMER);
  }

  static Map<String, String> admin() {
    return gateway.bearer(ADMIN, Identity.ADMIN);
  }

  /** The message came from {@code userId} with {@code roles}, and carries a request id. */
  static void assertCaller(Message<JsonObject> msg, String userId, String roles) {
    assertThat(msg.headers().get(Identity.USER_ID_HEADER)).isEqualTo(userId);
    assertThat(msg.headers().get(Identity.ROLES_HEADER)).isEqualTo(roles);
    assertThat(msg.headers().get("x-request-id")).isNotBlank();
  }

  static void assertAnonymous(Message<JsonObject> msg) {
    assertThat(msg.headers().get(Identity.USER_ID_HEADER)).isNull();
    assertThat(msg.headers().get(Identity.ROLES_HEADER)).isNull();
    assertThat(msg.headers().get("x-request-id")).isNotBlank();
  }

  /** An RFC 9457 problem of {@code status} and type {@code .../problems/<kind>}. */
  static JsonObject assertProblem(GatewayHarness.Response response, int status, String kind) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.json();
    assertThat(problem.getString("type")).isEqualTo("https://microshop.dev/problems/" + kind);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("detail")).isNotBlank();
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.containsKey("traceId")).isTrue();
    return problem;
  }

  /** The JSON body of a 2xx answer. */
  static JsonObject assertJson(GatewayHarness.Response response, int status) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.header("Content-Type")).startsWith("application/json");
    return response.json();
  }
}
