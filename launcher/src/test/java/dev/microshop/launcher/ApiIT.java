package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.Cluster;
import dev.microshop.launcher.support.Db;
import dev.microshop.launcher.support.Http;
import dev.microshop.launcher.support.SharedDatabase;
import dev.microshop.launcher.support.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The public API end to end, over real HTTP, against a real cluster: gateway, users, inventory and
 * payments each in its own JVM from the built launcher, on the embedded PostgreSQL in dev mode. The
 * cluster is started once for the class; each test makes its own users and products, and a test
 * that kills a JVM leaves it to the next test's fixture to start a fresh one, so the tests pass in
 * any order.
 */
class ApiIT {
  private static final List<String> SERVICES =
      List.of(Services.USERS, Services.INVENTORY, Services.PAYMENTS, Services.GATEWAY);
  private static Cluster cluster;
  private static String api;
  private static String adminToken;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster =
        new Cluster(
                SharedDatabase.env()
                    .with(
                        "MICROSHOP_GATEWAY_RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS_PER_MINUTE",
                        "5"))
            .start(SERVICES);
    api = cluster.gateway();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Every test starts with every service running and reachable through the gateway: a JVM an
   * earlier test killed is replaced, and the gateway's breaker for it has closed again.
   */
  @BeforeEach
  void everyServiceRunsAndTheGatewayReachesIt() throws Exception {
    for (String service : cluster.restartStopped()) {
      switch (service) {
        case Services.INVENTORY ->
            Http.awaitFresh(api + "/v1/products?limit=1", Duration.ofSeconds(60));
        case Services.PAYMENTS -> awaitWalletReachable();
        default -> {
          // users and the gateway have no breaker in front of them.
        }
      }
    }
  }

