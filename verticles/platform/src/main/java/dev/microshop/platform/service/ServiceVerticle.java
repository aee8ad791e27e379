package dev.microshop.platform.service;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.InstanceInfo;
import dev.microshop.platform.messaging.Consumers;
import dev.microshop.platform.messaging.IdempotentConsumers;
import dev.microshop.platform.messaging.OutboxGauges;
import dev.microshop.platform.messaging.OutboxRelay;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.messaging.TxEffect;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
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
   * Delivers this service's outbox. Write messages in {@link #transaction} and they leave at the
   * commit; after any other transaction that added messages, call {@code relay.kick()}.
   */
  protected OutboxRelay relay;

  private OutboxGauges gauges;

  private ServiceDatabase database;
  private IdempotentConsumers idempotent;
  private Registration registration;

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
    registration = new Registration(vertx, platform.discovery(), service());
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
        .compose(v -> registration.publish(this::info))
        .onSuccess(v -> LOG.info("{} instance {} ready", service(), instanceId));
  }

  @Override
  public Future<?> stop() {
    Future<Void> withdrawn = registration.withdraw();
    long drainMs = config().getJsonObject("shutdown").getLong("drainMs");
    return withdrawn
        .compose(v -> consumers.drain(drainMs))
        .onComplete(
            v -> {
              if (relay != null) {
                relay.stop();
              }
              if (gauges != null) {
                gauges.stop();
              }
            })
        .compose(v -> stopService())
        .eventually(() -> database == null ? Future.succeededFuture() : database.close())
        .onComplete(v -> LOG.info("{} instance {} stopped", service(), instanceId));
  }

  /**
   * Registers an idempotent consumer: the message's {@code messageId} is recorded in the inbox in
   * the same transaction as {@code effect}, so a redelivery is acknowledged and changes nothing;
   * messages the effect added to the outbox are relayed right after the commit. The reply is an
   * empty acknowledgement.
   */
  protected Future<Void> reliably(String address, TxEffect effect) {
    return idempotent.reliably(address, effect);
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
    return idempotent.reliablyInOneStatement(address, sql, parameters, committed);
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
    return idempotent.answering(address, effect);
  }

  /**
   * Like {@link #answering(String, TxEffect)}, but {@code before} runs first, outside the
   * transaction, for work too slow to hold a connection and row locks (a call to an external
   * provider). It runs again on a redelivery, so it must be safe to repeat.
   */
  protected Future<Void> answering(
      String address, Function<JsonObject, Future<?>> before, TxEffect effect) {
    return idempotent.answering(address, before, effect);
  }

  /**
   * Runs {@code work} in one transaction; what it adds to the outbox is sent as soon as it commits.
   */
  protected <T> Future<T> transaction(Function<SqlConnection, Future<T>> work) {
    return relay.transaction(work);
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
    database = new ServiceDatabase(vertx, service(), config());
    return database
        .open(platform.management())
        .map(
            v -> {
              pool = database.pool();
              relay = database.relay();
              // this::transaction, not the relay: a test may replace the relay later.
              idempotent =
                  new IdempotentConsumers(vertx, consumers, pool, this::transaction, service());
              return null;
            });
  }

  private Future<Void> deadLetterConsumers() {
    if (!ownsDatabase()) {
      return Future.succeededFuture();
    }
    return new DeadLetterAdmin(consumers, service(), pool, () -> relay.kick()).register();
  }

  private void startRelay() {
    if (relay != null) {
      relay.start();
      gauges = new OutboxGauges(vertx, pool, service());
      gauges.start();
    }
  }
}
