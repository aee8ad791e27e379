package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.CatalogPages;
import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.platform.messaging.Consumers;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The catalog routes, against a stub inventory: queries, ETags, preconditions, admin checks. */
class CatalogRoutesTest extends RoutesTestBase {
  private static final String ID = "11111111-2222-4333-8444-555555555555";
  private static final JsonObject PRODUCT =
      new JsonObject()
          .put("id", ID)
          .put("sku", "KB-1")
          .put("name", "Keyboard")
          .put("description", "clicky")
          .put("priceMinor", 4999)
          .put("currency", "EUR")
          .put("available", 7)
          .put("version", 3);

  @Test
  void listingPassesQueryCursorAndLimitToInventoryAnonymously() throws Exception {
    JsonObject page =
        new JsonObject().put("items", new JsonArray().add(PRODUCT)).put("nextCursor", "c2");
    gateway.answer(InventoryApi.LIST, page);

    GatewayHarness.Response response =
        gateway.get("/v1/products?q=12%22%20monitor&cursor=c1&limit=5", Map.of());

    assertThat(assertJson(response, 200)).isEqualTo(page);
    Message<JsonObject> msg = gateway.received(InventoryApi.LIST);
    assertThat(msg.body())
        .isEqualTo(new JsonObject().put("limit", 5).put("q", "12\" monitor").put("cursor", "c1"));
    assertAnonymous(msg);
  }

  @Test
  void aPageHasAnETagThatChangesWithAListedProductsVersionAndIs304WhileItHasNot() throws Exception {
    JsonObject page =
        new JsonObject().put("items", new JsonArray().add(PRODUCT)).put("nextCursor", "c2");
    gateway.answer(InventoryApi.LIST, page);
    GatewayHarness.Response first = gateway.get("/v1/products", Map.of());
    String etag = first.header("ETag");
    assertThat(etag).matches("\"p[A-Za-z0-9_-]{22}\"");

    GatewayHarness.Response again =
        gateway.get("/v1/products", Map.of("If-None-Match", "\"other\", " + etag));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.header("ETag")).isEqualTo(etag);
    assertThat(again.body()).isEmpty();

