package dev.microshop.gateway;

import static dev.microshop.gateway.RoutesTestBase.assertJson;
import static dev.microshop.gateway.RoutesTestBase.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.platform.messaging.FieldError;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Catalog reads while inventory cannot answer (issue 14): the gateway's last copy, marked stale,
 * instead of a 503 or 504; never instead of inventory's own 4xx, never past {@code
 * catalog.maxStaleSeconds}. A gateway per test: the failures a test provokes count against the
 * inventory breaker, and another test must not find it open.
 */
class CatalogStaleCopiesTest {
  private static final String ID = "11111111-2222-4333-8444-555555555555";
  private static final String ADMIN = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  private static final String STALE = "microshop-gateway; fwd=stale; detail=\"%s\"";
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
  private static final JsonObject PAGE =
      new JsonObject().put("items", new JsonArray().add(PRODUCT)).put("nextCursor", "c2");

  private GatewayHarness gateway;

  /** A gateway whose requests to services time out after 300 ms, with {@code settings} on top. */
  private void start(Map<String, String> settings) throws Exception {
    Map<String, String> env = new HashMap<>(settings);
    env.put("MICROSHOP_GATEWAY_BUS_REQUEST_TIMEOUT_MS", "300");
    gateway = GatewayHarness.start(env, RoutesTestBase.addresses(), RoutesTestBase.SERVICES);
  }

  @AfterEach
  void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aProductInventoryDoesNotAnswerInTimeIsTheLastCopyMarkedStale() throws Exception {
    start(Map.of());
    gateway.answer(InventoryApi.GET, PRODUCT);
    GatewayHarness.Response fresh = gateway.get("/v1/products/" + ID, Map.of());
    gateway.answer(InventoryApi.GET, GatewayHarness.SILENT);

    GatewayHarness.Response stale = gateway.get("/v1/products/" + ID, Map.of());

    assertThat(assertJson(fresh, 200)).isEqualTo(PRODUCT);
    assertThat(fresh.header("Cache-Status")).isNull();
    assertThat(fresh.header("Age")).isNull();
    assertThat(assertJson(stale, 200)).isEqualTo(PRODUCT);
    assertThat(stale.header("ETag")).isEqualTo("\"3\"");
    assertThat(stale.header("Cache-Status")).isEqualTo(STALE.formatted("timeout"));
    assertThat(Long.parseLong(stale.header("Age"))).isBetween(0L, 2L);
    assertThat(stale.header("Warning")).isNull();
    gateway.received(InventoryApi.GET);
    assertThat(gateway.received(InventoryApi.GET).body()).isEqualTo(new JsonObject().put("id", ID));
  }

  @Test
  void withNoInstanceOfInventoryTheV2ReadIsTheCopyInItsOwnShape() throws Exception {
    start(Map.of());
    gateway.answer(InventoryApi.GET, PRODUCT);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    gateway.withdraw(InventoryApi.GET);

    GatewayHarness.Response stale = gateway.get("/v2/products/" + ID, Map.of());

    JsonObject v2 = PRODUCT.copy();
    v2.remove("priceMinor");
    v2.remove("currency");
    v2.put("price", new JsonObject().put("amount", 4999).put("currency", "EUR"));
    assertThat(assertJson(stale, 200)).isEqualTo(v2);
    assertThat(stale.header("ETag")).isEqualTo("\"3\"");
    assertThat(stale.header("Cache-Status")).isEqualTo(STALE.formatted("unavailable"));
  }

  @Test
  void aFailingInventoryServesAListPageByItsQueryWithTheDefaultsFilledIn() throws Exception {
    start(Map.of());
    gateway.answer(InventoryApi.LIST, PAGE);
    assertJson(gateway.get("/v1/products", Map.of()), 200);
    gateway.fail(InventoryApi.LIST, ErrorCodes.INTERNAL, "boom");

    GatewayHarness.Response stale = gateway.get("/v1/products?limit=20", Map.of());
    GatewayHarness.Response neverRead = gateway.get("/v1/products?limit=5", Map.of());

    assertThat(assertJson(stale, 200)).isEqualTo(PAGE);
    assertThat(stale.header("Cache-Status")).isEqualTo(STALE.formatted("service-failure"));
    assertThat(stale.header("Age")).isNotNull();
    assertProblem(neverRead, 502, "bad-gateway");
    assertThat(neverRead.header("Cache-Status")).isNull();
  }

