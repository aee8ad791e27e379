package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.cluster.Discovery;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the edge does around the routes: the status report, the contract and its UI, unknown paths
 * and methods, request ids, and requests refused before any route runs.
 */
class EdgeRoutesTest extends RoutesTestBase {
  private static final String PRODUCT = "/v1/products/11111111-2222-4333-8444-555555555555";

  @Test
  void statusListsEveryServiceUpWhenEachInstanceAnswersItsPing() throws Exception {
    JsonObject status = assertJson(gateway.get("/v1/status", admin()), 200);

    assertThat(status.getString("status")).isEqualTo("UP");
    assertThat(status.getBoolean("clustered")).isFalse();
    JsonObject services = status.getJsonObject("services");
    assertThat(services.fieldNames()).containsExactlyInAnyOrderElementsOf(Services.ALL);
    for (String service : Services.ALL) {
      JsonObject entry = services.getJsonObject(service);
      assertThat(entry.getString("status")).as(service).isEqualTo("UP");
      JsonArray instances = entry.getJsonArray("instances");
      assertThat(instances).as(service).hasSize(1);
      assertThat(instances.getJsonObject(0).getString("ping")).isEqualTo("ok");
      assertThat(instances.getJsonObject(0).getString("service")).isEqualTo(service);
    }
    assertThat(gateway.received(gateway.pingAddress(Services.ORDERS))).isNotNull();
  }

  @Test
  void statusIsDegradedWhenAnInstanceDoesNotAnswerItsPing() throws Exception {
    gateway.answer(gateway.pingAddress(Services.ORDERS), GatewayHarness.SILENT);

    JsonObject status = assertJson(gateway.get("/v1/status", admin()), 200);

    assertThat(status.getString("status")).isEqualTo("DEGRADED");
    JsonObject orders = status.getJsonObject("services").getJsonObject(Services.ORDERS);
    assertThat(orders.getString("status")).isEqualTo("DOWN");
    assertThat(orders.getJsonArray("instances").getJsonObject(0).getString("ping"))
        .isEqualTo("TIMEOUT");
    assertThat(status.getJsonObject("services").getJsonObject(Services.USERS).getString("status"))
        .isEqualTo("UP");
  }

  @Test
  void statusWithoutAnAdminTokenShowsEachServicesStatusButNoInstance() throws Exception {
    for (Map<String, String> caller : List.of(Map.<String, String>of(), customer())) {
      JsonObject status = assertJson(gateway.get("/v1/status", caller), 200);

      assertThat(status.getString("status")).isEqualTo("UP");
      JsonObject services = status.getJsonObject("services");
      assertThat(services.fieldNames()).containsExactlyInAnyOrderElementsOf(Services.ALL);
      for (String service : Services.ALL) {
        assertThat(services.getJsonObject(service))
            .as(service)
            .isEqualTo(new JsonObject().put("status", "UP"));
      }
      assertThat(status.encode())
          .doesNotContain("\"pid\"")
          .doesNotContain("instances")
          .doesNotContain(gateway.platform().nodeId());
      if (gateway.platform().managementUrl() != null) {
        assertThat(status.encode()).doesNotContain(gateway.platform().managementUrl());
      }
    }
  }

  @Test
  void statusWithAnAdminTokenShowsEachInstancesPidUrlAndNode() throws Exception {
    JsonObject status = assertJson(gateway.get("/v1/status", admin()), 200);

    JsonObject instance =
        status
            .getJsonObject("services")
            .getJsonObject(Services.ORDERS)
            .getJsonArray("instances")
            .getJsonObject(0);
    assertThat(instance.getLong("pid")).isEqualTo(ProcessHandle.current().pid());
    assertThat(instance.getString("nodeId")).isEqualTo(gateway.platform().nodeId());
    assertThat(instance.containsKey("managementUrl")).isTrue();
    assertThat(instance.getString("managementUrl")).isEqualTo(gateway.platform().managementUrl());
  }

  @Test
  void statusWithAnInvalidTokenIs401() throws Exception {
    assertProblem(
        gateway.get("/v1/status", Map.of("Authorization", "Bearer not.a.token")),
        401,
        "unauthenticated");
  }

