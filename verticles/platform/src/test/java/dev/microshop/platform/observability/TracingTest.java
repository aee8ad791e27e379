package dev.microshop.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TracingTest {

  /** The OTLP exporter sends through the JDK's HTTP client (OkHttp is excluded from the build). */
  @Test
  void otlpExportReachesACollectorOverTheJdkSender() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/v1/traces",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
          if (body.length > 0) {
            received.countDown();
          }
        });
    collector.start();
    JsonObject config =
        new JsonObject()
            .put("version", "test")
            .put(
                "tracing",
                new JsonObject()
                    .put("exporter", "otlp")
                    .put(
                        "otlpEndpoint",
                        "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces"));
    OpenTelemetrySdk sdk = Tracing.create("tracing-test", config);
    try {
      Span span = sdk.getTracer("test").spanBuilder("probe").startSpan();
      span.end();
      sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
      assertThat(received.await(10, TimeUnit.SECONDS))
          .as("a span arrived at the collector")
          .isTrue();
    } finally {
      sdk.close();
      collector.stop(0);
    }
  }
}
