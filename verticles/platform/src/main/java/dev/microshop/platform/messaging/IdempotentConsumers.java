package dev.microshop.platform.messaging;

import dev.microshop.contracts.RelayBatch;
import dev.microshop.platform.observability.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Consumers that record each message id in the {@link Inbox} with their effect, so a redelivery
 * changes nothing. The ways to register them are documented where services call them ({@code
 * ServiceVerticle.reliably}, {@code reliablyInOneStatement}, {@code answering}).
 *
 * <p>A redelivery the inbox refuses is counted in {@code microshop_inbox_duplicates_total} by
 * service and consumer (the address, a constant), at zero from the consumer's registration. A
 * one-statement consumer's redelivery is not counted: its statement yields no row then, which it
 * may also yield on a first delivery, so it cannot be told apart.
 */
public final class IdempotentConsumers {
  private final Consumers consumers;
  private final Pool pool;
  private final TransactionGroups transactions;
  private final String service;

  /**
   * The messages of one address that arrive while its transaction runs are applied together in the
   * next ({@link TransactionGroups}).
   */
  public IdempotentConsumers(
      Vertx vertx,
      Consumers consumers,
      Pool pool,
      RelayedTransactions transactions,
      String service) {
    this.consumers = consumers;
    this.pool = pool;
    this.transactions = new TransactionGroups(vertx, transactions);
    this.service = service;
  }

  static final String DUPLICATES = "microshop.inbox.duplicates";

  /**
   * The counter of {@code address}'s refused redeliveries, registered (at zero) on first use.
   * Looked up again at each duplicate (they are rare): the JVM's registry outlives no Vert.x
   * instance.
   */
  private Counter duplicates(String address) {
    return Counter.builder(DUPLICATES)
        .description("Redelivered messages the inbox recognised and acknowledged without effect")
        .tag("service", service)
        .tag("consumer", address)
        .register(Metrics.registry());
  }

  /** The effect and the inbox insert in one transaction; the reply is an empty acknowledgement. */
  public Future<Void> reliably(String address, TxEffect effect) {
    duplicates(address); // at zero from now
    return relayed(
        address,
        body ->
            transactions
                .run(address, tx -> once(tx, address, body, effect))
                .recover(
                    failure -> {
                      if (failure instanceof Inbox.Duplicate) {
                        duplicates(address).increment();
                        return Future.succeededFuture();
                      }
                      return Future.failedFuture(failure);
                    })
                .map(v -> new JsonObject()));
  }

  /** The effect fused with the inbox insert into one statement ({@code first} CTE, $3 onwards). */
  public Future<Void> reliablyInOneStatement(
      String address,
      String sql,
      Function<JsonObject, Tuple> parameters,
      Consumer<RowSet<Row>> committed) {
    String fused = OutboxSql.FIRST_DELIVERY_CTE + sql;
    return relayed(
        address,
        body -> {
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

  /** Like {@link #reliably}, but the reply is the effect's answer, the same for a redelivery. */
  public Future<Void> answering(String address, TxEffect effect) {
    return answering(address, body -> Future.succeededFuture(), effect);
  }

  /**
   * Like {@link #answering(String, TxEffect)}, with {@code before} run first, outside the
   * transaction: a slow call (an external provider) must not hold a pooled connection and the
   * effect's row locks while it waits. Its failure fails the message, which is then not recorded.
   */
  public Future<Void> answering(
      String address, Function<JsonObject, Future<?>> before, TxEffect effect) {
    duplicates(address); // at zero from now
    return relayed(
        address,
        body ->
            before
                .apply(body)
                .compose(v -> transactions.run(address, tx -> once(tx, address, body, effect)))
                .recover(
                    failure -> {
                      if (failure instanceof Inbox.Duplicate duplicate) {
                        duplicates(address).increment();
                        return duplicate.effect().map(a -> (Object) a);
                      }
                      return Future.failedFuture(failure);
                    })
                .compose(
                    answer ->
                        answer instanceof JsonObject json
                            ? Future.succeededFuture(json)
                            : Future.failedFuture(
                                new IllegalStateException(address + " yielded no answer"))));
  }

  /**
   * Registers {@code item} for the messages of {@code address} one by one, and for its {@link
   * RelayBatch batches}: each item of a batch is applied as it would be alone, the items together
   * in one group of {@link TransactionGroups}, and the reply carries each one's outcome.
   */
  private Future<Void> relayed(String address, Function<JsonObject, Future<JsonObject>> item) {
    return Future.all(
            consumers.on(address, msg -> applied(item, msg.body())),
            consumers.on(RelayBatch.address(address), msg -> batch(address, msg.body(), item)))
        .mapEmpty();
  }

  private Future<JsonObject> batch(
      String address, JsonObject body, Function<JsonObject, Future<JsonObject>> item) {
    if (body == null
        || !(body.getValue(RelayBatch.ITEMS) instanceof JsonArray items)
        || items.isEmpty()
        || items.size() > RelayBatch.MAX_ITEMS) {
      return Future.failedFuture(
          ServiceFailure.invalid(
              RelayBatch.ITEMS,
              RelayBatch.ITEMS + " must be 1 to " + RelayBatch.MAX_ITEMS + " messages"));
    }
    List<Future<JsonObject>> each = new ArrayList<>(items.size());
    transactions.together(
        address,
        () -> {
          for (Object message : items) {
            each.add(
                message instanceof JsonObject json
                    ? applied(item, json)
                    : Future.failedFuture(
                        ServiceFailure.invalid(
                            FieldError.WHOLE_BODY, "a message is a JSON object")));
          }
        });
    return Future.join(each)
        .transform(
            settled -> {
              List<RelayBatch.Outcome> outcomes = new ArrayList<>(each.size());
              for (Future<JsonObject> one : each) {
                if (one.succeeded()) {
                  outcomes.add(RelayBatch.Outcome.answered(one.result()));
                } else {
                  ReplyException failure = consumers.failure(address, one.cause());
                  outcomes.add(
                      RelayBatch.Outcome.failed(failure.failureCode(), failure.getMessage()));
                }
              }
              return Future.succeededFuture(RelayBatch.reply(outcomes));
            });
  }

  /** One message's outcome, also when the consumer throws (a malformed body, say). */
  private static Future<JsonObject> applied(
      Function<JsonObject, Future<JsonObject>> item, JsonObject body) {
    try {
      return item.apply(body == null ? new JsonObject() : body);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
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
}
