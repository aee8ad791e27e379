package dev.microshop.platform.service;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InstanceInfo;
import dev.microshop.contracts.OutboxApi;
import dev.microshop.platform.db.Database;
import dev.microshop.platform.db.DbSettings;
import dev.microshop.platform.messaging.Consumers;
import dev.microshop.platform.messaging.Inbox;
import dev.microshop.platform.messaging.Outbox;
import dev.microshop.platform.messaging.OutboxRelay;
import dev.microshop.platform.messaging.OutboxSql;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle every microshop service shares. Start: migrate its own database, open its pool,
 * register its consumers, publish itself to discovery, then report ready. Stop, in the reverse
 * order: unpublish, unregister and let in-flight messages finish, close the pool. A failure in any
 * start step fails the deployment.
 */
public abstract class ServiceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceVerticle.class);

  protected final Platform platform;
  protected final String instanceId = UUID.randomUUID().toString();
  protected Consumers consumers;
  protected Pool pool;

  /**
   * The relay's bookkeeping connections (asynchronous commit), see {@link
   * Database#bookkeepingPool}.
   */
  private Pool relayPool;

  /**
   * Delivers this service's outbox. Write messages in {@link #transaction} and they leave at the
   * commit; after any other transaction that added messages, call {@code relay.kick()}.
   */
  protected OutboxRelay relay;

  private static final long REPUBLISH_MS = 3000;
  private String registration;
  private long republishTimer = -1;

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
        .compose(
            v ->
                Future.all(
                    consumers.on(
                        Addresses.describe(service()),
                        msg -> Future.succeededFuture(info().toJson())),
                    consumers.on(
                        Addresses.ping(instanceId),
                        msg -> Future.succeededFuture(info().toJson()))))
        .compose(v -> deadLetterConsumers())
        .compose(v -> startService())
        .onSuccess(v -> startRelay())
        .compose(v -> platform.discovery().publish(info()))
        .onSuccess(record -> registration = record.getRegistration())
        .onSuccess(
            record -> republishTimer = vertx.setPeriodic(REPUBLISH_MS, t -> ensurePublished()))
        .onSuccess(record -> LOG.info("{} instance {} ready", service(), instanceId));
  }

  private void ensurePublished() {
    if (registration == null) {
      return;
    }
    platform
        .discovery()
        .ensurePublished(registration, info())
        .onSuccess(
            current -> {
              if (registration != null) {
                registration = current;
              }
            })
        .onFailure(e -> LOG.warn("discovery check of {} failed: {}", service(), e.getMessage()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(republishTimer);
    long drainMs = config().getJsonObject("shutdown").getLong("drainMs");
    String published = registration;
    registration = null; // a discovery check still in flight must not publish us again
    Future<Void> unpublished =
        published == null
            ? Future.succeededFuture()
            : platform.discovery().unpublish(published).recover(e -> Future.succeededFuture());
    return unpublished
        .compose(v -> consumers.drain(drainMs))
        .onComplete(
            v -> {
              if (relay != null) {
                relay.stop();
              }
            })
        .compose(v -> stopService())
        .eventually(() -> relayPool == null ? Future.succeededFuture() : relayPool.close())
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close())
        .onComplete(v -> LOG.info("{} instance {} stopped", service(), instanceId));
  }

  /**
   * Registers an idempotent consumer: the message's {@code messageId} is recorded in the inbox in
   * the same transaction as {@code effect}, so a redelivery is acknowledged and changes nothing;
   * messages the effect added to the outbox are relayed right after the commit. The reply is an
   * empty acknowledgement.
   */
  protected Future<Void> reliably(String address, TxEffect effect) {
    return consumers.on(
        address,
        msg -> {
          JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
          return transaction(tx -> once(tx, address, body, effect))
              .recover(
                  failure ->
                      failure instanceof Inbox.Duplicate
                          ? Future.succeededFuture()
                          : Future.failedFuture(failure))
              .map(v -> new JsonObject());
        });
  }

  /**
   * Registers an idempotent consumer whose whole effect is one SQL statement, fused with the inbox
   * insert into a single statement that PostgreSQL runs as its own transaction: one statement and
   * one round trip instead of BEGIN, the inbox insert, the effect and COMMIT. {@code sql} reads the
   * CTE {@code first}, which has one row on a first delivery and none on a redelivery (so a
   * redelivery changes nothing), and numbers its parameters from $3 ($1 and $2 are the inbox's);
   * {@code parameters} gives them for a message (a {@link ServiceFailure} refuses it). {@code
   * committed} sees the statement's rows once they are durable. The effect cannot write to the
   * outbox.
   */
  protected Future<Void> reliablyInOneStatement(
      String address,
      String sql,
      Function<JsonObject, Tuple> parameters,
      Consumer<RowSet<Row>> committed) {
    String fused = OutboxSql.FIRST_DELIVERY_CTE + sql;
    return consumers.on(
        address,
        msg -> {
          JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
          Tuple args = Tuple.of(Inbox.messageId(body.getString("messageId")), address);
          Tuple own = parameters.apply(body);
          for (int i = 0; i < own.size(); i++) {
            args.addValue(own.getValue(i));
          }
          return pool.preparedQuery(fused)
              .execute(args)
              .onSuccess(committed::accept)
              .map(rows -> new JsonObject());
        });
  }

  /**
   * Registers an idempotent consumer that answers: like {@link #reliably}, but the reply carries
   * what {@code effect} yields (a JSON object), so the sender learns the outcome from the
   * acknowledgement it waits for anyway ({@link OutboxRelay#onAnswer}), with no second message back
   * through this service's outbox. A redelivery changes nothing and answers the same: the effect
   * must be idempotent per business key (it sees what the first delivery committed, and yields that
   * outcome again), and its answer is taken even though the duplicate's transaction rolls back. A
   * duplicate whose effect failed has no answer and fails; the sender retries.
   */
  protected Future<Void> answering(String address, TxEffect effect) {
    return consumers.on(
        address,
        msg -> {
          JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
          return transaction(tx -> once(tx, address, body, effect))
              .recover(
                  failure ->
                      failure instanceof Inbox.Duplicate duplicate
                          ? duplicate.effect().map(a -> (Object) a)
                          : Future.failedFuture(failure))
              .compose(
                  answer ->
                      answer instanceof JsonObject json
                          ? Future.succeededFuture(json)
                          : Future.failedFuture(
                              new IllegalStateException(address + " yielded no answer")));
        });
  }

  /**
   * The inbox insert and the effect are issued together, the effect's first statement pipelined
   * behind the insert instead of waiting for it: a redelivery is rare, so it is cheaper to roll the
   * effect back when the insert finds the message id already recorded ({@link Inbox.Duplicate})
   * than to spend a round trip on every message. A duplicate is acknowledged whatever its effect
   * did (a unique violation, say): the first delivery committed it.
   */
  private static Future<Object> once(
      SqlConnection tx, String address, JsonObject body, TxEffect effect) {
    Future<Boolean> first = Inbox.firstDelivery(tx, address, body.getString("messageId"));
    if (first.failed()) {
      return first.mapEmpty(); // a malformed message id: no statement was sent (only BEGIN)
    }
    Future<?> applied;
    try {
      applied = effect.apply(tx, body);
    } catch (RuntimeException e) {
      applied = Future.failedFuture(e);
    }
    Future<?> effectDone = applied;
    return Future.join(first, effectDone)
        .transform(
            settled -> {
              if (first.succeeded() && !first.result()) {
                return Future.failedFuture(new Inbox.Duplicate(effectDone));
              }
              return settled.succeeded()
                  ? Future.succeededFuture(effectDone.result())
                  : Future.failedFuture(first.failed() ? first.cause() : effectDone.cause());
            });
  }

  /**
   * Runs {@code work} in one transaction; what it adds to the outbox is sent as soon as it commits.
   */
  protected <T> Future<T> transaction(Function<SqlConnection, Future<T>> work) {
    return relay.transaction(work);
  }

  /** The effect of a reliably delivered message, inside its transaction. */
  @FunctionalInterface
  protected interface TxEffect {
    Future<?> apply(SqlConnection tx, JsonObject message);
  }

  private Future<Void> deadLetterConsumers() {
    if (!ownsDatabase()) {
      return Future.succeededFuture();
    }
    return Future.all(
            consumers.on(
                OutboxApi.deadLetters(service()),
                msg ->
                    admin(msg.headers())
                        .compose(v -> Outbox.deadLetters(pool, 100))
                        .map(items -> new JsonObject().put("items", items))),
            consumers.on(
                OutboxApi.redrive(service()),
                msg ->
                    admin(msg.headers())
                        .compose(v -> deadLetterId(msg.body()))
                        .compose(
                            id ->
                                Outbox.redrive(pool, id)
                                    .compose(
                                        done ->
                                            done
                                                ? Future.succeededFuture(
                                                    new JsonObject().put("redriven", true))
                                                : Future.failedFuture(
                                                    ServiceFailure.notFound(
                                                        "no dead letter " + id))))
                        .onSuccess(v -> relay.kick())),
            consumers.on(OutboxApi.stats(service()), msg -> Outbox.stats(pool)))
        .mapEmpty();
  }

  /** A malformed id is the caller's mistake (400), not an internal error. */
  private static Future<UUID> deadLetterId(JsonObject body) {
    try {
      if (body != null && body.getValue("id") instanceof String id) {
        return Future.succeededFuture(UUID.fromString(id));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the 400
    }
    return Future.failedFuture(
        ServiceFailure.invalid("id", "id must be the UUID of a dead letter"));
  }

  private static Future<Void> admin(io.vertx.core.MultiMap headers) {
    Identity caller = Identity.from(headers);
    if (caller == null) {
      return Future.failedFuture(ServiceFailure.unauthenticated("authentication required"));
    }
    return caller.admin()
        ? Future.succeededFuture()
        : Future.failedFuture(ServiceFailure.forbidden("the admin role is required"));
  }

  private void startRelay() {
    if (relay != null) {
      relay.start();
    }
  }

  public InstanceInfo info() {
    return new InstanceInfo(
        service(),
        instanceId,
        platform.nodeId(),
        ProcessHandle.current().pid(),
        platform.version(),
        platform.managementUrl());
  }

  private Future<Void> openDatabase() {
    if (!ownsDatabase()) {
      return Future.succeededFuture();
    }
    DbSettings db = DbSettings.from(config());
    String check = service() + ".database";
    platform
        .management()
        .readiness(
            check,
            2000,
            promise -> {
              if (pool == null) {
                promise.complete(Status.KO(new JsonObject().put("reason", "migrating")));
                return;
              }
              pool.query("SELECT 1")
                  .execute()
                  .onSuccess(rows -> promise.tryComplete(Status.OK()))
                  .onFailure(
                      e ->
                          promise.tryComplete(
                              Status.KO(new JsonObject().put("reason", e.getMessage()))));
            });
    return Database.migrate(vertx, service(), db).map(v -> openPools(db));
  }

  /**
   * In a map, not onSuccess: a bad outbox setting (ConfigException) must fail the start, not be
   * only logged.
   */
  private Void openPools(DbSettings db) {
    pool = Database.pool(vertx, service(), db);
    relayPool = Database.bookkeepingPool(vertx, service(), db);
    relay = new OutboxRelay(vertx, pool, relayPool, config());
    return null;
  }
}
