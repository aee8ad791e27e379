package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.gateway.GatewayVerticle;
import dev.microshop.inventory.InventoryVerticle;
import dev.microshop.notifications.NotificationsVerticle;
import dev.microshop.orders.OrdersVerticle;
import dev.microshop.payments.PaymentsVerticle;
import dev.microshop.platform.cluster.ClusterFactory;
import dev.microshop.platform.cluster.ClusterHost;
import dev.microshop.platform.cluster.ClusterTls;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Secrets;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.db.DbSettings;
import dev.microshop.platform.service.ManagementPort;
import dev.microshop.platform.service.Node;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import dev.microshop.users.UsersVerticle;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one or more services in this JVM: clustered, or all of them as a monolith without a cluster.
 */
final class ServiceRunner {
  /**
   * Set by {@code up} on its children, so a child stops if the launcher is killed without cleaning
   * up.
   */
  static final String PARENT_PID_ENV = "MICROSHOP_PARENT_PID";

  static final Map<String, Function<Platform, ServiceVerticle>> FACTORIES =
      Map.of(
          Services.GATEWAY, GatewayVerticle::new,
          Services.USERS, UsersVerticle::new,
          Services.INVENTORY, InventoryVerticle::new,
          Services.ORDERS, OrdersVerticle::new,
          Services.PAYMENTS, PaymentsVerticle::new,
          Services.NOTIFICATIONS, NotificationsVerticle::new);

  private final Map<String, String> env;
  private final List<String> services;
  private final boolean monolith;
  private EmbeddedDatabase db;
  private DevCluster devCluster;

  ServiceRunner(Map<String, String> env, List<String> services, boolean monolith) {
    this.env = env;
    this.services = services;
    this.monolith = monolith;
  }

  int run() {
    long started = System.nanoTime();
    String name = monolith ? "all" : String.join("+", services);
    JsonObject nodeConfig = Settings.load(monolith ? "all" : services.get(0), env);
    if (monolith) {
      // 'all' is a dev command, as 'up' is: its children get dev=true the same way.
      Settings.devMode(nodeConfig, env);
    }
    Logging.init(nodeConfig);
    Map<String, JsonObject> configs = new LinkedHashMap<>();
    services.forEach(s -> configs.put(s, Settings.load(s, env)));
    if (monolith) {
      configs.values().forEach(config -> Settings.devMode(config, env));
    }
    configs.values().forEach(ServiceRunner::requireDatabaseOrDev);
    ManagementPort.requireFree(nodeConfig);
    if (configs.containsKey(Services.GATEWAY)) {
      Preflight.gateway(configs.get(Services.GATEWAY), !monolith);
    }
    if (configs.containsKey(Services.PAYMENTS)) {
      Preflight.payments(configs.get(Services.PAYMENTS));
    }
    boolean embedded = configs.values().stream().anyMatch(ServiceRunner::needsEmbedded);
    if (parentPid().isEmpty() && configs.values().stream().anyMatch(DevCluster::isDev)) {
      // A dev JVM of its own keeps secrets in the data directory: owner-only, as up makes them.
      Secrets.tightenAll(Path.of(nodeConfig.getString("dataDir")));
    }
    if (!monolith) {
      boolean dev =
          DevCluster.isDev(nodeConfig) || configs.values().stream().anyMatch(DevCluster::isDev);
      nodeConfig = claimCluster(nodeConfig, dev);
    }
    Logger log = LoggerFactory.getLogger(ServiceRunner.class);
    log.info("settings from {}", Settings.source(env));
    Node node;
    try {
      if (embedded) {
        startDatabase(nodeConfig, configs.values());
      }
      node = Node.start(name, nodeConfig, !monolith, services, configs, FACTORIES);
    } catch (Exception e) {
      release();
      ConfigException bad = configProblem(e);
      if (bad != null) {
        throw bad; // a bad setting found while starting: one line and exit 2, like any other
      }
      log.error("{} failed to start: {}", name, describe(e), e);
      return 1;
    }
    if (!env.containsKey(PARENT_PID_ENV)) {
      Banner.print(name, started, node, db);
    }
    awaitStop(node);
    return 0;
  }

  /**
   * Refuses a JVM of another installation and, in dev, binds the cluster name to the data
   * directory. A child of up is covered by up's claim; any other dev JVM owns its own.
   */
  private JsonObject claimCluster(JsonObject nodeConfig, boolean dev) {
    // Before anything is written (a claim note, a certificate naming the host).
    ClusterHost.requirePrivate(nodeConfig);
    devCluster =
        DevCluster.claim(nodeConfig, dev, parentPid().orElse(ProcessHandle.current().pid()));
    JsonObject bound =
        dev
            ? DevTls.bind(
                DevCluster.bind(nodeConfig),
                Path.of(nodeConfig.getString("dataDir")),
                String.join("+", services))
            : nodeConfig;
    // A bad cluster file or certificate fails here, before anything starts.
    ClusterFactory.create(bound);
    ClusterTls.load(bound);
    return bound;
  }

  private void startDatabase(JsonObject nodeConfig, Collection<JsonObject> configs) {
    db =
        EmbeddedDatabase.startOrAttach(
            Path.of(nodeConfig.getString("dataDir")),
            nodeConfig.getJsonObject("db").getBoolean("durable"),
            Services.WITH_DATABASE);
    for (JsonObject config : configs) {
      if (needsEmbedded(config)) {
        db.configure(config);
      }
    }
  }

  /**
   * A service without a database host runs on the embedded database, which is for dev only: dev
   * mode (generated signing key, printed admin password, demo catalog, money in new wallets) is
   * asked for by up, all or dev=true, never inferred from a setting that was forgotten.
   */
  static void requireDatabaseOrDev(JsonObject config) {
    if (needsEmbedded(config) && !DevCluster.isDev(config)) {
      String service = config.getString("service");
      throw new ConfigException(
          "db.host",
          "not set for "
              + service
              + "; give "
              + Settings.envName(service, "db.host")
              + " (or "
              + Settings.envName(null, "db.host")
              + ") to use a PostgreSQL server, or "
              + Settings.envName(null, "dev")
              + "=true for dev mode on the embedded database");
    }
  }

  /**
   * Runs until SIGTERM (or, for a child of up, until up is gone), then stops the node and what it
   * owns.
   */
  private void awaitStop(Node node) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          node.stop();
          release();
          stopped.countDown();
        };
    Signals.onTermination(stop);
    parentPid().ifPresent(pid -> ParentWatch.start(pid, stop));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void release() {
    if (db != null) {
      db.close();
    }
    if (devCluster != null) {
      devCluster.release();
    }
  }

  private Optional<Long> parentPid() {
    String pid = env.get(PARENT_PID_ENV);
    try {
      return pid == null ? Optional.empty() : Optional.of(Long.parseLong(pid.trim()));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          PARENT_PID_ENV, "\"" + pid + "\" is not a process id (up sets it on its children)");
    }
  }

  private static boolean needsEmbedded(JsonObject config) {
    return !config.getString("service").equals(Services.GATEWAY) && DbSettings.embedded(config);
  }

  private static ConfigException configProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConfigException config) {
        return config;
      }
    }
    return null;
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e
        ? String.valueOf(e.getMessage())
        : e.getMessage() + " (" + root.getMessage() + ")";
  }
}
