package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.messaging.FieldError;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Orders and wallets, against stub orders, payments and users. */
class OrderAndWalletRoutesTest extends RoutesTestBase {
  private static final String ORDER = "99999999-8888-4777-8666-555555555555";
  private static final String PRODUCT = "11111111-2222-4333-8444-555555555555";
  private static final JsonObject PENDING =
      new JsonObject().put("id", ORDER).put("status", "PENDING").put("timeline", new JsonArray());
  private static final JsonObject LINES =
      new JsonObject()
          .put(
              "lines",
              new JsonArray().add(new JsonObject().put("productId", PRODUCT).put("quantity", 2)));

  @Test
  void placingAnOrderIs202WithLocationAndSendsTheLinesAndKeyAsTheCaller() throws Exception {
    gateway.answer(OrdersApi.PLACE, PENDING);

    GatewayHarness.Response response =
        gateway.post("/v1/orders", withKey(customer(), "order-1"), LINES);

    assertThat(assertJson(response, 202)).isEqualTo(PENDING);
    assertThat(response.header("Location")).isEqualTo("/v1/orders/" + ORDER);
    Message<JsonObject> msg = gateway.received(OrdersApi.PLACE);
    assertThat(msg.body()).isEqualTo(LINES.copy().put("idempotencyKey", "order-1"));
    assertCaller(msg, USER, "customer");
  }

  @Test
  void anOrderWithoutAnIdempotencyKeyIs400NamingTheHeader() throws Exception {
    JsonObject problem =
        assertProblem(gateway.post("/v1/orders", customer(), LINES), 400, "invalid-request");

    assertThat(problem.getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("Idempotency-Key");
    assertThat(gateway.pending(OrdersApi.PLACE)).isZero();
  }

  @Test
  void anOrderOfNoLinesIs400NamingTheField() throws Exception {
    JsonObject problem =
        assertProblem(
            gateway.post(
                "/v1/orders",
                withKey(customer(), "order-2"),
                new JsonObject().put("lines", new JsonArray())),
            400,
            "invalid-request");

    assertThat(problem.getJsonArray("errors").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("field", "lines")
                .put("message", "must have at least 1 items (has 0)"));
    assertThat(gateway.pending(OrdersApi.PLACE)).isZero();
  }

  @Test
  void aServiceRefusalOf400ListsTheFieldsItNames() throws Exception {
    gateway.invalid(
        OrdersApi.PLACE,
        new FieldError("lines.1.productId", "lines.1.productId each product may appear once"),
        new FieldError("idempotencyKey", "idempotencyKey is required: a string"));

    JsonObject problem =
        assertProblem(
            gateway.post("/v1/orders", withKey(customer(), "order-3"), LINES),
            400,
            "invalid-request");

    assertThat(problem.getJsonArray("errors"))
        .isEqualTo(
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("field", "lines.1.productId")
                        .put("message", "lines.1.productId each product may appear once"))
                .add(
                    new JsonObject()
                        .put("field", "Idempotency-Key")
                        .put("message", "Idempotency-Key is required: a string")));
    assertThat(problem.getString("detail"))
        .isEqualTo(
            "lines.1.productId each product may appear once; idempotencyKey is required: a string");
  }

  @Test
  void listingOrdersPassesThePageAsTheCaller() throws Exception {
    JsonObject page = new JsonObject().put("items", new JsonArray().add(PENDING));
    gateway.answer(OrdersApi.LIST, page);

    GatewayHarness.Response response = gateway.get("/v1/orders?cursor=abc&limit=3", customer());

    assertThat(assertJson(response, 200)).isEqualTo(page);
    Message<JsonObject> msg = gateway.received(OrdersApi.LIST);
    assertThat(msg.body()).isEqualTo(new JsonObject().put("limit", 3).put("cursor", "abc"));
    assertCaller(msg, USER, "customer");
  }

  @Test
  void anOrderIsAskedForByIdAsTheCaller() throws Exception {
    gateway.answer(OrdersApi.GET, PENDING);

    assertThat(assertJson(gateway.get("/v1/orders/" + ORDER, customer()), 200)).isEqualTo(PENDING);

    Message<JsonObject> msg = gateway.received(OrdersApi.GET);
    assertThat(msg.body()).isEqualTo(new JsonObject().put("id", ORDER));
    assertCaller(msg, USER, "customer");
  }

  @Test
  void someoneElsesOrderIsOrders404() throws Exception {
    gateway.fail(OrdersApi.GET, ErrorCodes.NOT_FOUND, "no order " + ORDER);

    assertThat(
            assertProblem(gateway.get("/v1/orders/" + ORDER, customer()), 404, "not-found")
                .getString("detail"))
        .isEqualTo("no order " + ORDER);
  }