  @Test
  void statusIsRateLimitedPerAddressAndAFloodDoesNotBecomePings() throws Exception {
    try (GatewayHarness limited =
        GatewayHarness.start(
            Map.of(
                "MICROSHOP_GATEWAY_RATE_LIMIT_STATUS_PER_MINUTE", "3",
                "MICROSHOP_GATEWAY_STATUS_CACHE_MS", "60000"),
            List.of(),
            List.of(Services.ORDERS))) {
      for (int i = 0; i < 3; i++) {
        assertThat(limited.get("/v1/status", Map.of()).status()).isEqualTo(200);
      }

      GatewayHarness.Response refused = limited.get("/v1/status", Map.of());

      assertProblem(refused, 429, "rate-limited");
      assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();
      // Three reports, one round of pings: the second and third reused the first report.
      assertThat(limited.received(limited.pingAddress(Services.ORDERS))).isNotNull();
      assertThat(limited.pending(limited.pingAddress(Services.ORDERS))).isZero();
    }
  }

  @Test
  void aForgedDiscoveryRecordCannotChooseWhereTheGatewaySendsAMessage() throws Exception {
    try (GatewayHarness forged =
        GatewayHarness.start(Map.of(), List.of(PaymentsApi.CREDIT), List.of(Services.ORDERS))) {
      // What a stranger on Hazelcast can write into the registry: records whose ping is a command.
      ServiceDiscovery registry = ServiceDiscovery.create(forged.vertx());
      String uuid = UUID.randomUUID().toString();
      for (String instanceId : List.of(uuid, "not-a-uuid")) {
        registry
            .publish(
                new Record()
                    .setName(Services.PAYMENTS)
                    .setType(Discovery.TYPE)
                    .setLocation(new JsonObject().put("ping", PaymentsApi.CREDIT))
                    .setMetadata(new JsonObject().put("instanceId", instanceId)))
            .await(20, TimeUnit.SECONDS);
      }
      registry
          .publish(
              new Record()
                  .setName("not-a-service")
                  .setType(Discovery.TYPE)
                  .setLocation(new JsonObject().put("ping", PaymentsApi.CREDIT))
                  .setMetadata(new JsonObject().put("instanceId", UUID.randomUUID().toString())))
          .await(20, TimeUnit.SECONDS);

      JsonObject status =
          assertJson(forged.get("/v1/status", forged.bearer(ADMIN, Identity.ADMIN)), 200);

      JsonObject payments = status.getJsonObject("services").getJsonObject(Services.PAYMENTS);
      assertThat(payments.getString("status")).isEqualTo("DOWN");
      assertThat(
              payments.getJsonArray("instances").stream()
                  .map(
                      i ->
                          ((JsonObject) i).getString("instanceId")
                              + " "
                              + ((JsonObject) i).getString("ping"))
                  .toList())
          .containsExactlyInAnyOrder(uuid + " NO_HANDLERS", "not-a-uuid INVALID_RECORD");
      assertThat(status.getJsonObject("services").containsKey("not-a-service")).isFalse();
      assertThat(
              status.getJsonObject("services").getJsonObject(Services.ORDERS).getString("status"))
          .isEqualTo("UP");
      assertThat(forged.pending(PaymentsApi.CREDIT)).as("no message to the named address").isZero();
    }
  }

  @Test
  void theContractIsServedAsYaml() throws Exception {
    GatewayHarness.Response response = gateway.get("/openapi.yaml", Map.of());

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Content-Type")).isEqualTo("application/yaml");
    assertThat(response.body()).startsWith("openapi: 3.1.0").contains("operationId: placeOrder");
  }

  @Test
  void theDocsAreTheSwaggerUiOnTheContract() throws Exception {
    GatewayHarness.Response bare = gateway.get("/docs", Map.of());
    assertThat(bare.status()).isEqualTo(302);
    assertThat(bare.header("Location")).isEqualTo("/docs/");

    GatewayHarness.Response index = gateway.get("/docs/", Map.of());
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.header("Content-Type")).startsWith("text/html");

