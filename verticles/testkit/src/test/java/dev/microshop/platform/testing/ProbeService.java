package dev.microshop.platform.testing;

import dev.microshop.contracts.Services;
import dev.microshop.platform.messaging.Outbox;
import dev.microshop.platform.messaging.OutboxRelay;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A stand-in service for the outbox tests. It runs as orders (a service that owns a database) but
 * brings no migrations of its own, so its database holds the platform's outbox and inbox and the
 * test's {@code probe_effects} table.
 */
public final class ProbeService extends ServiceVerticle {
  /**
   * Reliable consumer. Body {@code {messageId, note, followUp?}}: records the message in {@code
   * probe_effects}, and the note {@code "refuse"} is then refused (400, rolling the insert back);
   * with {@code followUp} (an address) it also adds a message {@code {messageId, causedBy}} for
   * that address to the outbox, in the same transaction.
   */
  public static final String EFFECT = "orders.probe.effect";

  /**
   * Reliable consumer in one statement ({@link #reliablyInOneStatement}). Body {@code {messageId,
   * note}}: records the message in {@code probe_effects}; the note {@code "fail"} makes the
   * statement fail (a null message id).
   */
  public static final String EFFECT_IN_ONE_STATEMENT = "orders.probe.effect-in-one-statement";

  /**
   * Body {@code {messages: [{destination, payload}]}}: adds them all to the outbox in one
   * transaction, then kicks the relay, as a service does after a state change. Reply {@code
   * {added}}.
   */
  public static final String ENQUEUE = "orders.probe.enqueue";

  /** The service's own pool, for tests that look at how it connects. */
  public Pool pool() {
    return pool;
  }

  public ProbeService(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.ORDERS;
  }

  @Override
  protected Future<?> startService() {
    return Future.all(
        reliably(EFFECT, this::record),
        consumers.on(ENQUEUE, this::enqueue),
        reliablyInOneStatement(
            EFFECT_IN_ONE_STATEMENT,
            """
            INSERT INTO probe_effects (message_id, note)
            SELECT CASE WHEN $3::text = 'fail' THEN NULL ELSE message_id END, $3::text FROM first""",
            body -> Tuple.of(body.getString("note")),
            rows -> {}));
  }

  private Future<?> record(SqlConnection tx, JsonObject message) {
    String messageId = message.getString("messageId");
    Future<?> recorded =
        tx.preparedQuery("INSERT INTO probe_effects (message_id, note) VALUES ($1, $2)")
            .execute(Tuple.of(UUID.fromString(messageId), message.getString("note")))
            .compose(
                v ->
                    "refuse".equals(message.getString("note"))
                        ? Future.failedFuture(
                            ServiceFailure.invalid("note", "the probe refuses this note"))
                        : Future.succeededFuture(v));
    String followUp = message.getString("followUp");
    if (followUp == null) {
      return recorded;
    }
    return recorded.compose(
        v ->
            Outbox.add(
                tx,
                followUp,
                new JsonObject()
                    .put("messageId", UUID.randomUUID().toString())
                    .put("causedBy", messageId)));
  }

  private Future<JsonObject> enqueue(Message<JsonObject> msg) {
    JsonArray messages = msg.body().getJsonArray("messages");
    return pool.withTransaction(
            tx -> {
              List<Future<Void>> added = new ArrayList<>();
              for (int i = 0; i < messages.size(); i++) {
                JsonObject message = messages.getJsonObject(i);
                added.add(
                    Outbox.add(
                        tx, message.getString("destination"), message.getJsonObject("payload")));
              }
              return Future.all(added);
            })
        .onSuccess(v -> relay.kick())
        .map(v -> new JsonObject().put("added", messages.size()));
  }

  /**
   * Registers what the relay does with answers from {@code destination}, on the service's own event
   * loop.
   */
  public Future<Void> onAnswer(String destination, OutboxRelay.Answer answer) {
    Promise<Void> registered = Promise.promise();
    context.runOnContext(
        v -> {
          relay.onAnswer(destination, answer);
          registered.complete();
        });
    return registered.future();
  }

  /**
   * Replaces the running relay with one whose {@code outbox} settings are overridden (empty: the
   * service's own), so one test can slow the poll, stretch the backoff or deliver twice. Completes
   * once the new relay runs.
   */
  public Future<Void> replaceRelay(JsonObject outbox) {
    Promise<Void> replaced = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            JsonObject config = config().copy();
            config.getJsonObject("outbox").mergeIn(outbox);
            OutboxRelay next =
                new OutboxRelay(vertx, pool, config); // a bad setting fails the test, not hangs it
            relay.stop();
            relay = next;
            relay.start();
            replaced.complete();
          } catch (RuntimeException e) {
            replaced.fail(e);
          }
        });
    return replaced.future();
  }
}