  @Test
  void aCustomerRegistersLogsInBrowsesAndSeesProfileAndWalletWhileAnAdminEditsAProduct() {
    String email = "alice-" + UUID.randomUUID() + "@example.com";
    HttpResponse<String> registered = post("/v1/users", registration(email));
    assertThat(registered.statusCode()).isEqualTo(201);
    assertThat(registered.headers().firstValue("Location")).contains("/v1/me");
    JsonObject profile = new JsonObject(registered.body());
    assertThat(profile.getString("email")).isEqualTo(email);
    assertThat(profile.getJsonArray("roles")).containsExactly("customer");
    assertThat(profile.containsKey("password")).isFalse();

    String customer = login(email, "correct horse battery");

    HttpResponse<String> page = Http.get(api + "/v1/products?limit=5");
    assertThat(page.statusCode()).isEqualTo(200);
    JsonArray items = new JsonObject(page.body()).getJsonArray("items");
    assertThat(items).hasSize(5); // the dev catalog was seeded
    String productId = items.getJsonObject(0).getString("id");

    HttpResponse<String> product = Http.get(api + "/v1/products/" + productId);
    assertThat(product.statusCode()).isEqualTo(200);
    String etag = product.headers().firstValue("ETag").orElseThrow();
    assertThat(
            Http.get(api + "/v1/products/" + productId, Map.of("If-None-Match", etag)).statusCode())
        .isEqualTo(304);

    String admin = adminToken();
    HttpResponse<String> edited =
        Http.send(
            "PATCH",
            api + "/v1/products/" + productId,
            "{\"name\":\"Edited by admin\",\"priceMinor\":4321}",
            "Authorization",
            "Bearer " + admin,
            "If-Match",
            etag);
    assertThat(edited.statusCode()).isEqualTo(200);
    String newEtag = edited.headers().firstValue("ETag").orElseThrow();
    assertThat(newEtag).isNotEqualTo(etag);

    HttpResponse<String> reread = Http.get(api + "/v1/products/" + productId);
    assertThat(reread.headers().firstValue("ETag")).contains(newEtag);
    assertThat(new JsonObject(reread.body()).getString("name")).isEqualTo("Edited by admin");
    JsonObject v2 = new JsonObject(Http.get(api + "/v2/products/" + productId).body());
    assertThat(v2.getJsonObject("price").getLong("amount")).isEqualTo(4321L);
    assertThat(v2.containsKey("priceMinor")).isFalse();

    HttpResponse<String> me =
        Http.get(api + "/v1/me", Map.of("Authorization", "Bearer " + customer));
    assertThat(me.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(me.body());
    assertThat(body.getJsonObject("profile").getString("email")).isEqualTo(email);
    assertThat(body.getJsonObject("wallet").getBoolean("available")).isTrue();
    assertThat(body.getJsonObject("wallet").getLong("balanceMinor"))
        .isGreaterThan(0L); // dev opening balance
  }

  @Test
  void everyForgedOrBrokenTokenIsRefusedWith401AndAValidOneGetsThrough() throws Exception {
    String email = "mallory-" + UUID.randomUUID() + "@example.com";
    String userId = new JsonObject(post("/v1/users", registration(email)).body()).getString("id");
    String valid = login(email, "correct horse battery");
    JsonObject header = header(valid);
    PrivateKey key = Tokens.devSigningKey(SharedDatabase.dataDir());
    long now = Instant.now().getEpochSecond();
    JsonObject claims =
        new JsonObject()
            .put("sub", userId)
            .put("iss", "microshop")
            .put("aud", "microshop-api")
            .put("iat", now)
            .put("exp", now + 600)
            .put("roles", new JsonArray().add("admin"));
    Map<String, String> attacks = new LinkedHashMap<>();
    attacks.put("alg none", Tokens.unsigned(claims));
    attacks.put("wrong signature", Tokens.es256(header, claims, Tokens.strangerKey()));
    attacks.put(
        "HS256 with the public key",
        Tokens.hs256(
            header.copy().put("alg", "HS256"),
            claims,
            Tokens.devPublicKeyPem(SharedDatabase.dataDir())));
    attacks.put(
        "expired",
        Tokens.es256(header, claims.copy().put("iat", now - 7200).put("exp", now - 3600), key));
    attacks.put("no exp", Tokens.es256(header, without(claims, "exp"), key));
    attacks.put("future nbf", Tokens.es256(header, claims.copy().put("nbf", now + 3600), key));
    attacks.put("wrong iss", Tokens.es256(header, claims.copy().put("iss", "evil"), key));
    attacks.put("wrong aud", Tokens.es256(header, claims.copy().put("aud", "someone-else"), key));
    attacks.put("unknown kid", Tokens.es256(header.copy().put("kid", "no-such-key"), claims, key));
    attacks.put("malformed", "not.a.jwt");
    attacks.put("garbage segments", "abc.def.ghi");
    attacks.put("a character appended to a valid signature", valid + "x");
    attacks.put("a padded signature", valid + "==");
    for (Map.Entry<String, String> attack : attacks.entrySet()) {
      HttpResponse<String> response =
          Http.get(api + "/v1/me", Map.of("Authorization", "Bearer " + attack.getValue()));
      assertThat(response.statusCode()).as(attack.getKey()).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate"))
          .as(attack.getKey())
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(response.headers().firstValue("Content-Type"))
          .contains("application/problem+json");
    }
    // Sanity: the same key and claims, correctly formed, do get through; so the 401s above are for
    // the flaw.
    HttpResponse<String> ok =
        Http.get(
            api + "/v1/me", Map.of("Authorization", "Bearer " + Tokens.es256(header, claims, key)));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(Http.get(api + "/v1/me", Map.of("Authorization", "Bearer " + valid)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aCustomerGets403OnAdminRoutesAndNothingChanges() {
    String email = "carol-" + UUID.randomUUID() + "@example.com";
    String userId = new JsonObject(post("/v1/users", registration(email)).body()).getString("id");
    String customer = login(email, "correct horse battery");
    HttpResponse<String> create =
        Http.send(
            "POST",
            api + "/v1/products",
            newProduct("CUST-" + shortId(), 100),
            "Authorization",
            "Bearer " + customer);
    assertThat(create.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(create.body()).getString("type")).endsWith("/forbidden");
    HttpResponse<String> credit =
        Http.send(
            "POST",
            api + "/v1/wallets/" + userId + "/credits",
            "{\"amountMinor\":100000,\"reason\":\"free money\"}",
            "Authorization",
            "Bearer " + customer);
    assertThat(credit.statusCode()).isEqualTo(403);
    long balance =
        new JsonObject(
                Http.get(api + "/v1/wallet", Map.of("Authorization", "Bearer " + customer)).body())
            .getLong("balanceMinor");
    HttpResponse<String> adminCredit =
        Http.send(
            "POST",
            api + "/v1/wallets/" + userId + "/credits",
            "{\"amountMinor\":500,\"reason\":\"goodwill\"}",
            "Authorization",
            "Bearer " + adminToken(),
            "Idempotency-Key",
            "k-" + userId);
    assertThat(adminCredit.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(adminCredit.body()).getLong("balanceMinor")).isEqualTo(balance + 500);
  }

  @Test
  void oversizedInvalidAndUnknownInputGetsProblemJsonNamingTheFields() {
    String admin = adminToken();
    HttpResponse<String> tooBig = Http.send("POST", api + "/v1/users", "x".repeat(64 * 1024 + 1));
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(tooBig.headers().firstValue("Content-Type")).contains("application/problem+json");

    HttpResponse<String> invalid =
        Http.send(
            "POST",
            api + "/v1/products",
            "{\"sku\":\"OK-1\",\"name\":\"\",\"priceMinor\":-5,\"currency\":\"euro\",\"available\":\"ten\",\"admin\":true}",
            "Authorization",
            "Bearer " + admin);
    assertThat(invalid.statusCode()).isEqualTo(400);
    JsonObject problem = new JsonObject(invalid.body());
    assertThat(problem.getString("type")).endsWith("/invalid-request");
    assertThat(problem.getInteger("status")).isEqualTo(400);
    assertThat(problem.getString("traceId")).hasSize(32);
    List<String> fields =
        problem.getJsonArray("errors").stream()
            .map(e -> ((JsonObject) e).getString("field"))
            .toList();
    assertThat(fields).contains("name", "priceMinor", "currency", "available", "admin");
    assertThat(problem.encode()).doesNotContain("Exception").doesNotContain("at io.vertx");

    HttpResponse<String> missing = Http.send("POST", api + "/v1/users", "{\"email\":\"x@y.io\"}");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("displayName").contains("password");
    HttpResponse<String> shortPassword =
        post(
            "/v1/users",
            new JsonObject()
                .put("email", "s@y.io")
                .put("displayName", "S")
                .put("password", "short")
                .encode());
    assertThat(shortPassword.statusCode()).isEqualTo(400);
    assertThat(shortPassword.body()).contains("password");
    HttpResponse<String> shouted =
        Http.send(
            "POST",
            api + "/v1/users",
            registration("shout-" + UUID.randomUUID() + "@example.com"),
            "Content-Type",
            "APPLICATION/JSON; Charset=UTF-8");
    assertThat(shouted.statusCode())
        .as("media types are case-insensitive: %s", shouted.body())
        .isEqualTo(201);
    HttpResponse<String> text =
        Http.send(
            "POST",
            api + "/v1/users",
            registration("text-" + UUID.randomUUID() + "@example.com"),
            "Content-Type",
            "text/plain");
    assertThat(text.statusCode()).isEqualTo(415);
    HttpResponse<String> bigPage = Http.get(api + "/v1/products?limit=1000");
    assertThat(bigPage.statusCode()).isEqualTo(400);
    assertThat(bigPage.body()).contains("limit");
  }

  @Test
  void aDuplicateEmailInAnyCaseIs409AndStoredOnce() throws Exception {
    String email = "dup-" + UUID.randomUUID() + "@example.com";
    assertThat(post("/v1/users", registration(email)).statusCode()).isEqualTo(201);
    HttpResponse<String> again = post("/v1/users", registration(email.toUpperCase()));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(again.body()).getString("type")).endsWith("/conflict");
    assertThat(
            Db.number(
                Services.USERS, "SELECT count(*) FROM users WHERE lower(email) = lower(?)", email))
        .isEqualTo(1);
  }

  @Test
  void failedLoginsFromOneAddressGet429ThereWhileTheOwnerLogsInFromAnother() throws Exception {
    String email = registerCustomer("brute");
    // Successes do not count: the owner logging in often is never limited.
    for (int i = 0; i < 6; i++) {
      assertThat(post("/v1/auth/token", credentials(email, "correct horse battery")).statusCode())
          .isEqualTo(200);
    }
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> last = null;
    for (int i = 0; i < 7; i++) {
      // Every spelling of the address is the same account, and the same bucket.
      String spelling =
          i % 2 == 0 ? email : "\u3000" + email.toUpperCase(java.util.Locale.ROOT) + "\u2003";
      last = post("/v1/auth/token", credentials(spelling, "wrong password!"));
      statuses.add(last.statusCode());
    }
    assertThat(statuses.subList(0, 5)).containsOnly(401);
    assertThat(statuses.subList(5, 7)).containsOnly(429);
    assertThat(last.headers().firstValue("Retry-After"))
        .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
    assertThat(new JsonObject(last.body()).getString("type")).endsWith("/rate-limited");
    // The guessing address is limited on this account; the owner, elsewhere, is not.
    assertThat(post("/v1/auth/token", credentials(email, "correct horse battery")).statusCode())
        .isEqualTo(429);
    assertThat(
            statusFrom("127.0.0.2", "/v1/auth/token", credentials(email, "correct horse battery")))
        .isEqualTo(200);
  }

  private static String credentials(String email, String password) {
    return new JsonObject().put("email", email).put("password", password).encode();
  }

  /**
   * The status of a JSON POST sent from {@code localAddress}: the gateway keys login limits on the
   * TCP peer, and java.net.http cannot choose its local address on Java 17.
   */
  private static int statusFrom(String localAddress, String path, String json) throws Exception {
    URI uri = URI.create(api);
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.setSoTimeout(20_000);
      socket.bind(new java.net.InetSocketAddress(localAddress, 0));
      socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
      socket.getOutputStream().flush();
      String status =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void concurrentPatchesWithTheSameEtagLetExactlyOneWin() throws Exception {
    String admin = adminToken();
    HttpResponse<String> created =
        Http.send(
            "POST",
            api + "/v1/products",
            newProduct("RACE-" + shortId(), 1000),
            "Authorization",
            "Bearer " + admin);
    assertThat(created.statusCode()).isEqualTo(201);
    String id = new JsonObject(created.body()).getString("id");
    String etag = created.headers().firstValue("ETag").orElseThrow();
    ExecutorService pool = Executors.newFixedThreadPool(10);
    List<Callable<Integer>> edits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      edits.add(
          () ->
              Http.send(
                      "PATCH",
                      api + "/v1/products/" + id,
                      "{\"priceMinor\":" + (2000 + n) + "}",
                      "Authorization",
                      "Bearer " + admin,
                      "If-Match",
                      etag)
                  .statusCode());
    }
    List<Integer> statuses = new ArrayList<>();
    for (Future<Integer> f : pool.invokeAll(edits)) {
      statuses.add(f.get());
    }
    pool.shutdown();
    assertThat(statuses.stream().filter(s -> s == 200)).hasSize(1);
    assertThat(statuses.stream().filter(s -> s == 412)).hasSize(9);
    JsonObject after = new JsonObject(Http.get(api + "/v1/products/" + id).body());
    assertThat(after.getLong("priceMinor")).isBetween(2000L, 2009L);
    HttpResponse<String> noIfMatch =
        Http.send(
            "PATCH",
            api + "/v1/products/" + id,
            "{\"priceMinor\":1}",
            "Authorization",
            "Bearer " + admin);
    assertThat(noIfMatch.statusCode()).isEqualTo(428);
  }

  @Test
  void passwordHashesAreArgon2idWithAtLeastOwaspParameters() throws Exception {
    String email = registerCustomer("hash");
    List<List<Object>> rows =
        Db.rows(Services.USERS, "SELECT password_hash FROM users WHERE email = ?", email);
    assertThat(rows).isNotEmpty();
    String hash = (String) rows.get(0).get(0);
    assertThat(hash).startsWith("$argon2id$v=19$");
    String[] params = hash.split("\\$")[3].split(",");
    assertThat(Integer.parseInt(params[0].substring(2))).isGreaterThanOrEqualTo(19456);
    assertThat(Integer.parseInt(params[1].substring(2))).isGreaterThanOrEqualTo(2);
    assertThat(hash).doesNotContain("correct horse battery");
  }

  @Test
  void requestIdsAreEchoedOrGeneratedAndOversizedUrlsAndHeadersGetProblems() {
    HttpResponse<String> echoed =
        Http.get(api + "/v1/products?limit=1", Map.of("X-Request-Id", "abc-123"));
    assertThat(echoed.headers().firstValue("X-Request-Id")).contains("abc-123");
    HttpResponse<String> generated = Http.get(api + "/v1/products?limit=1");
    assertThat(generated.headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(v -> assertThat(UUID.fromString(v)).isNotNull());
    HttpResponse<String> longUrl = Http.get(api + "/v1/products?q=" + "a".repeat(5000));
    assertThat(longUrl.statusCode()).isEqualTo(414);
    assertThat(longUrl.headers().firstValue("Content-Type")).contains("application/problem+json");
    HttpResponse<String> bigHeader =
        Http.get(api + "/v1/products", Map.of("X-Big", "b".repeat(9000)));
    assertThat(bigHeader.statusCode()).isEqualTo(431);
    assertThat(new JsonObject(bigHeader.body()).getInteger("status")).isEqualTo(431);
  }

  @Test
  void aHungInventoryAnswersKnownProductsFromTheGatewaysCopyAndOthers504ThenBreakerOpen503()
      throws Exception {
    String product = aProduct("HUNG"); // its creation left the gateway a copy
    String unknown = "/v1/products/" + UUID.randomUUID(); // never read: no copy
    long pid = cluster.process(Services.INVENTORY).pid();
    signal("STOP", pid);
    try {
      ExecutorService pool = Executors.newFixedThreadPool(6);
      List<Callable<HttpResponse<String>>> reads = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        reads.add(() -> Http.get(api + "/v1/products/" + product));
        reads.add(() -> Http.get(api + unknown));
      }
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (Future<HttpResponse<String>> f : pool.invokeAll(reads)) {
        answers.add(f.get());
      }
      pool.shutdown();
      for (HttpResponse<String> answer : answers) {
        if (answer.uri().getPath().endsWith(product)) {
          assertStale(answer, product, "timeout");
        }
      }
      assertThat(
              answers.stream()
                  .filter(r -> r.uri().getPath().equals(unknown))
                  .map(HttpResponse::statusCode))
          .as("a read without a copy waits out the bus timeout")
          .contains(504);
      long started = System.nanoTime();
      HttpResponse<String> open = Http.get(api + unknown);
      HttpResponse<String> copy = Http.get(api + "/v1/products/" + product);
      assertThat(open.statusCode()).isEqualTo(503);
      assertThat(open.headers().firstValue("Retry-After")).isPresent();
      assertStale(copy, product, "circuit-open|unavailable");
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isLessThan(Duration.ofMillis(1500)); // well under the 2 s bus timeout: not waited out
    } finally {
      signal("CONT", pid);
    }
    // A pause past the heartbeat timeout drops the JVM from the cluster; it merges back and
    // republishes itself.
    Http.awaitFresh(api + "/v1/products/" + product, Duration.ofSeconds(90));
  }

  /** The gateway's copy of {@code product}: 200, its ETag, marked stale for one of {@code why}. */
  private static void assertStale(HttpResponse<String> response, String product, String why) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getString("id")).isEqualTo(product);
    assertThat(response.headers().firstValue("ETag")).isPresent();
    assertThat(response.headers().firstValue("Age")).isPresent();
    assertThat(response.headers().firstValue("Cache-Status").orElse(""))
        .matches("microshop-gateway; fwd=stale; detail=\"(" + why + ")\"");
  }

  private static void signal(String name, long pid) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor())
        .isZero();
  }

  @Test
  void withPaymentsKilledMeStillAnswersWithTheProfileAndTheWalletMarkedUnavailable()
      throws Exception {
    String email = registerCustomer("resilient");
    String token = login(email, "correct horse battery");
    cluster.kill(Services.PAYMENTS);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    JsonObject body = null;
    while (System.nanoTime() < deadline) {
      long started = System.nanoTime();
      HttpResponse<String> me =
          Http.get(api + "/v1/me", Map.of("Authorization", "Bearer " + token));
      assertThat(me.statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      body = new JsonObject(me.body());
      assertThat(body.getJsonObject("profile").getString("email")).isEqualTo(email);
      if (!body.getJsonObject("wallet").getBoolean("available")) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(body.getJsonObject("wallet").getBoolean("available")).isFalse();
    assertThat(body.getJsonObject("wallet").containsKey("balanceMinor")).isFalse();
  }

  @Test
  void withInventoryKilledAPageReadBeforeIsItsCopyMarkedStaleAndOthersFailFastWith503()
      throws Exception {
    HttpResponse<String> before =
        Http.awaitFresh(api + "/v1/products?limit=1", Duration.ofSeconds(5));
    String neverRead = "/v1/products?limit=1&q=never-" + shortId();
    cluster.kill(Services.INVENTORY);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpResponse<String> response = null;
    while (System.nanoTime() < deadline) {
      response = Http.get(api + neverRead);
      if (response.statusCode() == 503) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(response.statusCode()).isEqualTo(503);
    long started = System.nanoTime();
    HttpResponse<String> fast = Http.get(api + neverRead);
    HttpResponse<String> stale = Http.get(api + "/v1/products?limit=1");
    assertThat(fast.statusCode()).isEqualTo(503);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isLessThan(Duration.ofMillis(1500)); // well under the 2 s bus timeout: not waited out
    assertThat(new JsonObject(fast.body()).getString("type")).endsWith("/unavailable");
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(stale.body())).isEqualTo(new JsonObject(before.body()));
    assertThat(stale.headers().firstValue("Age")).isPresent();
    assertThat(stale.headers().firstValue("Cache-Status").orElse(""))
        .matches("microshop-gateway; fwd=stale; detail=\"(unavailable|circuit-open)\"");
  }

  @Test
  void aNulCharacterIs400NamingTheFieldAndBadInputNeverOpensABreaker() {
    String admin = adminToken();
    String email = registerCustomer("nul");
    for (int i = 0; i < 6; i++) { // the breakers open after a handful of failures in a row
      HttpResponse<String> query = Http.get(api + "/v1/products?q=a%00b");
      assertProblem(query, 400, "q");
      HttpResponse<String> login =
          post(
              "/v1/auth/token",
              new JsonObject()
                  .put("email", "nul-" + i + "\u0000@example.com")
                  .put("password", "p")
                  .encode());
      assertProblem(login, 400, "email");
      HttpResponse<String> product =
          Http.send(
              "POST",
              api + "/v1/products",
              new JsonObject(newProduct("NUL-" + shortId(), 100))
                  .put("description", "line one\u0000line two")
                  .encode(),
              "Authorization",
              "Bearer " + admin);
      assertProblem(product, 400, "description");
    }
    // Still closed: the catalog and logins answer as usual.
    assertThat(Http.get(api + "/v1/products").statusCode()).isEqualTo(200);
    assertThat(login(email, "correct horse battery")).isNotBlank();
  }

  @Test
  void aSearchIsForTheTextAsTypedEvenWithPercentAndPlusSigns() throws Exception {
    String admin = adminToken();
    String tag = shortId();
    for (String name :
        List.of("Cable 100% copper " + tag, "Glue a+b " + tag, "Cable 100 copper " + tag)) {
      HttpResponse<String> created =
          Http.send(
              "POST",
              api + "/v1/products",
              new JsonObject(newProduct("Q-" + shortId(), 100)).put("name", name).encode(),
              "Authorization",
              "Bearer " + admin);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    assertThat(names("100%25%20copper%20" + tag)).containsExactly("Cable 100% copper " + tag);
    assertThat(names("a%2Bb%20" + tag)).containsExactly("Glue a+b " + tag);
    assertThat(names("%2531%2530%2530%20copper%20" + tag))
        .as("%31 is not decoded a second time")
        .isEmpty();
    for (String broken :
        List.of("%zz", "50%")) { // Java's HTTP client refuses to send these: a raw request
      String answer = rawGet("/v1/products?q=" + broken);
      assertThat(answer)
          .as(broken)
          .startsWith("HTTP/1.1 400")
          .containsIgnoringCase("application/problem+json")
          .contains("\"field\":\"q\"");
    }
  }

  @Test
  void theApiDocsAreOneRedirectAwayFromTheirBarePath() {
    HttpResponse<String> bare = Http.get(api + "/docs");
    assertThat(bare.statusCode()).isEqualTo(302);
    assertThat(bare.headers().firstValue("Location")).contains("/docs/");
    HttpResponse<String> ui = Http.get(api + "/docs/");
    assertThat(ui.statusCode()).isEqualTo(200);
    assertThat(ui.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(ui.body()).contains("swagger-initializer.js");
  }

  @Test
  void aRequestWithoutAValidTokenIs401BeforeItsBodyIsJudged() {
    String email = registerCustomer("judged");
    String bad = "{\"lines\": \"not a list\", \"extra\": true}";

    HttpResponse<String> none =
        Http.send("POST", api + "/v1/orders", bad, "Idempotency-Key", "k-" + shortId());
    HttpResponse<String> forged =
        Http.send(
            "POST",
            api + "/v1/orders",
            bad,
            "Idempotency-Key",
            "k-" + shortId(),
            "Authorization",
            "Bearer not.a.token");
    HttpResponse<String> valid =
        Http.send(
            "POST",
            api + "/v1/orders",
            bad,
            "Idempotency-Key",
            "k-" + shortId(),
            "Authorization",
            "Bearer " + login(email, "correct horse battery"));

    for (HttpResponse<String> refused : List.of(none, forged)) {
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
      assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
      assertThat(refused.body()).doesNotContain("lines").doesNotContain("extra");
    }
    assertProblem(valid, 400, "lines");
  }

  @Test
  void aCreditToNoSuchUserIs404AndOpensNoWalletAndAReusedKeyIs422() throws Exception {
    String admin = adminToken();
    String ghost = UUID.randomUUID().toString();
    HttpResponse<String> credit =
        Http.send(
            "POST",
            api + "/v1/wallets/" + ghost + "/credits",
            "{\"amountMinor\":5,\"reason\":\"ghost\"}",
            "Authorization",
            "Bearer " + admin);
    assertThat(credit.statusCode()).as(credit.body()).isEqualTo(404);
    assertThat(credit.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(
            Db.number(
                Services.PAYMENTS,
                "SELECT count(*) FROM wallets WHERE user_id = ?",
                UUID.fromString(ghost)))
        .as("wallets of the unknown user")
        .isZero();

    String product = aProduct("ADJ");
    String key = "adj-" + shortId();
    String url = api + "/v1/products/" + product + "/stock-adjustments";
    HttpResponse<String> first =
        Http.send(
            "POST",
            url,
            "{\"delta\":2,\"reason\":\"delivery\"}",
            "Authorization",
            "Bearer " + admin,
            "Idempotency-Key",
            key);
    HttpResponse<String> again =
        Http.send(
            "POST",
            url,
            "{\"delta\":2,\"reason\":\"delivery\"}",
            "Authorization",
            "Bearer " + admin,
            "Idempotency-Key",
            key);
    HttpResponse<String> other =
        Http.send(
            "POST",
            url,
            "{\"delta\":3,\"reason\":\"delivery\"}",
            "Authorization",
            "Bearer " + admin,
            "Idempotency-Key",
            key);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(new JsonObject(again.body()).getInteger("available")).isEqualTo(12);
    assertThat(other.statusCode()).as(other.body()).isEqualTo(422);
    assertThat(other.body()).contains("Idempotency-Key").doesNotContain("messageId");
    assertThat(
            new JsonObject(Http.get(api + "/v1/products/" + product).body())
                .getInteger("available"))
        .as("applied once")
        .isEqualTo(12);
  }

  @Test
  void aMethodTheResourceDoesNotSupportIs405WithTheOnesItDoes() {
    HttpResponse<String> collection = Http.send("DELETE", api + "/v1/products", null);
    HttpResponse<String> item = Http.send("PUT", api + "/v1/products/" + UUID.randomUUID(), "{}");

    assertThat(collection.statusCode()).isEqualTo(405);
    assertThat(collection.headers().firstValue("Allow")).contains("GET, HEAD, POST");
    assertThat(collection.headers().firstValue("Content-Type"))
        .contains("application/problem+json");
    assertThat(item.statusCode()).isEqualTo(405);
    assertThat(item.headers().firstValue("Allow")).contains("GET, HEAD, PATCH");
  }

  @Test
  void headIsAGetWithoutItsBodyOnEveryGetRouteAndTheContract() {
    String id = aProduct("HEAD");
    for (String path :
        List.of("/v1/products/" + id, "/v1/products?limit=2", "/openapi.yaml", "/v1/status")) {
      HttpResponse<String> get = Http.get(api + path);
      HttpResponse<String> head = Http.send("HEAD", api + path, null);

      assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(get.statusCode()).isEqualTo(200);
      assertThat(head.body()).as("HEAD " + path).isEmpty();
      assertThat(get.body()).as("GET " + path).isNotEmpty();
      for (String header : List.of("Content-Type", "ETag", "Cache-Control")) {
        assertThat(head.headers().firstValue(header))
            .as(header + " of HEAD " + path)
            .isEqualTo(get.headers().firstValue(header));
      }
      assertThat(head.headers().firstValue("X-Request-Id")).as("HEAD " + path).isPresent();
    }
    HttpResponse<String> missing =
        Http.send("HEAD", api + "/v1/products/" + UUID.randomUUID(), null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(Http.send("HEAD", api + "/v1/me", null).statusCode())
        .as("HEAD needs a token like GET")
        .isEqualTo(401);
  }

  @Test
  void ifMatchStarOverwritesTheCurrentVersionOfAProductThatExists() {
    String admin = adminToken();
    String id = aProduct("STAR");
    String edit = "{\"name\":\"Overwritten\"}";

    HttpResponse<String> star =
        Http.send(
            "PATCH",
            api + "/v1/products/" + id,
            edit,
            "Authorization",
            "Bearer " + admin,
            "If-Match",
            "*");
    HttpResponse<String> stale =
        Http.send(
            "PATCH",
            api + "/v1/products/" + id,
            edit,
            "Authorization",
            "Bearer " + admin,
            "If-Match",
            "\"1\"");
    HttpResponse<String> missing =
        Http.send(
            "PATCH",
            api + "/v1/products/" + UUID.randomUUID(),
            edit,
            "Authorization",
            "Bearer " + admin,
            "If-Match",
            "*");

    assertThat(star.statusCode()).as(star.body()).isEqualTo(200);
    assertThat(star.headers().firstValue("ETag")).contains("\"2\"");
    assertThat(new JsonObject(star.body()).getString("name")).isEqualTo("Overwritten");
    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(missing.statusCode()).isEqualTo(404);
  }

  private static List<String> names(String encodedQuery) {
    HttpResponse<String> found = Http.get(api + "/v1/products?limit=100&q=" + encodedQuery);
    assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    return new JsonObject(found.body())
        .getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("name")).toList();
  }

  /**
   * A GET written by hand, for a target no HTTP client library will send: the whole answer as text.
   */
  private static String rawGet(String target) throws java.io.IOException {
    URI base = URI.create(api);
    try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + target
                      + " HTTP/1.1\r\nHost: "
                      + base.getHost()
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void assertProblem(HttpResponse<String> response, int status, String field) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(
            new JsonObject(response.body())
                .getJsonArray("errors").stream()
                    .map(e -> ((JsonObject) e).getString("field"))
                    .toList())
        .as(response.body())
        .contains(field);
  }

  /** Registers a new customer; returns the email, whose password is "correct horse battery". */
  private static String registerCustomer(String name) {
    String email = name + "-" + UUID.randomUUID() + "@example.com";
    HttpResponse<String> registered = post("/v1/users", registration(email));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    return email;
  }

  /** Creates a product of 10 units at 1.00 EUR as admin; returns its id. */
  private static String aProduct(String skuPrefix) {
    HttpResponse<String> created =
        Http.send(
            "POST",
            api + "/v1/products",
            newProduct(skuPrefix + "-" + shortId(), 100),
            "Authorization",
            "Bearer " + adminToken());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("id");
  }

  /** Waits until a wallet read through the gateway gets to payments (its breaker has closed). */
  private static void awaitWalletReachable() throws InterruptedException {
    String token = login(registerCustomer("probe"), "correct horse battery");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    HttpResponse<String> wallet = null;
    while (System.nanoTime() < deadline) {
      wallet = Http.get(api + "/v1/wallet", Map.of("Authorization", "Bearer " + token));
      if (wallet.statusCode() == 200) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("payments never reachable through the gateway; last: " + wallet);
  }

  private static HttpResponse<String> post(String path, String body) {
    return Http.send("POST", api + path, body);
  }

  private static String registration(String email) {
    return new JsonObject()
        .put("email", email)
        .put("displayName", "Test User")
        .put("password", "correct horse battery")
        .encode();
  }

  private static String newProduct(String sku, long price) {
    return new JsonObject()
        .put("sku", sku)
        .put("name", "Test " + sku)
        .put("description", "made by a test")
        .put("priceMinor", price)
        .put("currency", "EUR")
        .put("available", 10)
        .encode();
  }

  private static String login(String email, String password) {
    HttpResponse<String> token =
        post(
            "/v1/auth/token",
            new JsonObject().put("email", email).put("password", password).encode());
    assertThat(token.statusCode()).as("login of %s: %s", email, token.body()).isEqualTo(200);
    JsonObject body = new JsonObject(token.body());
    assertThat(body.getString("tokenType")).isEqualTo("Bearer");
    return body.getString("accessToken");
  }

  /** One login for the whole class: a token lasts longer than the class runs. */
  private static String adminToken() {
    if (adminToken == null) {
      adminToken = login("admin@microshop.local", adminPassword());
    }
    return adminToken;
  }

  private static String adminPassword() {
    String password;
    try {
      password =
          Files.readString(SharedDatabase.dataDir().resolve("secrets").resolve("admin-password"))
              .trim();
    } catch (java.io.IOException e) {
      throw new AssertionError("dev mode should have generated the admin password", e);
    }
    return password;
  }

  private static JsonObject header(String token) {
    return new JsonObject(
        new String(
            java.util.Base64.getUrlDecoder().decode(token.split("\\.")[0]),
            StandardCharsets.UTF_8));
  }

  private static JsonObject without(JsonObject json, String key) {
    JsonObject copy = json.copy();
    copy.remove(key);
    return copy;
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
