package dev.microshop.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.microshop.platform.config.Settings;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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

  /** Zipkin gets JSON v2 spans from the JDK sender, named by the service. */
  @Test
  void zipkinExportPostsJsonV2SpansNamedByTheService() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    StringBuilder body = new StringBuilder();
    HttpServer zipkin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    zipkin.createContext(
        "/api/v2/spans",
        exchange -> {
          synchronized (body) {
            body.append(new String(exchange.getRequestBody().readAllBytes()));
          }
          exchange.sendResponseHeaders(202, -1);
          exchange.close();
          received.countDown();
        });
    zipkin.start();
    JsonObject config =
        new JsonObject()
            .put("version", "test")
            .put(
                "tracing",
                new JsonObject()
                    .put("exporter", "zipkin")
                    .put("sampleRatio", 1.0)
                    .put(
                        "zipkinEndpoint",
                        "http://127.0.0.1:" + zipkin.getAddress().getPort() + "/api/v2/spans"));
    OpenTelemetrySdk sdk = Tracing.create("orders", config);
    try {
      sdk.getTracer("test").spanBuilder("probe").startSpan().end();
      sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
      assertThat(received.await(10, TimeUnit.SECONDS)).as("spans arrived at Zipkin").isTrue();
      JsonObject span;
      synchronized (body) {
        span = new JsonArray(body.toString()).getJsonObject(0);
      }
      assertThat(span.getString("name")).isEqualTo("probe");
      assertThat(span.getJsonObject("localEndpoint").getString("serviceName")).isEqualTo("orders");
    } finally {
      sdk.close();
      zipkin.stop(0);
    }
  }

  @Test
  void nothingIsRecordedWithoutAnExporterEverythingInDevElseTheRatioWhereATraceStarts() {
    JsonObject none = new JsonObject().put("tracing", new JsonObject().put("exporter", "none"));
    JsonObject sampled =
        new JsonObject()
            .put("service", "orders")
            .put("tracing", new JsonObject().put("exporter", "zipkin").put("sampleRatio", 0.25));
    JsonObject dev = Settings.devMode(sampled.copy(), Map.of());
    JsonObject devGivenARatio =
        Settings.devMode(sampled.copy(), Map.of("MICROSHOP_TRACING_SAMPLE_RATIO", "0.25"));

    assertThat(Tracing.sampler(none).getDescription()).isEqualTo("AlwaysOffSampler");
    assertThat(Tracing.sampler(sampled).getDescription())
        .startsWith("ParentBased{root:TraceIdRatioBased{0.250000}");
    assertThat(Tracing.sampler(dev).getDescription())
        .startsWith("ParentBased{root:TraceIdRatioBased{1.000000}");
    assertThat(Tracing.sampler(devGivenARatio).getDescription())
        .as("a ratio the environment gives wins in dev mode too")
        .startsWith("ParentBased{root:TraceIdRatioBased{0.250000}");
  }

  /** exporter=log: one line per span, with the ids that tie it to its trace and its parent. */
  @Test
  void theLogExporterWritesOneLinePerSpanWithItsTraceAndParent() {
    List<String> lines = new CopyOnWriteArrayList<>();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new LogSpanExporter("users", lines::add)))
            .build();
    try {
      Tracer tracer = provider.get("test");
      Span parent = tracer.spanBuilder("parent").setSpanKind(SpanKind.SERVER).startSpan();
      Span child =
          tracer
              .spanBuilder("child")
              .setSpanKind(SpanKind.CLIENT)
              .setParent(Context.root().with(parent))
              .startSpan();
      child.end();
      parent.end();

      assertThat(lines).hasSize(2);
      assertThat(lines.get(0))
          .startsWith("span service=users name=\"child\" kind=CLIENT trace_id=")
          .contains("trace_id=" + parent.getSpanContext().getTraceId())
          .contains("parent_id=" + parent.getSpanContext().getSpanId());
      assertThat(lines.get(1)).contains("name=\"parent\" kind=SERVER");
    } finally {
      provider.close();
    }
  }
}
