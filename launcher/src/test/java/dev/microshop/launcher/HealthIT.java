package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.launcher.support.Http;
import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.TestEnv;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management endpoint of a real service JVM, with its own PostgreSQL that the test stops and
 * restarts.
 */
class HealthIT {
  @TempDir Path dataDir;

  @Test
  void readinessTurns503WhenTheDatabaseStopsAnd200WhenItReturns() throws Exception {
    EmbeddedDatabase db = EmbeddedDatabase.start(dataDir, false, Services.WITH_DATABASE);
    try (ServiceProcess orders = ServiceProcess.start(TestEnv.in(dataDir).env(), "orders")) {
      orders.awaitReady(Duration.ofSeconds(90));
      String ready = orders.managementUrl() + "/health/ready";
      HttpResponse<String> up = Http.awaitStatus(ready, 200, Duration.ofSeconds(10));
      assertThat(new JsonObject(up.body()).getString("outcome")).isEqualTo("UP");

      db.close();
      HttpResponse<String> down = Http.awaitStatus(ready, 503, Duration.ofSeconds(15));
      JsonObject body = new JsonObject(down.body());
      assertThat(body.getString("outcome")).isEqualTo("DOWN");
      assertThat(check(body, "orders.database").getString("status")).isEqualTo("DOWN");
      assertThat(check(body, "cluster").getString("status")).isEqualTo("UP");
      assertThat(Http.get(orders.managementUrl() + "/health/live").statusCode()).isEqualTo(200);

      db = EmbeddedDatabase.start(dataDir, false, Services.WITH_DATABASE);
      HttpResponse<String> back = Http.awaitStatus(ready, 200, Duration.ofSeconds(20));
      assertThat(check(new JsonObject(back.body()), "orders.database").getString("status"))
          .isEqualTo("UP");
    } finally {
      db.close();
    }
  }

  @Test
  @SuppressWarnings("try") // the database only has to run while the test does
  void metricsArePrometheusTextWithJvmHttpEventBusAndPoolSeries() throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir, false, Services.WITH_DATABASE);
        ServiceProcess orders = ServiceProcess.start(TestEnv.in(dataDir).env(), "orders")) {
      orders.awaitReady(Duration.ofSeconds(90));
      Http.awaitStatus(orders.managementUrl() + "/health/ready", 200, Duration.ofSeconds(10));
      HttpResponse<String> metrics = Http.get(orders.managementUrl() + "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      assertThat(metrics.body())
          .contains(
              "jvm_memory_used_bytes",
              "vertx_http_server_requests_total",
              "vertx_pool_in_use",
              "pool_type=\"sql\"",
              // one consumer per address per JVM, each its own series
              "vertx_eventbus_handlers{address=\"" + OrdersApi.PLACE + "\"} 1.0",
              "vertx_eventbus_handlers{address=\"" + OrdersApi.CANCEL + "\"} 1.0");
    }
  }

  private static JsonObject check(JsonObject health, String id) {
    return health.getJsonArray("checks").stream()
        .map(JsonObject.class::cast)
        .filter(c -> id.equals(c.getString("id")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no check " + id + " in " + health));
  }
}
