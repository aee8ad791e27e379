package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.Settings;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The text of {@code --help}: commands, then every setting with its default and environment
 * variable.
 */
final class Help {
  /** Defaults that depend on the mode rather than a value in the files. */
  private static final Map<String, String> DERIVED = Map.of("log.format", "json; text in dev mode");

  private Help() {}

  static String text() {
    StringBuilder out =
        new StringBuilder(
            """
        microshop: a microservices e-commerce backend on Vert.x 5.

        Usage: java -jar launcher.jar <command>

        Commands:
          up [--tracing]      Run the whole system locally: an embedded PostgreSQL (data in ./.microshop),
                              then one JVM per service, all in one Hazelcast cluster. Ctrl-C stops it all.
                              --tracing (or up.tracing=true) also starts Zipkin on 127.0.0.1:9411
                              (up.zipkinPort) and every service sends it a trace of each request.
          all                 Run every service in this one JVM: the modular monolith, no cluster.
          <service> [...]     Run these services in this JVM and join the cluster, e.g. 'orders' with
                              MICROSHOP_DEV=true to add one more orders instance to a running 'up'.
                              Services: %s
          db <service> [--url]
                              How to open a service's database (in dev, the embedded one in dataDir):
                              psql "$(java -jar launcher.jar db orders --url)". Starts nothing.
          db-init             Prepare an external PostgreSQL: per service a login role and a database
                              only it may reach, a generated password in dbInit.secretsDir (default
                              <dataDir>/secrets) or the one in its db.passwordFile. Logs in with
                              MICROSHOP_DB_INIT_ADMIN_URL (postgresql://postgres@db.internal:5432) and
                              MICROSHOP_DB_INIT_ADMIN_PASSWORD_FILE; TLS as db.sslMode/db.sslCaFile.
                              Idempotent; prints each service's MICROSHOP_ settings.
          secrets <dir>       Make what an installation outside dev mode is handed, in <dir>: the cluster
                              CA (cluster-tls/ca.pem; ca-key.pem stays with you) and a certificate per
                              service, the token signing key, the admin password, a password per service
                              database and one for PostgreSQL's superuser. Keeps what exists; prints each
                              file with the setting that reads it. For Kubernetes: deploy/kubernetes.
          chaos [options]     Break a running system on a schedule: kill -9, freeze or restart a random
                              instance (of --service) found in the gateway's admin status report, and
                              print what was done; only JVMs running the launcher as that service are
                              touched. 'chaos --help' for the options.
          verify [--acknowledged <file>] [--grace <seconds>] [--settle <seconds>]
                              Check a system's invariants in its databases, each service's as its own
                              role (dev: the embedded PostgreSQL of dataDir; else the db.* settings):
                              stock conserved, charges - refunds = confirmed totals, one charge per
                              order, no order PENDING past its deadline, one notification per final
                              order, outboxes drained or dead with a reason, and each order id in
                              <file> (one UUID a line) present. Work younger than --grace (30 s) is
                              in flight. Prints a table; exit 0 all hold, 1 one fails, 2 bad input.
          load <browse|order|mixed> (--rate N | --concurrency N) [--gateway URL] [--duration D] [--json]
                              Drive a running system through its gateway: catalog reads, orders followed
                              to their final state, or a mix; open loop at a rate (latency from each
                              intended send time) or closed loop; a progress line each second, then
                              HdrHistogram percentiles. load --help lists every option.
          cds <archive> <repo>  Make the class-data archive up's JVMs share (the build does, beside
                              the jar): every service in one JVM serves a first order, and the
                              classes it loaded are archived at its exit. Exit 0 made, 1 not.
          --help              This text.

        Settings come from config/common.json, then config/<service>.json, then the environment.
        Key a.bC of service s is overridden by MICROSHOP_S_A_B_C, else MICROSHOP_A_B_C. Lists are
        comma-separated. A bad value, or a MICROSHOP_ variable that names no setting, stops the JVM with
        exit code 2. Other environment variables:
          MICROSHOP_CONFIG_DIR   directory holding common.json and <service>.json (default ./config,
                                 else the copy inside this jar)

        Dev mode is asked for, never inferred: 'up' and 'all' run in it, any other start only with
        dev=true (MICROSHOP_DEV=true). It brings the embedded PostgreSQL in dataDir (started if not
        running) for every service without db.host, a generated signing key, a printed admin password,
        the demo catalog and money in new wallets (wallet.devOpeningBalanceMinor; outside dev every
        wallet opens empty), and logs as text (outside dev, JSON lines with trace_id and span_id,
        unless log.format says otherwise). Outside dev a service without db.host exits with code 2.
        Under 'up' each service's output also goes to <dataDir>/logs/<service>.log, rolled at
        up.logFileMaxMb with up.logFilesKept older files: tail -F .microshop/logs/orders.log.

        Settings (default):
        """
                .formatted(String.join(", ", Services.ALL)));
    // A key whose default differs between services (db.name, db.user) shows each service's default.
    Map<String, Map<String, Object>> keys = new TreeMap<>();
    for (String service : Services.ALL) {
      Settings.flatten(Settings.load(service, Map.of()))
          .forEach(
              (k, v) -> {
                if (!k.equals("service")) {
                  keys.computeIfAbsent(k, x -> new LinkedHashMap<>()).put(service, v);
                }
              });
    }
    keys.forEach(
        (key, defaults) ->
            out.append(
                String.format(
                    "  %-34s %-50s %s%n",
                    key,
                    Settings.envName(
                        defaults.size() == 1 ? defaults.keySet().iterator().next() : null, key),
                    DERIVED.getOrDefault(key, describe(defaults)))));
    return out.toString();
  }

  /** One default; the service a key belongs to; or each service's default where they differ. */
  private static String describe(Map<String, Object> defaults) {
    Set<Object> distinct = new LinkedHashSet<>(defaults.values());
    if (defaults.size() == 1) {
      Map.Entry<String, Object> only = defaults.entrySet().iterator().next();
      return only.getValue() + "   (" + only.getKey() + ")";
    }
    if (distinct.size() == 1) {
      return String.valueOf(distinct.iterator().next());
    }
    if (defaults.entrySet().stream()
        .allMatch(e -> e.getValue().equals(e.getKey()) || "".equals(e.getValue()))) {
      return "the service's name (none for the gateway)";
    }
    return defaults.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
