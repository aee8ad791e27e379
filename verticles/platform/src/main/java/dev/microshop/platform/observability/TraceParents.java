package dev.microshop.platform.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;

/**
 * A span's place in its trace as text (the W3C {@code traceparent}), for what crosses a database
 * row rather than a request: the outbox keeps the writer's, and its relay delivers the message as a
 * child of it. The sampled flag travels with it, so the relay's spans are recorded exactly when the
 * writer's were (parent-based sampling).
 */
public final class TraceParents {
  private static final String HEADER = "traceparent";
  private static final TextMapGetter<String> ONE_HEADER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
          return List.of(HEADER);
        }

        @Override
        public String get(String carrier, String key) {
          return HEADER.equals(key) ? carrier : null;
        }
      };

  private TraceParents() {}

  /** The traceparent of the span current on this thread, or null outside any trace. */
  public static String current() {
    SpanContext span = Span.current().getSpanContext();
    if (!span.isValid()) {
      return null;
    }
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
  }

  /**
   * The trace id of the span current on this thread when it is recorded, else null: what a row may
   * keep to link to its trace (an unsampled id would link to nothing).
   */
  public static String sampledTraceId() {
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() && span.isSampled() ? span.getTraceId() : null;
  }

  /**
   * As {@link #restore}, but the root context when the writer's span was not sampled: nothing of
   * that trace is recorded anyway, and a parent would make every hop create (unrecorded) spans for
   * the event bus and each SQL statement, which cost orders about 30 % of their throughput with
   * tracing off (docs/benchmarks.md).
   */
  public static Context restoreSampled(String traceparent) {
    Context parent = restore(traceparent);
    return Span.fromContext(parent).getSpanContext().isSampled() ? parent : Context.root();
  }

  /**
   * A context whose parent is the span {@code traceparent} names (remote), or the root context when
   * it is null or malformed: a bad value costs the message its trace, never its delivery.
   */
  public static Context restore(String traceparent) {
    if (traceparent == null || traceparent.isBlank()) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, ONE_HEADER);
  }
}
