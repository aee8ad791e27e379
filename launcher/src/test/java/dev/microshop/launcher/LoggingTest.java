package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The log format each mode gets, and what the bundled logback.xml then prints. */
class LoggingTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream console;

  @BeforeEach
  void captureTheConsole() {
    console = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreTheConsoleAndTheTextFormat() {
    System.setOut(console);
    Logging.init(config("", true)); // as the other tests of this JVM found it
  }

  @Test
  void theDefaultIsJsonOutsideDevModeAndTextInIt() {
    assertThat(Logging.format(config("", false))).isEqualTo("json");
    assertThat(Logging.format(config("", true))).isEqualTo("text");
  }

  @Test
  void anExplicitFormatWinsInEitherMode() {
    assertThat(Logging.format(config("text", false))).isEqualTo("text");
    assertThat(Logging.format(config("json", true))).isEqualTo("json");
  }

  @Test
  void outsideDevModeEachLineIsJsonCarryingTheCurrentTraceAndSpanIds() {
    Logging.init(config("", false));
    Logger log = LoggerFactory.getLogger("dev.microshop.orders.Test");

    Scope scope = span().makeCurrent();
    try {
      log.info("order {} placed", "o-1");
    } finally {
      scope.close();
    }
    log.info("no request in progress");

    List<JsonObject> lines = captured().lines().map(JsonObject::new).toList();
    assertThat(lines).hasSize(2);
    JsonObject traced = lines.get(0);
    assertThat(traced.getString("message")).isEqualTo("order o-1 placed");
    assertThat(traced.getString("level")).isEqualTo("INFO");
    assertThat(traced.getString("logger_name")).isEqualTo("dev.microshop.orders.Test");
    assertThat(traced.getString("trace_id")).isEqualTo(TRACE_ID);
    assertThat(traced.getString("span_id")).isEqualTo(SPAN_ID);
    assertThat(lines.get(1).containsKey("trace_id")).as("a line outside any span").isFalse();
  }

  @Test
  void inDevModeEachLineIsTextCarryingTheIds() {
    Logging.init(config("", true));

    Scope scope = span().makeCurrent();
    try {
      LoggerFactory.getLogger("dev.microshop.orders.Test").info("order {} placed", "o-1");
    } finally {
      scope.close();
    }

    String line = captured().strip();
    assertThat(line).doesNotStartWith("{");
    assertThat(line)
        .contains(" INFO ")
        .contains("trace_id=" + TRACE_ID + " span_id=" + SPAN_ID)
        .endsWith("- order o-1 placed");
  }

  private String captured() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static Span span() {
    return Span.wrap(
        SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault()));
  }

  private static JsonObject config(String format, boolean dev) {
    return new JsonObject()
        .put("dev", dev)
        .put("log", new JsonObject().put("format", format).put("level", "INFO"));
  }
}
