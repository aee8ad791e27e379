package dev.microshop.launcher.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A customer's or an admin's view of the public API, over real HTTP, for the end-to-end tests. */
public final class Api {
  public static final String PASSWORD = "correct horse battery";
  private final String base;
  private final Path dataDir;

  public Api(String base, Path dataDir) {
    this.base = base;
    this.dataDir = dataDir;
  }

  /** Registers a new customer and returns its token. */
  public String newCustomer() {
    String email = "c-" + UUID.randomUUID() + "@example.com";
    register(email);
    return login(email, PASSWORD);
  }

  /** Registers a customer with {@link #PASSWORD}. */
  public void register(String email) {
    HttpResponse<String> registered =
        Http.send(
            "POST",
            base + "/v1/users",
            new JsonObject()
                .put("email", email)
                .put("displayName", "Customer")
                .put("password", PASSWORD)
                .encode());
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
  }

  public String login(String email, String password) {
    HttpResponse<String> token =
        Http.send(
            "POST",
            base + "/v1/auth/token",
            new JsonObject().put("email", email).put("password", password).encode());
    assertThat(token.statusCode()).as("login %s: %s", email, token.body()).isEqualTo(200);
    return new JsonObject(token.body()).getString("accessToken");
  }

  public String admin() {
    try {
      return login(
          "admin@microshop.local",
          Files.readString(dataDir.resolve("secrets/admin-password")).trim());
    } catch (java.io.IOException e) {
      throw new AssertionError("no dev admin password", e);
    }
  }

  /** Creates a product as admin; returns its id. */
  public String product(String admin, long priceMinor, int stock) {
    String sku = "T-" + UUID.randomUUID().toString().substring(0, 12);
    HttpResponse<String> created =
        Http.send(
            "POST",
            base + "/v1/products",
            new JsonObject()
                .put("sku", sku)
                .put("name", "Test " + sku)
                .put("priceMinor", priceMinor)
                .put("currency", "EUR")
                .put("available", stock)
                .encode(),
            "Authorization",
            "Bearer " + admin);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("id");
  }

  /** The product as inventory has it now: never the gateway's stale copy. */
  public JsonObject productById(String id) {
    HttpResponse<String> read = Http.get(base + "/v1/products/" + id);
    assertThat(read.headers().firstValue("Cache-Status"))
        .as("a current read of %s, not the gateway's copy: %s", id, read.body())
        .isEmpty();
    return new JsonObject(read.body());
  }

  public HttpResponse<String> order(String token, String key, JsonArray lines) {
    return Http.send(
        "POST",
        base + "/v1/orders",
        new JsonObject().put("lines", lines).encode(),
        "Authorization",
        "Bearer " + token,
        "Idempotency-Key",
        key);
  }

  public static JsonArray line(String productId, int quantity) {
    return new JsonArray()
        .add(new JsonObject().put("productId", productId).put("quantity", quantity));
  }

  public JsonObject getOrder(String token, String id) {
    HttpResponse<String> order =
        Http.get(base + "/v1/orders/" + id, Map.of("Authorization", "Bearer " + token));
    assertThat(order.statusCode()).as(order.body()).isEqualTo(200);
    return new JsonObject(order.body());
  }

  /** Polls until the order is CONFIRMED or CANCELLED. */
  public JsonObject awaitFinal(String token, String id, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject order = null;
    while (System.nanoTime() < deadline) {
      order = getOrder(token, id);
      if (!"PENDING".equals(order.getString("status"))) {
        return order;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("order " + id + " still PENDING after " + timeout + ": " + order);
  }

  public long balance(String token) {
    HttpResponse<String> wallet =
        Http.get(base + "/v1/wallet", Map.of("Authorization", "Bearer " + token));
    assertThat(wallet.statusCode()).as(wallet.body()).isEqualTo(200);
    return new JsonObject(wallet.body()).getLong("balanceMinor");
  }

  /** Every entry of the caller's ledger, newest first: all pages, not just the first. */
  public JsonArray transactions(String token) {
    return allPages("/v1/wallet/transactions", token);
  }

  /** The amounts of the customer's ledger entries about one order (a charge is negative). */
  public List<Long> charges(String token, String orderId) {
    return transactions(token).stream()
        .map(JsonObject.class::cast)
        .filter(t -> orderId.equals(t.getString("orderId")))
        .map(t -> t.getLong("amountMinor"))
        .toList();
  }

  /** The saga steps of an order, in the order they happened. */
  public static List<String> steps(JsonObject order) {
    return order.getJsonArray("timeline").stream()
        .map(s -> ((JsonObject) s).getString("step"))
        .toList();
  }

  /** Every notification of the caller, newest first: all pages. */
  public JsonArray notifications(String token) {
    return allPages("/v1/notifications", token);
  }

  /** Follows nextCursor until the last page (a load test leaves hundreds of entries). */
  private JsonArray allPages(String path, String token) {
    JsonArray all = new JsonArray();
    String cursor = null;
    do {
      String url =
          base
              + path
              + "?limit=100"
              + (cursor == null
                  ? ""
                  : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      HttpResponse<String> page = Http.get(url, Map.of("Authorization", "Bearer " + token));
      assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
      JsonObject body = new JsonObject(page.body());
      all.addAll(body.getJsonArray("items"));
      cursor = body.getString("nextCursor");
    } while (cursor != null);
    return all;
  }

  /** The user id in a token's claims. */
  public static String userId(String token) {
    return new JsonObject(
            new String(
                java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8))
        .getString("sub");
  }

  public String base() {
    return base;
  }
}
