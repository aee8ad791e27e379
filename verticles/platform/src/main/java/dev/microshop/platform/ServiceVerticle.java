package dev.microshop.platform;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.InstanceInfo;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle every microshop service shares. Start: migrate its own database, open its pool, register its
 * consumers, publish itself to discovery, then report ready. Stop, in the reverse order: unpublish, unregister
 * and let in-flight messages finish, close the pool. A failure in any start step fails the deployment.
 */
public abstract class ServiceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceVerticle.class);

  protected final Platform platform;
  protected final String instanceId = UUID.randomUUID().toString();
  protected Consumers consumers;
  protected Pool pool;
  private String registration;

  protected ServiceVerticle(Platform platform) {
    this.platform = platform;
  }

  /** The service name, one of {@code Services.ALL}. */
  public abstract String service();

  /** False for the stateless gateway. */
  protected boolean ownsDatabase() {
    return true;
  }

  /** Registers the service's own consumers (domain addresses) and whatever else it starts. */
  protected abstract Future<?> startService();

  /** Stops what {@link #startService} started beyond consumers (which the base class drains). */
  protected Future<?> stopService() {
    return Future.succeededFuture();
  }

  @Override
  public Future<?> start() {
    consumers = new Consumers(vertx);
    return openDatabase()
        .compose(v -> Future.all(
            consumers.on(Addresses.describe(service()), msg -> Future.succeededFuture(info().toJson())),
            consumers.on(Addresses.ping(instanceId), msg -> Future.succeededFuture(info().toJson()))))
        .compose(v -> startService())
        .compose(v -> platform.discovery().publish(info()))
        .onSuccess(record -> registration = record.getRegistration())
        .onSuccess(record -> LOG.info("{} instance {} ready", service(), instanceId));
  }

  @Override
  public Future<?> stop() {
    long drainMs = config().getJsonObject("shutdown").getLong("drainMs");
    Future<Void> unpublished = registration == null
        ? Future.succeededFuture()
        : platform.discovery().unpublish(registration).recover(e -> Future.succeededFuture());
    return unpublished
        .compose(v -> consumers.drain(drainMs))
        .compose(v -> stopService())
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close())
        .onComplete(v -> LOG.info("{} instance {} stopped", service(), instanceId));
  }

  public InstanceInfo info() {
    return new InstanceInfo(service(), instanceId, platform.nodeId(), ProcessHandle.current().pid(),
        platform.version(), platform.managementUrl());
  }

  private Future<Void> openDatabase() {
    if (!ownsDatabase()) {
      return Future.succeededFuture();
    }
    DbSettings db = DbSettings.from(config());
    String check = service() + ".database";
    platform.management().readiness(check, 2000, promise -> {
      if (pool == null) {
        promise.complete(Status.KO(new JsonObject().put("reason", "migrating")));
        return;
      }
      pool.query("SELECT 1").execute()
          .onSuccess(rows -> promise.tryComplete(Status.OK()))
          .onFailure(e -> promise.tryComplete(Status.KO(new JsonObject().put("reason", e.getMessage()))));
    });
    return Database.migrate(vertx, service(), db)
        .onSuccess(v -> pool = Database.pool(vertx, service(), db));
  }
}