    // The same page with one product one version later, or continuing elsewhere: another tag.
    JsonObject later = PRODUCT.copy().put("version", 4).put("available", 6);
    gateway.answer(
        InventoryApi.LIST,
        new JsonObject().put("items", new JsonArray().add(later)).put("nextCursor", "c2"));
    GatewayHarness.Response changed = gateway.get("/v1/products", Map.of("If-None-Match", etag));
    assertThat(
            assertJson(changed, 200).getJsonArray("items").getJsonObject(0).getInteger("available"))
        .isEqualTo(6);
    assertThat(changed.header("ETag")).isNotEqualTo(etag);
    assertThat(CatalogPages.etag(page.copy().put("nextCursor", "c3"))).isNotEqualTo(etag);
    assertThat(CatalogPages.etag(page.copy())).isEqualTo(etag);
  }

  @Test
  void aPageInventorySendsAsBytesIsPassedOnByteForByteWithTheETagItSent() throws Exception {
    // Spacing no encoder of the gateway's would produce: the client gets inventory's bytes.
    String json = "{\"items\": [" + PRODUCT.encode() + "],   \"nextCursor\": \"c9\"}";
    gateway.answer(
        InventoryApi.LIST,
        msg ->
            Future.succeededFuture(
                new Consumers.Reply(
                    Buffer.buffer(json), Map.of(CatalogPages.ETAG_HEADER, "\"pFromInventory\""))));

    GatewayHarness.Response response = gateway.get("/v1/products", Map.of());

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Content-Type")).isEqualTo("application/json");
    assertThat(response.body()).isEqualTo(json);
    assertThat(response.header("ETag")).isEqualTo("\"pFromInventory\"");
    GatewayHarness.Response held =
        gateway.get("/v1/products", Map.of("If-None-Match", "\"pFromInventory\""));
    assertThat(held.status()).isEqualTo(304);
    assertThat(held.body()).isEmpty();
  }

  @Test
  void listingWithoutParametersAsksForTwenty() throws Exception {
    assertJson(gateway.get("/v1/products", Map.of()), 200);

    assertThat(gateway.received(InventoryApi.LIST).body())
        .isEqualTo(new JsonObject().put("limit", 20));
  }

  @Test
  void aLimitOutsideTheContractIs400NamingIt() throws Exception {
    JsonObject problem =
        assertProblem(gateway.get("/v1/products?limit=101", Map.of()), 400, "invalid-request");

    assertThat(problem.getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("limit");
    assertThat(gateway.pending(InventoryApi.LIST)).isZero();
  }

  @Test
  void aProductComesWithItsVersionAsETag() throws Exception {
    gateway.answer(InventoryApi.GET, PRODUCT);

    GatewayHarness.Response response = gateway.get("/v1/products/" + ID, Map.of());

    assertThat(assertJson(response, 200)).isEqualTo(PRODUCT);
    assertThat(response.header("ETag")).isEqualTo("\"3\"");
    Message<JsonObject> msg = gateway.received(InventoryApi.GET);
    assertThat(msg.body()).isEqualTo(new JsonObject().put("id", ID));
    assertAnonymous(msg);
  }

  @Test
  void aProductWhoseETagTheClientHasIs304WithoutABody() throws Exception {
    gateway.answer(InventoryApi.GET, PRODUCT);

    GatewayHarness.Response response =
        gateway.get("/v1/products/" + ID, Map.of("If-None-Match", "\"3\""));

    assertThat(response.status()).isEqualTo(304);
    assertThat(response.header("ETag")).isEqualTo("\"3\"");
    assertThat(response.body()).isEmpty();
  }

  @Test
  void headOfAProductIsItsHeadersWithoutTheBody() throws Exception {
    gateway.answer(InventoryApi.GET, PRODUCT);

    GatewayHarness.Response response =
        gateway.http(HttpMethod.HEAD, "/v1/products/" + ID, Map.of(), null);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("ETag")).isEqualTo("\"3\"");
    assertThat(response.header("Content-Type")).isEqualTo("application/json");
    assertThat(response.body()).isEmpty();
    assertThat(gateway.received(InventoryApi.GET).body()).isEqualTo(new JsonObject().put("id", ID));
  }

  @Test
  void anUnknownProductIs404FromInventory() throws Exception {
    gateway.fail(InventoryApi.GET, ErrorCodes.NOT_FOUND, "no product " + ID);

    assertThat(
            assertProblem(gateway.get("/v1/products/" + ID, Map.of()), 404, "not-found")
                .getString("detail"))
        .isEqualTo("no product " + ID);
  }

  @Test
  void aProductIdThatIsNotAUuidIs400AndReachesNoService() throws Exception {
    JsonObject problem =
        assertProblem(gateway.get("/v1/products/42", Map.of()), 400, "invalid-request");

    assertThat(problem.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("id");
    assertThat(gateway.pending(InventoryApi.GET)).isZero();
  }

  @Test
  void versionTwoOfAProductHasThePriceAsAnObject() throws Exception {
    gateway.answer(InventoryApi.GET, PRODUCT);

    GatewayHarness.Response response = gateway.get("/v2/products/" + ID, Map.of());

    JsonObject v2 = PRODUCT.copy();
    v2.remove("priceMinor");
    v2.remove("currency");
    v2.put("price", new JsonObject().put("amount", 4999).put("currency", "EUR"));
    assertThat(assertJson(response, 200)).isEqualTo(v2);
    assertThat(response.header("ETag")).isEqualTo("\"3\"");
  }

  @Test
  void anAdminCreatesAProduct201WithLocationAndETag() throws Exception {
    gateway.answer(InventoryApi.CREATE, PRODUCT.copy().put("version", 1));
    JsonObject product =
        new JsonObject()
            .put("sku", "KB-1")
            .put("name", "Keyboard")
            .put("priceMinor", 4999)
            .put("currency", "EUR")
            .put("available", 7);

    GatewayHarness.Response response = gateway.post("/v1/products", admin(), product);

    assertThat(assertJson(response, 201).getString("id")).isEqualTo(ID);
    assertThat(response.header("Location")).isEqualTo("/v1/products/" + ID);
    assertThat(response.header("ETag")).isEqualTo("\"1\"");
    Message<JsonObject> msg = gateway.received(InventoryApi.CREATE);
    assertThat(msg.body()).isEqualTo(product);
    assertCaller(msg, ADMIN, "admin");
  }

  @Test
  void aCustomerCannotCreateAProduct() throws Exception {
    JsonObject product =
        new JsonObject()
            .put("sku", "KB-1")
            .put("name", "Keyboard")
            .put("priceMinor", 4999)
            .put("currency", "EUR")
            .put("available", 7);

    GatewayHarness.Response response = gateway.post("/v1/products", customer(), product);

    assertThat(assertProblem(response, 403, "forbidden").getString("detail"))
        .isEqualTo("this operation requires the admin role");
    assertThat(gateway.pending(InventoryApi.CREATE)).isZero();
  }

  @Test
  void anUpdateSendsTheVersionFromIfMatchAndAnswersTheNewETag() throws Exception {
    gateway.answer(InventoryApi.UPDATE, PRODUCT.copy().put("name", "Board").put("version", 4));

    GatewayHarness.Response response = patch(ID, "\"3\"", new JsonObject().put("name", "Board"));

    assertThat(assertJson(response, 200).getString("name")).isEqualTo("Board");
    assertThat(response.header("ETag")).isEqualTo("\"4\"");
    Message<JsonObject> msg = gateway.received(InventoryApi.UPDATE);
    assertThat(msg.body())
        .isEqualTo(new JsonObject().put("name", "Board").put("id", ID).put("expectedVersion", 3));
    assertCaller(msg, ADMIN, "admin");
  }

  @Test
  void anUpdateWithIfMatchStarOverwritesAnyVersion() throws Exception {
    gateway.answer(InventoryApi.UPDATE, PRODUCT);

    assertJson(patch(ID, "*", new JsonObject().put("priceMinor", 10)), 200);

    assertThat(gateway.received(InventoryApi.UPDATE).body())
        .isEqualTo(new JsonObject().put("priceMinor", 10).put("id", ID).put("anyVersion", true));
  }

  @Test
  void anUpdateWithoutIfMatchIs428AndReachesNoService() throws Exception {
    assertProblem(
        patch(ID, null, new JsonObject().put("name", "Board")), 428, "precondition-required");
    assertThat(gateway.pending(InventoryApi.UPDATE)).isZero();
  }

  @Test
  void anUpdateWithAnETagThatIsNotOursIs412() throws Exception {
    assertProblem(
        patch(ID, "W/\"3\"", new JsonObject().put("name", "Board")), 412, "precondition-failed");
    assertProblem(
        patch(ID, "\"three\"", new JsonObject().put("name", "Board")), 412, "precondition-failed");
    assertThat(gateway.pending(InventoryApi.UPDATE)).isZero();
  }

  @Test
  void aStaleVersionIsInventorys412() throws Exception {
    gateway.fail(InventoryApi.UPDATE, ErrorCodes.PRECONDITION_FAILED, "the product has changed");

    assertThat(
            assertProblem(
                    patch(ID, "\"2\"", new JsonObject().put("name", "B")),
                    412,
                    "precondition-failed")
                .getString("detail"))
        .isEqualTo("the product has changed");
  }

  @Test
  void aStockAdjustmentCarriesAMessageIdDerivedFromTheIdempotencyKey() throws Exception {
    gateway.answer(InventoryApi.ADJUST_STOCK, PRODUCT.copy().put("version", 5));
    JsonObject adjustment = new JsonObject().put("delta", 3).put("reason", "restock");
    Map<String, String> headers = new HashMap<>(admin());
    headers.put("Idempotency-Key", "restock-1");

    GatewayHarness.Response first =
        gateway.post("/v1/products/" + ID + "/stock-adjustments", headers, adjustment);
    GatewayHarness.Response again =
        gateway.post("/v1/products/" + ID + "/stock-adjustments", headers, adjustment);

    assertThat(assertJson(first, 200).getInteger("version")).isEqualTo(5);
    assertThat(first.header("ETag")).isEqualTo("\"5\"");
    assertJson(again, 200);
    String expected =
        UUID.nameUUIDFromBytes(("stock:" + ID + ":restock-1").getBytes(StandardCharsets.UTF_8))
            .toString();
    Message<JsonObject> msg = gateway.received(InventoryApi.ADJUST_STOCK);
    assertThat(msg.body()).isEqualTo(adjustment.copy().put("id", ID).put("messageId", expected));
    assertCaller(msg, ADMIN, "admin");
    assertThat(gateway.received(InventoryApi.ADJUST_STOCK).body().getString("messageId"))
        .isEqualTo(expected);
  }

  @Test
  void stockAdjustmentsWithoutAKeyAreDistinctMessages() throws Exception {
    JsonObject adjustment = new JsonObject().put("delta", -1).put("reason", "broken");
    gateway.answer(InventoryApi.ADJUST_STOCK, PRODUCT);

    assertJson(gateway.post("/v1/products/" + ID + "/stock-adjustments", admin(), adjustment), 200);
    assertJson(gateway.post("/v1/products/" + ID + "/stock-adjustments", admin(), adjustment), 200);

    String first = gateway.received(InventoryApi.ADJUST_STOCK).body().getString("messageId");
    String second = gateway.received(InventoryApi.ADJUST_STOCK).body().getString("messageId");
    assertThat(UUID.fromString(first)).isNotEqualTo(UUID.fromString(second));
  }

  @Test
  void aZeroDeltaIsRefusedByTheContract() throws Exception {
    JsonObject problem =
        assertProblem(
            gateway.post(
                "/v1/products/" + ID + "/stock-adjustments",
                admin(),
                new JsonObject().put("delta", 0).put("reason", "none")),
            400,
            "invalid-request");

    assertThat(problem.getJsonArray("errors").getJsonObject(0))
        .isEqualTo(
            new JsonObject().put("field", "delta").put("message", "this value is not allowed"));
    assertThat(gateway.pending(InventoryApi.ADJUST_STOCK)).isZero();
  }

  @Test
  void stockThatWouldGoNegativeIsInventorys422() throws Exception {
    gateway.fail(InventoryApi.ADJUST_STOCK, ErrorCodes.UNPROCESSABLE, "only 7 in stock");

    GatewayHarness.Response response =
        gateway.post(
            "/v1/products/" + ID + "/stock-adjustments",
            admin(),
            new JsonObject().put("delta", -10).put("reason", "count"));

    assertThat(assertProblem(response, 422, "unprocessable").getString("detail"))
        .isEqualTo("only 7 in stock");
  }

  private static GatewayHarness.Response patch(String id, String ifMatch, JsonObject changes)
      throws Exception {
    Map<String, String> headers = new HashMap<>(admin());
    headers.put("Content-Type", "application/json");
    if (ifMatch != null) {
      headers.put("If-Match", ifMatch);
    }
    return gateway.http(HttpMethod.PATCH, "/v1/products/" + id, headers, changes.encode());
  }
}
