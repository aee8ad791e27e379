package dev.microshop.platform.observability;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each finished span as one log line, for setups without a collector (and for the trace
 * tests).
 */
final class LogSpanExporter implements SpanExporter {
  private static final Logger LOG = LoggerFactory.getLogger("microshop.spans");
  private final String service;
  private final Consumer<String> out;

  LogSpanExporter(String service) {
    this(service, LOG::info);
  }

  /** Writes each line to {@code out} instead of the log: for its test. */
  LogSpanExporter(String service, Consumer<String> out) {
    this.service = service;
    this.out = out;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    for (SpanData span : spans) {
      out.accept(
          String.format(
              "span service=%s name=\"%s\" kind=%s trace_id=%s span_id=%s parent_id=%s"
                  + " duration_us=%d",
              service,
              span.getName(),
              span.getKind(),
              span.getTraceId(),
              span.getSpanId(),
              span.getParentSpanId(),
              (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1000));
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
