package dev.microshop.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;

/** The text an outbox row keeps of its writer's span, and the parent the relay makes of it. */
class TraceParentsTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  @Test
  void outsideAnyTraceThereIsNothingToKeep() {
    assertThat(TraceParents.current()).isNull();
  }

  @Test
  void theCurrentSpanIsKeptAsAW3cTraceparentWithItsSampledFlag() {
    SpanContext writer =
        SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
    Scope scope = Span.wrap(writer).makeCurrent();
    try {
      assertThat(TraceParents.current()).isEqualTo("00-" + TRACE + "-" + SPAN + "-01");
    } finally {
      scope.close();
    }
  }

  @Test
  void aKeptTraceparentBecomesTheRemoteParentOfWhatTheRelayDoes() {
    SpanContext parent =
        Span.fromContext(TraceParents.restore("00-" + TRACE + "-" + SPAN + "-01")).getSpanContext();

    assertThat(parent.getTraceId()).isEqualTo(TRACE);
    assertThat(parent.getSpanId()).isEqualTo(SPAN);
    assertThat(parent.isSampled()).isTrue();
    assertThat(parent.isRemote()).isTrue();
  }

  @Test
  void onlyASampledWritersTraceIsContinuedByTheRelay() {
    assertThat(
            Span.fromContext(TraceParents.restoreSampled("00-" + TRACE + "-" + SPAN + "-01"))
                .getSpanContext()
                .getTraceId())
        .isEqualTo(TRACE);
    assertThat(TraceParents.restoreSampled("00-" + TRACE + "-" + SPAN + "-00"))
        .isSameAs(Context.root());
  }

  @Test
  void noneOrAMalformedOneStartsNoTraceAndFailsNothing() {
    assertThat(TraceParents.restore(null)).isSameAs(Context.root());
    assertThat(TraceParents.restore(" ")).isSameAs(Context.root());
    assertThat(
            Span.fromContext(TraceParents.restore("00-not-a-trace-01")).getSpanContext().isValid())
        .isFalse();
  }
}