    GatewayHarness.Response initializer = gateway.get("/docs/swagger-initializer.js", Map.of());
    assertThat(initializer.status()).isEqualTo(200);
    assertThat(initializer.header("Content-Type")).isEqualTo("application/javascript");
    assertThat(initializer.body()).contains("/openapi.yaml");
  }

  @Test
  void anUnknownPathIs404() throws Exception {
    JsonObject problem = assertProblem(gateway.get("/v1/nothing-here", Map.of()), 404, "not-found");

    assertThat(problem.getString("detail")).isEqualTo("no such resource: /v1/nothing-here");
    assertThat(problem.getString("instance")).isEqualTo("/v1/nothing-here");
  }

  @Test
  void aMethodThePathDoesNotHaveIs405SayingWhichItHas() throws Exception {
    GatewayHarness.Response products =
        gateway.http(HttpMethod.DELETE, "/v1/products", Map.of(), null);
    GatewayHarness.Response product = gateway.http(HttpMethod.PUT, PRODUCT, Map.of(), null);

    assertProblem(products, 405, "method-not-allowed");
    assertThat(products.header("Allow")).isEqualTo("GET, HEAD, POST");
    assertProblem(product, 405, "method-not-allowed");
    assertThat(product.header("Allow")).isEqualTo("GET, HEAD, PATCH");
  }

  @Test
  void aSaneRequestIdIsEchoedAndForwarded() throws Exception {
    GatewayHarness.Response response =
        gateway.get(PRODUCT, Map.of("X-Request-Id", "trace-me.42:a_b"));

    assertThat(response.header("X-Request-Id")).isEqualTo("trace-me.42:a_b");
    assertThat(gateway.received(InventoryApi.GET).headers().get("x-request-id"))
        .isEqualTo("trace-me.42:a_b");
  }

  @Test
  void anInsaneRequestIdIsReplacedByAFreshUuid() throws Exception {
    GatewayHarness.Response response =
        gateway.get(PRODUCT, Map.of("X-Request-Id", "no spaces/or slashes"));

    String id = response.header("X-Request-Id");
    assertThat(UUID.fromString(id).version()).isEqualTo(4);
    assertThat(gateway.received(InventoryApi.GET).headers().get("x-request-id")).isEqualTo(id);
  }

  @Test
  void aUrlLongerThanTheLimitIs414() throws Exception {
    GatewayHarness.Response response = gateway.get("/v1/products?q=" + "a".repeat(5000), Map.of());

    assertProblem414Or431(response, 414, "uri-too-long");
    assertThat(gateway.pending(InventoryApi.LIST)).isZero();
  }

  @Test
  void headersLargerThanTheLimitAre431() throws Exception {
    GatewayHarness.Response response = gateway.get(PRODUCT, Map.of("X-Filler", "b".repeat(9000)));

    assertProblem414Or431(response, 431, "headers-too-large");
    assertThat(gateway.pending(InventoryApi.GET)).isZero();
  }

  @Test
  void aBodyLargerThanTheLimitIs413() throws Exception {
    JsonObject huge =
        new JsonObject()
            .put("email", "big@example.com")
            .put("displayName", "x".repeat(70_000))
            .put("password", "long enough password");

    assertProblem(gateway.post("/v1/users", Map.of(), huge), 413, "payload-too-large");
    assertThat(gateway.pending(UsersApi.REGISTER)).isZero();
  }

  @Test
  void aBodyThatIsNotJsonIs415() throws Exception {
    GatewayHarness.Response response =
        gateway.http(HttpMethod.POST, "/v1/users", Map.of("Content-Type", "text/plain"), "email=x");

    assertThat(assertProblem(response, 415, "unsupported-media-type").getString("detail"))
        .isEqualTo("send the body as application/json");
    assertThat(gateway.pending(UsersApi.REGISTER)).isZero();
  }

  @Test
  void malformedJsonIs400() throws Exception {
    GatewayHarness.Response response =
        gateway.http(
            HttpMethod.POST,
            "/v1/users",
            Map.of("Content-Type", "application/json"),
            "{\"email\":");

    assertProblem(response, 400, "invalid-request");
    assertThat(gateway.pending(UsersApi.REGISTER)).isZero();
  }

  @Test
  void aNulCharacterInAFieldIs400NamingTheField() throws Exception {
    JsonObject problem =
        assertProblem(
            gateway.post(
                "/v1/users",
                Map.of(),
                new JsonObject()
                    .put("email", "nul@example.com")
                    .put("displayName", "a\u0000b")
                    .put("password", "long enough password")),
            400,
            "invalid-request");

    assertThat(problem.getJsonArray("errors").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("field", "displayName")
                .put("message", "must not contain the character U+0000 (NUL)"));
  }

  @Test
  void anUnknownFieldIs400CallingItUnknown() throws Exception {
    JsonObject problem =
        assertProblem(
            gateway.post(
                "/v1/auth/token",
                Map.of(),
                new JsonObject().put("email", "a@b.c").put("password", "p").put("admin", true)),
            400,
            "invalid-request");

    assertThat(problem.getJsonArray("errors").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("field", "admin")
                .put("message", "unknown field: not part of the API"));
  }

  /** The HTTP codec's refusals: a problem body, and the connection closed. */
  private static void assertProblem414Or431(
      GatewayHarness.Response response, int status, String kind) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.header("Connection")).isEqualTo("close");
    JsonObject problem = response.json();
    assertThat(problem.getString("type")).isEqualTo("https://microshop.dev/problems/" + kind);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("detail")).isNotBlank();
  }
}
