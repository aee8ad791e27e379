package dev.microshop.platform.observability;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each finished span as one log line, for setups without a collector (and for the trace
 * tests).
 */
final class LogSpanExporter implements SpanExporter {
  private static final Logger LOG = LoggerFactory.getLogger("microshop.spans");
  private final String service;

  LogSpanExporter(String service) {
    this.service = service;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    for (SpanData span : spans) {
      LOG.info(
          "span service={} name=\"{}\" kind={} trace_id={} span_id={} parent_id={} duration_us={}",
          service,
          span.getName(),
          span.getKind(),
          span.getTraceId(),
          span.getSpanId(),
          span.getParentSpanId(),
          (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1000);
    }
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
}
