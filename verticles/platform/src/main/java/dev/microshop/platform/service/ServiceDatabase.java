package dev.microshop.platform.service;

import dev.microshop.platform.db.Database;
import dev.microshop.platform.db.DbSettings;
import dev.microshop.platform.messaging.OutboxRelay;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.sqlclient.Pool;

/**
 * A service's own database: migrated, then its pools and outbox relay opened; reported not ready
 * until then, and whenever it does not answer.
 */
final class ServiceDatabase {
  private final Vertx vertx;
  private final String service;
  private final JsonObject config;
  private final DbSettings db;
  private Pool pool;

  /**
   * The relay's bookkeeping connections (asynchronous commit), see {@link
   * Database#bookkeepingPool}.
   */
  private Pool relayPool;

  private OutboxRelay relay;

  /** Reads the settings now, so a bad one fails the start before anything is opened. */
  ServiceDatabase(Vertx vertx, String service, JsonObject config) {
    this.vertx = vertx;
    this.service = service;
    this.config = config;
    this.db = DbSettings.from(config);
  }

  Future<Void> open(Management management) {
    management.readiness(service + ".database", 2000, this::check);
    return Database.migrate(vertx, service, db).map(v -> openPools());
  }

  private void check(Promise<Status> promise) {
    if (pool == null) {
      promise.complete(Status.KO(new JsonObject().put("reason", "migrating")));
      return;
    }
    pool.query("SELECT 1")
        .execute()
        .onSuccess(rows -> promise.tryComplete(Status.OK()))
        .onFailure(
            e -> promise.tryComplete(Status.KO(new JsonObject().put("reason", e.getMessage()))));
  }

  /**
   * In a map, not onSuccess: a bad outbox setting (ConfigException) must fail the start, not be
   * only logged.
   */
  private Void openPools() {
    pool = Database.pool(vertx, service, db);
    relayPool = Database.bookkeepingPool(vertx, service, db);
    relay = new OutboxRelay(vertx, pool, relayPool, config);
    return null;
  }

  Pool pool() {
    return pool;
  }

  OutboxRelay relay() {
    return relay;
  }

  /** Call once the relay has stopped. */
  Future<Void> close() {
    Future<Void> relayClosed = relayPool == null ? Future.succeededFuture() : relayPool.close();
    return relayClosed.eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
  }
}
