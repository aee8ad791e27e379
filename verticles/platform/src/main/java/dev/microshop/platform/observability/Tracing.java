package dev.microshop.platform.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.zipkin.ZipkinSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * The OpenTelemetry SDK of one JVM. Every request has a span context, so trace ids reach logs and
 * problem bodies and propagate over HTTP, the event bus and the outbox; {@code tracing.exporter}
 * decides where finished spans go: a Zipkin server ({@code zipkin}, what {@code up --tracing}
 * starts), an OTLP/HTTP collector ({@code otlp}: Jaeger, Tempo, an OpenTelemetry Collector), this
 * JVM's log ({@code log}), or nowhere ({@code none}). With nowhere to go, spans are not recorded at
 * all (sampled off): their ids still propagate, but the attributes, events and timings of the
 * dozens of spans an order makes cost nothing. Otherwise a trace is recorded with probability
 * {@code tracing.sampleRatio} where it starts (every trace in dev mode), and every span follows its
 * parent's decision, so a trace is recorded whole or not at all. Whatever the exporter, spans leave
 * named by their operation and without ids in paths or addresses ({@link IdFreeSpans}).
 */
public final class Tracing {
  private Tracing() {}

  public static OpenTelemetrySdk create(String serviceName, JsonObject config) {
    JsonObject tracing = config.getJsonObject("tracing");
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        serviceName,
                        AttributeKey.stringKey("service.version"),
                        config.getString("version"))));
    SdkTracerProviderBuilder provider =
        SdkTracerProvider.builder().setResource(resource).setSampler(sampler(config));
    switch (tracing.getString("exporter")) {
      case "otlp" ->
          provider.addSpanProcessor(
              BatchSpanProcessor.builder(
                      new IdFreeSpans(
                          OtlpHttpSpanExporter.builder()
                              .setEndpoint(tracing.getString("otlpEndpoint"))
                              .build()))
                  .build());
      case "zipkin" ->
          provider.addSpanProcessor(
              BatchSpanProcessor.builder(
                      new IdFreeSpans(
                          ZipkinSpanExporter.builder()
                              .setSender(
                                  new ZipkinSender(URI.create(tracing.getString("zipkinEndpoint"))))
                              .build()))
                  .build());
      case "log" ->
          provider.addSpanProcessor(
              SimpleSpanProcessor.create(new IdFreeSpans(new LogSpanExporter(serviceName))));
      default -> {}
    }
    return OpenTelemetrySdk.builder()
        .setTracerProvider(provider.build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  /**
   * Off with no exporter; else the configured ratio where a trace starts, parent-based (dev mode's
   * default ratio is 1: {@link dev.microshop.platform.config.Settings#devMode}).
   */
  static Sampler sampler(JsonObject config) {
    JsonObject tracing = config.getJsonObject("tracing");
    if ("none".equals(tracing.getString("exporter"))) {
      return Sampler.alwaysOff();
    }
    double ratio = tracing.getDouble("sampleRatio", 1.0);
    return Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
  }
}