  @Test
  void cancellingSendsTheIdAsTheCaller() throws Exception {
    JsonObject cancelled = PENDING.copy().put("status", "CANCELLED");
    gateway.answer(OrdersApi.CANCEL, cancelled);

    GatewayHarness.Response response =
        gateway.http(
            io.vertx.core.http.HttpMethod.POST,
            "/v1/orders/" + ORDER + "/cancel",
            customer(),
            null);

    assertThat(assertJson(response, 200)).isEqualTo(cancelled);
    Message<JsonObject> msg = gateway.received(OrdersApi.CANCEL);
    assertThat(msg.body()).isEqualTo(new JsonObject().put("id", ORDER));
    assertCaller(msg, USER, "customer");
  }

  @Test
  void cancellingAFinalOrderIsOrders409() throws Exception {
    gateway.fail(OrdersApi.CANCEL, ErrorCodes.CONFLICT, "the order is already CONFIRMED");

    GatewayHarness.Response response =
        gateway.http(
            io.vertx.core.http.HttpMethod.POST,
            "/v1/orders/" + ORDER + "/cancel",
            customer(),
            null);

    assertThat(assertProblem(response, 409, "conflict").getString("detail"))
        .isEqualTo("the order is already CONFIRMED");
  }

  @Test
  void theWalletIsTheCallers() throws Exception {
    JsonObject wallet =
        new JsonObject().put("userId", USER).put("balanceMinor", 100).put("currency", "EUR");
    gateway.answer(PaymentsApi.WALLET, wallet);

    assertThat(assertJson(gateway.get("/v1/wallet", customer()), 200)).isEqualTo(wallet);

    Message<JsonObject> msg = gateway.received(PaymentsApi.WALLET);
    assertThat(msg.body()).isEqualTo(new JsonObject());
    assertCaller(msg, USER, "customer");
  }

  @Test
  void theLedgerIsPagedAsTheCaller() throws Exception {
    JsonObject page = new JsonObject().put("items", new JsonArray()).putNull("nextCursor");
    gateway.answer(PaymentsApi.TRANSACTIONS, page);

    assertThat(assertJson(gateway.get("/v1/wallet/transactions", customer()), 200)).isEqualTo(page);

    Message<JsonObject> msg = gateway.received(PaymentsApi.TRANSACTIONS);
    assertThat(msg.body()).isEqualTo(new JsonObject().put("limit", 20));
    assertCaller(msg, USER, "customer");
  }

  @Test
  void anAdminCreditChecksTheUserThenCreditsWithAKeyedMessageId() throws Exception {
    JsonObject wallet =
        new JsonObject().put("userId", USER).put("balanceMinor", 600).put("currency", "EUR");
    gateway.answer(UsersApi.PROFILE, new JsonObject().put("id", USER));
    gateway.answer(PaymentsApi.CREDIT, wallet);
    JsonObject credit = new JsonObject().put("amountMinor", 500).put("reason", "goodwill");

    GatewayHarness.Response response =
        gateway.post("/v1/wallets/" + USER + "/credits", withKey(admin(), "credit-1"), credit);

    assertThat(assertJson(response, 200)).isEqualTo(wallet);
    Message<JsonObject> lookup = gateway.received(UsersApi.PROFILE);
    assertThat(lookup.body()).isEqualTo(new JsonObject().put("userId", USER));
    assertCaller(lookup, ADMIN, "admin");
    Message<JsonObject> msg = gateway.received(PaymentsApi.CREDIT);
    String messageId =
        UUID.nameUUIDFromBytes(("credit:" + USER + ":credit-1").getBytes(StandardCharsets.UTF_8))
            .toString();
    assertThat(msg.body()).isEqualTo(credit.copy().put("userId", USER).put("messageId", messageId));
    assertCaller(msg, ADMIN, "admin");
  }

  @Test
  void aCreditForNoSuchUserIs404AndCreditsNothing() throws Exception {
    gateway.fail(UsersApi.PROFILE, ErrorCodes.NOT_FOUND, "no such user");

    GatewayHarness.Response response =
        gateway.post(
            "/v1/wallets/" + USER + "/credits",
            admin(),
            new JsonObject().put("amountMinor", 500).put("reason", "goodwill"));

    assertThat(assertProblem(response, 404, "not-found").getString("detail"))
        .isEqualTo("no such user");
    gateway.received(UsersApi.PROFILE);
    assertThat(gateway.pending(PaymentsApi.CREDIT)).isZero();
  }

  @Test
  void aCustomerCannotCredit() throws Exception {
    assertProblem(
        gateway.post(
            "/v1/wallets/" + USER + "/credits",
            customer(),
            new JsonObject().put("amountMinor", 500).put("reason", "self-service")),
        403,
        "forbidden");

    assertThat(gateway.pending(UsersApi.PROFILE)).isZero();
    assertThat(gateway.pending(PaymentsApi.CREDIT)).isZero();
  }

  private static Map<String, String> withKey(Map<String, String> headers, String key) {
    Map<String, String> all = new HashMap<>(headers);
    all.put("Idempotency-Key", key);
    return all;
  }
}
