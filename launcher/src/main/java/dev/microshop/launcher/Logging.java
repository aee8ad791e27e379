package dev.microshop.launcher;

import io.vertx.core.json.JsonObject;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Chooses the log format and level before the first logger exists (logback reads them from
 * properties).
 */
final class Logging {
  private Logging() {}

  static void init(JsonObject config) {
    JsonObject log = config.getJsonObject("log");
    System.setProperty("microshop.log.format", log.getString("format"));
    System.setProperty("microshop.log.level", log.getString("level"));
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
  }
}
