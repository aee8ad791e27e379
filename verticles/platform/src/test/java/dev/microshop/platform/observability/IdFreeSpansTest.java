package dev.microshop.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class IdFreeSpansTest {
  private static final String ID = UUID.randomUUID().toString();

  @Test
  void spansLeaveNamedByTheirOperationWithoutIdsInPathsOrAddresses() {
    List<SpanData> exported = new CopyOnWriteArrayList<>();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new IdFreeSpans(collect(exported))))
            .build();
    Tracer tracer = provider.get("test");

    tracer
        .spanBuilder("get")
        .setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", "GET")
        .setAttribute("url.path", "/v1/orders/" + ID)
        .setAttribute("http.url", "http://127.0.0.1:8080/v1/orders/" + ID + "?token=" + ID)
        .setAttribute("url.query", "q=ann@example.com&cursor=MjAyNi0xMi0wNw")
        .startSpan()
        .end();
    tracer
        .spanBuilder("publish")
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute("messaging.destination.name", "notifications.user." + ID + ".created")
        .startSpan()
        .end();
    tracer
        .spanBuilder("query")
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute("db.query.text", "SELECT id FROM orders WHERE id = $1")
        .startSpan()
        .end();
    provider.close();

    Map<String, SpanData> byName =
        exported.stream().collect(Collectors.toMap(SpanData::getName, span -> span));
    assertThat(byName)
        .containsOnlyKeys(
            "GET /v1/orders/{id}", "publish notifications.user.{id}.created", "query");
    SpanData get = byName.get("GET /v1/orders/{id}");
    assertThat(get.getAttributes().get(AttributeKey.stringKey("http.url")))
        .isEqualTo("http://127.0.0.1:8080/v1/orders/{id}");
    assertThat(byName.get("query").getAttributes().get(AttributeKey.stringKey("db.query.text")))
        .isEqualTo("SELECT id FROM orders WHERE id = $1");
    assertThat(get.getAttributes().get(AttributeKey.stringKey("url.query"))).isNull();
    assertThat(exported)
        .allSatisfy(
            span ->
                assertThat(span.getAttributes().toString())
                    .doesNotContain(ID)
                    .doesNotContain("ann@example.com"));
  }

  private static SpanExporter collect(List<SpanData> into) {
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        into.addAll(spans);
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }
}
