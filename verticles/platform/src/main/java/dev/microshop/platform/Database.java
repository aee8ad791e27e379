package dev.microshop.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A service's connection pool and schema migrations. */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private Database() {}

  /**
   * Applies {@code classpath:db/<service>} with Flyway over JDBC. Flyway blocks, so it runs on a worker thread;
   * the service takes no message before this completes.
   */
  public static Future<Void> migrate(Vertx vertx, String service, DbSettings db) {
    return vertx.executeBlocking(() -> {
      // The platform's tables (outbox, inbox) have their own history, so their versions never collide with the
      // service's; each baselines at 0 when the other already created tables.
      flyway(db, "classpath:db/platform", "platform_schema_history").migrate();
      MigrateResult result = flyway(db, "classpath:db/" + service, "flyway_schema_history").migrate();
      LOG.info("{} schema at version {} ({} migrations applied)", service, result.targetSchemaVersion,
          result.migrationsExecuted);
      return null;
    });
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

  /** A {@link Pool}, not the pipelined client: pipelining packs concurrent queries onto one backend. */
  public static Pool pool(Vertx vertx, String service, DbSettings db) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(db.host())
        .setPort(db.port())
        .setDatabase(db.database())
        .setUser(db.user())
        .setPassword(db.password())
        // Named server-side statements, parsed and planned once per connection: without this the client sends
        // every statement as a new unnamed one, and parsing and planning cost PostgreSQL more than running it.
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256)
        .setReconnectAttempts(0);
    PoolOptions pool = new PoolOptions()
        .setMaxSize(db.poolSize())
        .setName(service + "-db")
        .setShared(false)
        .setMaxWaitQueueSize(1000)
        // Vert.x 5.0.8 loses a request whose connection wait times out (NPE in SqlConnectionPool's cancel path,
        // the future never completes); SCRAM logins on a busy 2-core box can take seconds, so wait long.
        .setConnectionTimeout(30)
        .setIdleTimeout(60);
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }
}
