package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.platform.Settings;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/** The text of {@code --help}: commands, then every setting with its default and environment variable. */
final class Help {
  private Help() {}

  static String text() {
    StringBuilder out = new StringBuilder("""
        microshop: a microservices e-commerce backend on Vert.x 5.

        Usage: java -jar launcher.jar <command>

        Commands:
          up                  Run the whole system locally: an embedded PostgreSQL (data in ./.microshop),
                              then one JVM per service, all in one Hazelcast cluster. Ctrl-C stops it all.
          all                 Run every service in this one JVM: the modular monolith, no cluster.
          <service> [...]     Run these services in this JVM and join the cluster, e.g. 'orders' to add
                              one more orders instance to a running 'up'. Services:
                              %s
          --help              This text.

        Settings come from config/common.json, then config/<service>.json, then the environment.
        Key a.bC of service s is overridden by MICROSHOP_S_A_B_C, else MICROSHOP_A_B_C. Lists are
        comma-separated. A bad value, or a MICROSHOP_ variable that names no setting, stops the JVM with
        exit code 2. Other environment variables:
          MICROSHOP_CONFIG_DIR   directory holding common.json and <service>.json (default ./config,
                                 else the copy inside this jar)

        With no db.host, a service uses the embedded PostgreSQL in dataDir (started if not running).

        Settings (default):
        """.formatted(String.join(", ", Services.ALL)));
    Map<String, Object> keys = new TreeMap<>();
    for (String service : Services.ALL) {
      Settings.flatten(Settings.load(service, Map.of())).forEach((k, v) -> {
        if (!k.equals("service")) {
          keys.putIfAbsent(k, v);
        }
      });
    }
    keys.forEach((key, value) -> out.append(String.format("  %-26s %-30s %s%n", key,
        Settings.envName(null, key), value instanceof JsonObject ? "" : value)));
    return out.toString();
  }
}
