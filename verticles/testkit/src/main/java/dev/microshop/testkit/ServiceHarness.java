package dev.microshop.testkit;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.platform.config.Secrets;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.service.Node;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs one service verticle for a service-level integration test: a real embedded PostgreSQL (one
 * per test JVM, fsync off), the service's real migrations and config, and a real (local) event bus
 * to send its messages on. Cross-JVM behaviour is tested in the launcher module with real
 * processes.
 */
public final class ServiceHarness implements AutoCloseable {
  private static EmbeddedDatabase database;
  private static Path dataDir;

  private final Node node;
  private final String service;
  private final JsonObject config;
  private final Function<Platform, ServiceVerticle> factory;

  private ServiceHarness(
      Node node, String service, JsonObject config, Function<Platform, ServiceVerticle> factory) {
    this.node = node;
    this.service = service;
    this.config = config;
    this.factory = factory;
  }

  /**
   * Starts {@code service} with the repo's config, overridden by {@code env} (same variable names
   * as in production, e.g. {@code MICROSHOP_PAYMENTS_WALLET_DEV_OPENING_BALANCE_MINOR}).
   */
  public static ServiceHarness start(
      String service, Function<Platform, ServiceVerticle> factory, Map<String, String> env)
      throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent(Settings.CONFIG_DIR_ENV, repoRoot().resolve("config").toString());
    all.putIfAbsent("MICROSHOP_DATA_DIR", dataDir().toString());
    // The configured management ports are fixed per service; tests run many JVMs side by side.
    all.putIfAbsent("MICROSHOP_MANAGEMENT_PORT", "0");
    JsonObject config = Settings.load(service, all);
    if (!service.equals(Services.GATEWAY)) {
      database().configure(config).put("dev", config.getBoolean("dev"));
    }
    Node node =
        Node.start(
            service,
            config,
            false,
            List.of(service),
            Map.of(service, config),
            Map.of(service, factory));
    return new ServiceHarness(node, service, config, factory);
  }

  /**
   * Deploys a second instance of the service in the same Vert.x, with the same settings: two
   * instances as two JVMs of the service would be, each with its own instance id, registry record
   * and memory, the bus alternating between them. Yields the deployment id, to undeploy it.
   */
  public String deployAnother() {
    return await(
        node.vertx()
            .deployVerticle(
                factory.apply(node.platform()), new DeploymentOptions().setConfig(config.copy())));
  }

  public Vertx vertx() {
    return node.vertx();
  }

  public Platform platform() {
    return node.platform();
  }

  /**
   * Sends a request as {@code caller} (null: anonymous) and waits for the reply body: a JSON
   * object, also when it came as its encoded bytes (a catalog page).
   */
  public JsonObject request(String address, JsonObject body, Identity caller) {
    return json(reply(address, body, caller).body());
  }

  /** Sends a request as {@code caller} (null: anonymous) and waits for the whole reply. */
  public Message<Object> reply(String address, JsonObject body, Identity caller) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(5000);
    if (caller != null) {
      caller.addTo(options);
    }
    return await(vertx().eventBus().request(address, body, options));
  }

  private static JsonObject json(Object body) {
    return body instanceof Buffer bytes ? bytes.toJsonObject() : (JsonObject) body;
  }

  /** Sends a request that must fail, and returns the failure (its code and message). */
  public ReplyException failure(String address, JsonObject body, Identity caller) {
    try {
      request(address, body, caller);
    } catch (ReplyException e) {
      return e;
    }
    throw new AssertionError(address + " succeeded; expected a failure");
  }

  /** A JDBC connection to this service's own database, as its own role: to assert side effects. */
  public Connection sql() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", service);
    props.setProperty("password", Secrets.getOrCreate(dataDir(), service + "-db-password"));
    return DriverManager.getConnection(
        "jdbc:postgresql://" + database().host() + ":" + database().port() + "/" + service, props);
  }

  /**
   * A Vert.x pool on this service's own database, as its own role: to run the service's transitions
   * directly. The caller closes it.
   */
  public Pool pool() {
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(database().host())
            .setPort(database().port())
            .setDatabase(service)
            .setUser(service)
            .setPassword(Secrets.getOrCreate(dataDir(), service + "-db-password"));
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(2))
        .connectingTo(connect)
        .using(vertx())
        .build();
  }

  @Override
  public void close() {
    node.stop();
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static synchronized Path dataDir() {
    database();
    return dataDir;
  }

  private static synchronized EmbeddedDatabase database() {
    if (database == null) {
      try {
        dataDir = Files.createTempDirectory("microshop-service-it-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      database = EmbeddedDatabase.start(dataDir, false, Services.WITH_DATABASE);
      Path dir = dataDir;
      EmbeddedDatabase db = database;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    db.close();
                    deleteTree(dir);
                  }));
    }
    return database;
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp directory
    }
  }

  /** The checkout root: the nearest directory upwards holding cluster.xml. */
  public static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("cluster.xml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("run from inside the microshop checkout");
    }
    return dir;
  }
}