  @Test
  void aBusyInventoryServesTheCopyToo() throws Exception {
    start(Map.of());
    gateway.answer(InventoryApi.LIST, PAGE);
    assertJson(gateway.get("/v1/products?q=key", Map.of()), 200);
    gateway.fail(InventoryApi.LIST, ErrorCodes.UNAVAILABLE, "shedding load");

    GatewayHarness.Response stale = gateway.get("/v1/products?q=key", Map.of());

    assertThat(assertJson(stale, 200)).isEqualTo(PAGE);
    assertThat(stale.header("Cache-Status")).isEqualTo(STALE.formatted("busy"));
  }

  @Test
  void inventorysClientErrorsAreAnswersNeverHiddenBehindTheCopy() throws Exception {
    start(Map.of());
    gateway.answer(InventoryApi.GET, PRODUCT);
    gateway.answer(InventoryApi.LIST, PAGE);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    assertJson(gateway.get("/v1/products?q=x", Map.of()), 200);
    gateway.fail(InventoryApi.GET, ErrorCodes.NOT_FOUND, "no product " + ID);
    gateway.invalid(InventoryApi.LIST, new FieldError("q", "too vague"));

    GatewayHarness.Response notFound = gateway.get("/v1/products/" + ID, Map.of());
    GatewayHarness.Response invalid = gateway.get("/v1/products?q=x", Map.of());

    assertThat(assertProblem(notFound, 404, "not-found").getString("detail"))
        .isEqualTo("no product " + ID);
    assertThat(notFound.header("Cache-Status")).isNull();
    assertThat(notFound.header("ETag")).isNull();
    assertProblem(invalid, 400, "invalid-request");
    assertThat(invalid.header("Cache-Status")).isNull();
  }

  @Test
  void aProductInventorySaidWasNotFoundIsNotBroughtBackByTheNextOutage() throws Exception {
    start(Map.of());
    gateway.answer(InventoryApi.GET, PRODUCT);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    gateway.fail(InventoryApi.GET, ErrorCodes.NOT_FOUND, "no product " + ID);
    assertProblem(gateway.get("/v1/products/" + ID, Map.of()), 404, "not-found");
    gateway.answer(InventoryApi.GET, GatewayHarness.SILENT);

    GatewayHarness.Response response = gateway.get("/v1/products/" + ID, Map.of());

    assertProblem(response, 504, "timeout");
    assertThat(response.header("Cache-Status")).isNull();
  }

  @Test
  void aCopyOlderThanMaxStaleSecondsIsNotServed() throws Exception {
    start(Map.of("MICROSHOP_GATEWAY_CATALOG_MAX_STALE_SECONDS", "1"));
    gateway.answer(InventoryApi.GET, PRODUCT);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    gateway.fail(InventoryApi.GET, ErrorCodes.INTERNAL, "boom");
    GatewayHarness.Response young = gateway.get("/v1/products/" + ID, Map.of());

    Thread.sleep(1_500);
    GatewayHarness.Response old = gateway.get("/v1/products/" + ID, Map.of());

    assertThat(assertJson(young, 200)).isEqualTo(PRODUCT);
    assertThat(young.header("Age")).isEqualTo("0");
    assertProblem(old, 502, "bad-gateway");
    assertThat(old.header("Cache-Status")).isNull();
    assertThat(old.header("Age")).isNull();
  }

  @Test
  void aFreshAnswerReplacesTheCopy() throws Exception {
    start(Map.of());
    JsonObject renamed = PRODUCT.copy().put("name", "Board").put("version", 4);
    gateway.answer(InventoryApi.GET, PRODUCT);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    gateway.answer(InventoryApi.GET, renamed);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    gateway.answer(InventoryApi.GET, GatewayHarness.SILENT);

    GatewayHarness.Response stale = gateway.get("/v1/products/" + ID, Map.of());

    assertThat(assertJson(stale, 200)).isEqualTo(renamed);
    assertThat(stale.header("ETag")).isEqualTo("\"4\"");
    assertThat(stale.header("Cache-Status")).isEqualTo(STALE.formatted("timeout"));
  }

