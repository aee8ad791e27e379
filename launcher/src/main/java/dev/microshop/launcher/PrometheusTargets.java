package dev.microshop.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus {@code file_sd} targets of the JVMs {@code up} runs, in {@code
 * <dataDir>/prometheus/targets.json}: one group per live instance, with its management address and
 * the labels {@code service}, {@code instance_id} (its node id) and {@code pid}. Rewritten whole,
 * through a temporary file and a rename, so Prometheus never reads half a file.
 */
final class PrometheusTargets {
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusTargets.class);

  private final Path file;
  private final Map<String, JsonObject> groups = new LinkedHashMap<>();

  PrometheusTargets(Path dataDir) {
    this.file = dataDir.resolve("prometheus").resolve("targets.json");
  }

  Path file() {
    return file;
  }

  /**
   * Empties the file: what a previous up left (killed, say) names JVMs that are gone, whose ports
   * may now belong to something else.
   */
  synchronized void reset() {
    groups.clear();
    write();
  }

  /** Adds (or replaces) {@code service}'s instance, from the ready line it printed. */
  synchronized void ready(String service, JsonObject readyLine) {
    URI management = URI.create(readyLine.getString("management"));
    JsonObject labels =
        new JsonObject()
            .put("service", service)
            .put("instance_id", readyLine.getString("nodeId"))
            .put("pid", String.valueOf(readyLine.getLong("pid")));
    groups.put(
        service,
        new JsonObject()
            .put("targets", new JsonArray().add(management.getHost() + ":" + management.getPort()))
            .put("labels", labels));
    write();
  }

  /**
   * Drops {@code service}'s instance when it is the one of process {@code pid}; a restart's
   * instance is added when it is ready.
   */
  synchronized void exited(String service, long pid) {
    JsonObject group = groups.get(service);
    if (group != null
        && group.getJsonObject("labels").getString("pid").equals(Long.toString(pid))) {
      groups.remove(service);
      write();
    }
  }

  private void write() {
    JsonArray all = new JsonArray();
    groups.values().forEach(all::add);
    try {
      Files.createDirectories(file.getParent());
      Path temp = Files.createTempFile(file.getParent(), "targets", ".tmp");
      try {
        Files.writeString(temp, all.encodePrettily() + "\n");
        // No secret here, and Prometheus usually runs as a user of its own.
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      // Monitoring losing sight of a JVM is no reason to stop the JVMs.
      LOG.warn("cannot write the Prometheus targets {}: {}", file, e.toString());
    }
  }
}
