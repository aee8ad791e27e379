package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.service.ManagementPort;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The management port {@code up} gives each child: the service's configured one (its stable
 * default, or an override), checked before anything starts. A restarted child gets the same port
 * again, so its scrape target, and Prometheus' {@code instance} label, stay the same.
 */
final class ManagementPorts {
  private ManagementPorts() {}

  /**
   * Each service's port, in start order; fails with exit 2 when two services are given the same
   * port (one {@code MICROSHOP_MANAGEMENT_PORT} for all of them) or a port is taken. Port 0 (any
   * free port) is allowed for any number of them: up then learns the port from the child.
   */
  static Map<String, Integer> plan(Map<String, String> env) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    Map<Integer, String> owners = new LinkedHashMap<>();
    List<JsonObject> configs = new ArrayList<>();
    for (String service : Services.ALL) {
      JsonObject config = Settings.load(service, env);
      int port = ManagementPort.of(config);
      String other = port == 0 ? null : owners.putIfAbsent(port, service);
      if (other != null) {
        throw new ConfigException(
            ManagementPort.KEY,
            other
                + " and "
                + service
                + " are both given port "
                + port
                + " (a single "
                + Settings.envName(null, ManagementPort.KEY)
                + " sets every service's); give each its own with "
                + ManagementPort.variable(other)
                + " and "
                + ManagementPort.variable(service)
                + ", or 0 for any free port");
      }
      ports.put(service, port);
      configs.add(config);
    }
    configs.forEach(ManagementPort::requireFree);
    return ports;
  }
}
