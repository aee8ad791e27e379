package dev.microshop.platform.db;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A service's connection pool and schema migrations. */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** Requests that may wait for each pooled connection before more are refused as busy. */
  static final int WAITING_PER_CONNECTION = 64;

  /** Advisory locks belong to one database: each service's instances queue only for their own. */
  private static final String MIGRATION_LOCK =
      "SELECT pg_advisory_lock(hashtextextended('microshop.schema-migrations', 0))";

  private Database() {}

  /**
   * Applies {@code classpath:db/<service>} with Flyway over JDBC. Flyway blocks, so it runs on a
   * worker thread; the service takes no message before this completes.
   */
  public static Future<Void> migrate(Vertx vertx, String service, DbSettings db) {
    return vertx.executeBlocking(
        () -> {
          checkLogin(db);
          MigrateResult result;
          try (Connection lock = migrationLock(db)) {
            LOG.debug("migrating {} ({})", service, lock == null ? "no lock" : "our turn");
            // The platform's tables (outbox, inbox) have their own history, so their versions
            // never collide with the service's; each baselines at 0 when the other already
            // created tables.
            flyway(db, "classpath:db/platform", "platform_schema_history").migrate();
            result = flyway(db, "classpath:db/" + service, "flyway_schema_history").migrate();
          }
          if (result.migrationsExecuted == 0) {
            LOG.info("{} schema is up to date at version {}", service, result.initialSchemaVersion);
          } else {
            LOG.info(
                "{} schema migrated from version {} to {} ({} migration{})",
                service,
                result.initialSchemaVersion == null ? "none" : result.initialSchemaVersion,
                result.targetSchemaVersion,
                result.migrationsExecuted,
                result.migrationsExecuted == 1 ? "" : "s");
          }
          return null;
        });
  }

  /**
   * One login before Flyway: a wrong password, certificate or database name fails the start at
   * once, naming the setting, where Flyway would retry it for minutes. A server that does not
   * answer yet is left to Flyway's retries.
   */
  private static void checkLogin(DbSettings db) {
    Properties props = new Properties();
    props.setProperty("user", db.user());
    props.setProperty("password", db.password());
    props.setProperty("connectTimeout", "10");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), props)) {
      LOG.debug("logged in to {} as {}", c.getMetaData().getURL(), db.user());
    } catch (SQLException e) {
      ConnectFailure failure = ConnectFailure.of(e);
      if (failure.permanent()) {
        throw refusal(failure, db, e.getMessage());
      }
    }
  }

  /**
   * Instances of a service that start at once on a new database take turns: Flyway locks a
   * migration, but not the creation of its history table, and the second of two baselines fails
   * ("already exists, and is empty"). The lock is the session's and goes with the connection; a
   * server that does not answer yet gets no lock, and Flyway's own retries wait for it.
   */
  private static Connection migrationLock(DbSettings db) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", db.user());
    props.setProperty("password", db.password());
    props.setProperty("connectTimeout", "10");
    Connection connection;
    try {
      connection = DriverManager.getConnection(db.jdbcUrl(), props);
    } catch (SQLException e) {
      LOG.debug("no migration lock, the server does not answer yet: {}", e.getMessage());
      return null;
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute(MIGRATION_LOCK);
      return connection;
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  private static ConfigException refusal(ConnectFailure failure, DbSettings db, String reason) {
    String server = "PostgreSQL at " + db.host() + ":" + db.port();
    return switch (failure) {
      case LOGIN ->
          new ConfigException("db.password", server + " refused " + db.user() + ": " + reason);
      case CERTIFICATE ->
          new ConfigException(
              "db.sslCaFile",
              server
                  + " is not trusted (sslMode "
                  + db.tls().mode()
                  + ", CA "
                  + db.tls().caFile()
                  + "): "
                  + reason);
      case NO_TLS -> new ConfigException("db.sslMode", server + " does not offer TLS: " + reason);
      case NO_DATABASE ->
          new ConfigException(
              "db.name", server + " has no database " + db.database() + " (db-init creates it)");
      default ->
          new ConfigException(
              "db.user",
              db.user() + " may not connect to " + db.database() + " on " + server + ": " + reason);
    };
  }

  private static Flyway flyway(DbSettings db, String location, String historyTable) {
    return Flyway.configure(Database.class.getClassLoader())
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations(location)
        .table(historyTable)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .connectRetries(10)
        .load();
  }

  /**
   * A {@link Pool}, not the pipelined client: pipelining packs concurrent queries onto one backend.
   */
  public static Pool pool(Vertx vertx, String service, DbSettings db) {
    return build(vertx, service + "-db", db.poolSize(), db, false);
  }

  /**
   * A small pool for the outbox relay's own bookkeeping (claims, acknowledgements, retries,
   * purges), whose commits do not wait for the WAL flush ({@code synchronous_commit=off}, per
   * connection). Only writes that are safe to lose are sent through it: if PostgreSQL crashes, the
   * last few hundred milliseconds of them may be gone, which means a message is delivered again
   * (consumers deduplicate), a purge is repeated, or a message just made a dead letter is pending
   * again (and retried into one). No business state depends on them, and the database is spared a
   * WAL flush for each group of acknowledgements, claim and retry.
   */
  public static Pool bookkeepingPool(Vertx vertx, String service, DbSettings db) {
    return build(vertx, service + "-outbox-db", 2, db, true);
  }

  private static Pool build(
      Vertx vertx, String name, int size, DbSettings db, boolean asyncCommit) {
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(db.host())
            .setPort(db.port())
            .setDatabase(db.database())
            .setUser(db.user())
            .setPassword(db.password())
            // Named server-side statements, parsed and planned once per connection: without this
            // the client sends
            // every statement as a new unnamed one, and parsing and planning cost PostgreSQL more
            // than running it.
            .setCachePreparedStatements(true)
            .setPreparedStatementCacheMaxSize(256)
            .setReconnectAttempts(0);
    db.tls().applyTo(connect);
    if (!db.socketDir().isBlank()) {
      // A host that is a directory means its Unix-domain socket: no loopback TCP stack under each
      // of the dozens of
      // round trips an order makes (measured: +6 % orders/s with the native transport). Netty
      // reaches such a
      // socket only through the native transport.
      if (vertx.isNativeTransportEnabled()) {
        connect.setHost(db.socketDir());
      } else {
        LOG.warn(
            "db.socketDir is set but Vert.x runs without its native transport here; {} connects over TCP",
            name);
      }
    }
    if (asyncCommit) {
      connect.addProperty(
          "synchronous_commit", "off"); // a startup parameter: the setting of every session
    }
    PoolOptions pool =
        new PoolOptions()
            .setMaxSize(size)
            .setName(name)
            .setShared(false)
            // Overload is refused at once ("busy", which callers back off from) rather than
            // queued long past the senders' 2 s timeout. At 1000, a slow moment filled it with
            // requests whose senders had given up and resent them, and inventory never caught up;
            // at 32 a connection, a burst of 200 reservations (served in well under a second) was
            // refused in part.
            .setMaxWaitQueueSize(size * WAITING_PER_CONNECTION)
            // Vert.x 5.0.8 loses a request whose connection wait times out (NPE in
            // SqlConnectionPool's cancel path, the future never completes); SCRAM logins on a busy
            // 2-core box can take seconds, so wait long.
            .setConnectionTimeout(30)
            .setIdleTimeout(60);
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }
}