  @Test
  void anAdminsChangeLeavesTheChangedProductAsTheCopy() throws Exception {
    start(Map.of());
    JsonObject changed = PRODUCT.copy().put("priceMinor", 3999).put("version", 4);
    gateway.answer(InventoryApi.UPDATE, changed);
    Map<String, String> headers = new HashMap<>(gateway.bearer(ADMIN, Identity.ADMIN));
    headers.put("Content-Type", "application/json");
    headers.put("If-Match", "\"3\"");
    GatewayHarness.Response patched =
        gateway.http(
            HttpMethod.PATCH,
            "/v1/products/" + ID,
            headers,
            new JsonObject().put("priceMinor", 3999).encode());
    gateway.withdraw(InventoryApi.GET);

    GatewayHarness.Response stale = gateway.get("/v1/products/" + ID, Map.of());

    assertJson(patched, 200);
    assertThat(assertJson(stale, 200)).isEqualTo(changed);
    assertThat(stale.header("ETag")).isEqualTo("\"4\"");
    assertThat(stale.header("Cache-Status")).isEqualTo(STALE.formatted("unavailable"));
  }

  @Test
  void aClientHoldingTheStaleCopysETagGets304MarkedStale() throws Exception {
    start(Map.of());
    gateway.answer(InventoryApi.GET, PRODUCT);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    gateway.answer(InventoryApi.GET, GatewayHarness.SILENT);

    GatewayHarness.Response response =
        gateway.get("/v1/products/" + ID, Map.of("If-None-Match", "\"3\""));

    assertThat(response.status()).isEqualTo(304);
    assertThat(response.body()).isEmpty();
    assertThat(response.header("ETag")).isEqualTo("\"3\"");
    assertThat(response.header("Cache-Status")).isEqualTo(STALE.formatted("timeout"));
    assertThat(response.header("Age")).isNotNull();
  }

  @Test
  void aClientHoldingALaterVersionThanTheCopyGetsTheFailureNotTheOlderCopy() throws Exception {
    start(Map.of());
    gateway.answer(InventoryApi.GET, PRODUCT);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    gateway.answer(InventoryApi.GET, GatewayHarness.SILENT);

    GatewayHarness.Response newer =
        gateway.get("/v1/products/" + ID, Map.of("If-None-Match", "\"5\""));
    GatewayHarness.Response older =
        gateway.get("/v1/products/" + ID, Map.of("If-None-Match", "\"2\""));

    assertProblem(newer, 504, "timeout");
    assertThat(newer.header("Cache-Status")).isNull();
    assertThat(assertJson(older, 200)).isEqualTo(PRODUCT);
    assertThat(older.header("Cache-Status")).isEqualTo(STALE.formatted("timeout"));
  }

  @Test
  void onceTheBreakerOpensTheCopyIsServedWithoutAskingInventory() throws Exception {
    start(Map.of());
    gateway.answer(InventoryApi.GET, PRODUCT);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    gateway.received(InventoryApi.GET);
    gateway.fail(InventoryApi.GET, ErrorCodes.INTERNAL, "boom");
    for (int i = 0; i < 5; i++) {
      assertThat(gateway.get("/v1/products/" + ID, Map.of()).header("Cache-Status"))
          .as("call %d", i + 1)
          .isEqualTo(STALE.formatted("service-failure"));
      gateway.received(InventoryApi.GET);
    }

    GatewayHarness.Response open = gateway.get("/v1/products/" + ID, Map.of());

    assertThat(assertJson(open, 200)).isEqualTo(PRODUCT);
    assertThat(open.header("Cache-Status")).isEqualTo(STALE.formatted("circuit-open"));
    assertThat(gateway.pending(InventoryApi.GET)).isZero();
  }

  @Test
  void withStaleCopiesZeroReadsFailAsWithoutTheStore() throws Exception {
    start(Map.of("MICROSHOP_GATEWAY_CATALOG_STALE_COPIES", "0"));
    gateway.answer(InventoryApi.GET, PRODUCT);
    assertJson(gateway.get("/v1/products/" + ID, Map.of()), 200);
    gateway.answer(InventoryApi.GET, GatewayHarness.SILENT);

    GatewayHarness.Response response = gateway.get("/v1/products/" + ID, Map.of());

    assertProblem(response, 504, "timeout");
    assertThat(response.header("Cache-Status")).isNull();
  }
}
