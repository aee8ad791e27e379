package dev.microshop.platform.messaging;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Group commit in the application: work for one key (a consumer's address, an answered destination)
 * that arrives while a transaction for that key runs is applied together in the next one, up to
 * {@link #MAX_GROUP} items. A group is whatever is already waiting, never a timer: at low load
 * every item runs alone, as soon as it arrives, and nothing waits for company.
 *
 * <p>Why: an order's saga is seven durable commits in four databases, and at a few hundred orders a
 * second the BEGIN and COMMIT of each (two statements, a WAL flush, a pooled connection) were a
 * fifth of PostgreSQL's work. A group pays them once.
 *
 * <p>Each item keeps what it had alone:
 *
 * <ul>
 *   <li>its outcome: items run one after the other in the group's transaction (never interleaved,
 *       so an item reads what the previous ones wrote, as it would have after their commits);
 *   <li>its isolation: when any item fails (a duplicate delivery, a refusal, a deadlock), the group
 *       is rolled back and each item runs again alone, in its own transaction, so one bad message
 *       costs the others a retry, never their effect;
 *   <li>its trace: each item's work runs on the Vert.x context it arrived on, so its statements and
 *       the messages it writes stay in its own trace, not in the first item's;
 *   <li>its messages: they leave at the group's commit, as they would at the item's ({@link
 *       OutboxRelay#transaction}).
 * </ul>
 *
 * <p>Confined to the event loop of its first caller (a service verticle has one); a caller on any
 * other thread runs alone, as before.
 */
public final class TransactionGroups {
  /**
   * Enough to pay BEGIN/COMMIT once for a burst; small enough that a rolled-back group is cheap.
   */
  public static final int MAX_GROUP = 32;

  private final Vertx vertx;
  private final RelayedTransactions transactions;
  private final Map<String, Group> groups = new HashMap<>();

  /** The event loop thread that owns {@link #groups}: the first to call, once and for all. */
  private final AtomicReference<Thread> owner = new AtomicReference<>();

  private record Item<T>(
      ContextInternal context, Function<SqlConnection, Future<T>> work, Promise<T> promise) {}

  private static final class Group {
    final Deque<Item<?>> waiting = new ArrayDeque<>();
    boolean running;
  }

  public TransactionGroups(Vertx vertx, RelayedTransactions transactions) {
    this.vertx = vertx;
    this.transactions = transactions;
  }

  /**
   * Runs {@code work} in a transaction, alone or with the other work for {@code key} waiting when
   * the previous transaction for {@code key} ended; yields what the work yielded.
   */
  public <T> Future<T> run(String key, Function<SqlConnection, Future<T>> work) {
    Thread caller = Thread.currentThread();
    if (!owner.compareAndSet(null, caller) && owner.get() != caller) {
      return transactions.run(work);
    }
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    Promise<T> promise = context.promise();
    Group group = groups.computeIfAbsent(key, k -> new Group());
    group.waiting.add(new Item<>(context, work, promise));
    if (!group.running) {
      next(group);
    }
    return promise.future();
  }

  private void next(Group group) {
    if (group.waiting.isEmpty()) {
      group.running = false;
      return;
    }
    group.running = true;
    List<Item<?>> batch = new ArrayList<>(Math.min(group.waiting.size(), MAX_GROUP));
    while (!group.waiting.isEmpty() && batch.size() < MAX_GROUP) {
      batch.add(group.waiting.poll());
    }
    Future<?> done = batch.size() == 1 ? alone(batch.get(0)) : together(batch);
    done.onComplete(v -> next(group));
  }

  /** One transaction of its own: the item's outcome is the transaction's. */
  private <T> Future<T> alone(Item<T> item) {
    Promise<T> ran = Promise.promise();
    item.context().dispatch(() -> transactions.run(item.work()).onComplete(ran));
    return ran.future().onComplete(item.promise());
  }

  /** One transaction for every item; if it fails, each item again alone. */
  private Future<?> together(List<Item<?>> batch) {
    List<Object> results = new ArrayList<>(batch.size());
    return transactions
        .run(tx -> inOrder(tx, batch, 0, results))
        .transform(
            grouped -> {
              if (grouped.succeeded()) {
                for (int i = 0; i < batch.size(); i++) {
                  complete(batch.get(i), results.get(i));
                }
                return Future.succeededFuture();
              }
              List<Future<?>> each = new ArrayList<>(batch.size());
              batch.forEach(item -> each.add(alone(item)));
              return Future.join(each);
            });
  }

  private static Future<Void> inOrder(
      SqlConnection tx, List<Item<?>> batch, int index, List<Object> results) {
    if (index == batch.size()) {
      return Future.succeededFuture();
    }
    Item<?> item = batch.get(index);
    Promise<Object> applied = Promise.promise();
    item.context()
        .dispatch(
            () -> {
              Future<?> work;
              try {
                work = item.work().apply(tx);
              } catch (RuntimeException e) {
                work = Future.failedFuture(e);
              }
              work.<Object>map(r -> r).onComplete(applied);
            });
    return applied
        .future()
        .compose(
            result -> {
              results.add(result);
              return inOrder(tx, batch, index + 1, results);
            });
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Item<T> item, Object result) {
    item.promise().complete((T) result);
  }
}
