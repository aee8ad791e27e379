package dev.microshop.launcher;

import dev.microshop.platform.config.Settings;
import dev.microshop.platform.db.DbTls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code db-init} tells the operator last: whether it changed anything, then the exact
 * environment each service starts with against this server.
 */
final class DbInitSummary {
  private DbInitSummary() {}

  static String text(AdminUrl admin, DbTls tls, List<DbInit.Plan> plans, int changes) {
    StringBuilder out = new StringBuilder();
    out.append(
        changes == 0
            ? "microshop: nothing changed: every role and database was already as required\n"
            : String.format(
                "microshop: %d change%s made; running db-init again changes nothing%n",
                changes, changes == 1 ? "" : "s"));
    out.append(
        "\nStart each service with this environment (not MICROSHOP_DEV; the cluster settings as"
            + " usual):\n");
    out.append(
        String.format("  %-14s %s%n", "every service", String.join(" ", shared(admin, tls))));
    for (DbInit.Plan plan : plans) {
      out.append(String.format("  %-14s %s%n", plan.service(), String.join(" ", own(plan))));
    }
    out.append(
        "Each password file is its service's secret: copy it only to the hosts of that service.\n");
    return out.toString();
  }

  /** The same for every service: where the server is and how to trust it. */
  static List<String> shared(AdminUrl admin, DbTls tls) {
    List<String> vars = new ArrayList<>();
    vars.add(Settings.envName(null, "db.host") + "=" + admin.host());
    vars.add(Settings.envName(null, "db.port") + "=" + admin.port());
    if (tls.enabled()) {
      vars.add(Settings.envName(null, "db.sslMode") + "=" + tls.mode());
    }
    if (!tls.caFile().isBlank()) {
      vars.add(
          Settings.envName(null, "db.sslCaFile")
              + "="
              + Path.of(tls.caFile()).toAbsolutePath().normalize());
    }
    return vars;
  }

  /** A service's own: its password file, and its names where they are not the defaults. */
  static List<String> own(DbInit.Plan plan) {
    List<String> vars = new ArrayList<>();
    String service = plan.service();
    vars.add(Settings.envName(service, "db.passwordFile") + "=" + plan.passwordFile());
    if (!plan.database().equals(service)) {
      vars.add(Settings.envName(service, "db.name") + "=" + plan.database());
    }
    if (!plan.role().equals(service)) {
      vars.add(Settings.envName(service, "db.user") + "=" + plan.role());
    }
    return vars;
  }
}
