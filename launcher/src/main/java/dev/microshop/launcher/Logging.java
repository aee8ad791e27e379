package dev.microshop.launcher;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import io.vertx.core.json.JsonObject;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Chooses the log format and level (logback reads them from properties), and applies them even when
 * a logger already exists.
 */
final class Logging {
  private Logging() {}

  /**
   * {@code log.format} when it is given; by default JSON lines (with trace_id and span_id) for a
   * log shipper, but text in dev mode, where a person reads the console of {@code up} or {@code
   * all}.
   */
  static String format(JsonObject config) {
    String format = config.getJsonObject("log").getString("format", "");
    if (!format.isEmpty()) {
      return format;
    }
    return config.getBoolean("dev", false) ? "text" : "json";
  }

  static void init(JsonObject config) {
    JsonObject log = config.getJsonObject("log");
    System.setProperty("microshop.log.format", format(config));
    System.setProperty("microshop.log.level", log.getString("level"));
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
    // Reading the settings may already have started logback with the defaults (a class with a
    // static logger, such as the outbox's, checks its settings): configure it again with these.
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.reset();
      try {
        new ContextInitializer(context).autoConfig();
      } catch (JoranException e) {
        throw new IllegalStateException("the bundled logback.xml does not load: " + e, e);
      }
    }
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
  }
}
