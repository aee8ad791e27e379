package dev.microshop.launcher;

import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.platform.service.Node;
import io.vertx.core.json.JsonObject;

/**
 * What a JVM run by hand ({@code all}, or {@code orders} beside a running {@code up}) tells its
 * user once it is ready: the same facts {@code up}'s table gives, instead of the machine-readable
 * ready line alone.
 */
final class Banner {
  private Banner() {}

  static void print(String name, long startedNanos, Node node, EmbeddedDatabase db) {
    JsonObject ready = node.ready();
    StringBuilder out =
        new StringBuilder(
            String.format(
                "%nmicroshop: %s is up in %.1f s (pid %d)%n",
                name, (System.nanoTime() - startedNanos) / 1e9, ready.getLong("pid")));
    out.append(
        String.format(
            "  management: %s (/health/ready, /metrics)%n", ready.getString("management")));
    if (db != null) {
      out.append(
          String.format(
              "  database:   embedded PostgreSQL on %s:%d%s%n",
              db.host(), db.port(), db.owned() ? " (started by this JVM)" : ""));
    }
    String gateway = ready.getJsonObject("endpoints", new JsonObject()).getString("gateway");
    if (gateway != null) {
      out.append(String.format("  gateway:    %s   try: curl %s/v1/status%n", gateway, gateway));
    }
    out.append("  Ctrl-C stops it.\n");
    System.out.print(out);
    System.out.flush();
  }
}
