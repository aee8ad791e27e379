package dev.microshop.platform.messaging;

import dev.microshop.platform.observability.TraceParents;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
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
import java.util.function.Supplier;

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
 *       is rolled back and each item runs again alone, in its own transaction, one after the other
 *       in arrival order, so one bad message costs the others a retry, never their effect;
 *   <li>its trace: an item in a recorded trace never joins a group and runs alone on its own
 *       context, as before; a group runs on a context that carries no trace, so no item's message
 *       takes another's trace;
 *   <li>its messages: they leave at the group's commit, as they would at the item's ({@link
 *       OutboxRelay#transaction}).
 * </ul>
 *
 * <p>Confined to the event loop of its first caller (a service verticle has one); a caller on any
 * other thread runs alone, as before. At most {@link #MAX_WAITING} items wait per key; beyond, the
 * item is refused as busy, as a full connection pool would refuse it. Groups of different keys can
 * deadlock in PostgreSQL where single transactions would only have waited (a reserve group and a
 * release group locking the same products in a different order); PostgreSQL detects it after {@code
 * deadlock_timeout}, one group rolls back and its items run alone.
 */
public final class TransactionGroups {
  /**
   * Enough to pay BEGIN/COMMIT once for a burst; small enough that a rolled-back group is cheap.
   */
  public static final int MAX_GROUP = 32;

  /**
   * Beyond this many waiting items for one key, a new one is refused as busy (503, retried by its
   * sender) rather than queued: the same fast refusal the pool gives when its own queue is full.
   */
  public static final int MAX_WAITING = 256;

  /** The event loop thread that owns {@link #groups}: the first to call from one, for good. */
  private final AtomicReference<Thread> owner = new AtomicReference<>();

  private final Vertx vertx;
  private final RelayedTransactions transactions;
  private final Map<String, Group> groups = new HashMap<>();

  private record Item<T>(
      ContextInternal context, Function<SqlConnection, Future<T>> work, Promise<T> promise) {}

  private static final class Group {
    final Deque<Item<?>> waiting = new ArrayDeque<>();
    boolean running;
    boolean held;
  }

  public TransactionGroups(Vertx vertx, RelayedTransactions transactions) {
    this.vertx = vertx;
    this.transactions = transactions;
  }

  /**
   * Runs {@code work} in a transaction, alone or with the other work for {@code key} waiting when
   * the previous transaction for {@code key} ended; yields what the work yielded. Work in a
   * recorded trace always runs alone, on its own context, as it did before groups: within a group,
   * the statements' callbacks run on the group's connection's context, where a span of the item's
   * could not be current, and the messages it writes would not carry its trace.
   */
  public <T> Future<T> run(String key, Function<SqlConnection, Future<T>> work) {
    if (!owned() || TraceParents.sampledTraceId() != null) {
      return transactions.run(work);
    }
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    Group group = groups.computeIfAbsent(key, k -> new Group());
    if (group.waiting.size() >= MAX_WAITING) {
      return Future.failedFuture(
          new ConnectionPoolTooBusyException(
              MAX_WAITING + " transactions of " + key + " are waiting already"));
    }
    Promise<T> promise = context.promise();
    group.waiting.add(new Item<>(context, work, promise));
    if (!group.running && !group.held) {
      next(group);
    }
    return promise.future();
  }

  /**
   * Runs {@code submit}, which calls {@link #run} for {@code key} several times, and only then
   * starts a transaction: work that arrived together (a relay's batch) is one group from its first
   * item, instead of a first item alone and the rest after it.
   */
  public void together(String key, Runnable submit) {
    if (!owned()) {
      submit.run();
      return;
    }
    Group group = groups.computeIfAbsent(key, k -> new Group());
    boolean outer = group.held;
    group.held = true;
    try {
      submit.run();
    } finally {
      group.held = outer;
    }
    if (!outer && !group.running) {
      next(group);
    }
  }

  /** True on the owner event loop (which this call may make the owner). */
  private boolean owned() {
    Thread caller = Thread.currentThread();
    return Context.isOnEventLoopThread()
        && (owner.compareAndSet(null, caller) || owner.get() == caller);
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

  /** One transaction of its own, on the item's context: the item's outcome is the transaction's. */
  private <T> Future<T> alone(Item<T> item) {
    Promise<T> ran = Promise.promise();
    item.context().dispatch(() -> guarded(() -> transactions.run(item.work()), ran));
    return ran.future().onComplete(item.promise());
  }

  /**
   * One transaction for every item, on a context of its own that carries no trace (the items'
   * statements answer there); if it fails, each item again alone, one after the other, in the order
   * they came.
   */
  private Future<?> together(List<Item<?>> batch) {
    List<Object> results = new ArrayList<>(batch.size());
    Promise<Void> grouped = Promise.promise();
    ContextInternal untraced = ((ContextInternal) vertx.getOrCreateContext()).unwrap().duplicate();
    untraced.dispatch(
        () -> guarded(() -> transactions.run(tx -> inOrder(tx, batch, 0, results)), grouped));
    return grouped
        .future()
        .transform(
            done -> {
              if (done.succeeded()) {
                for (int i = 0; i < batch.size(); i++) {
                  complete(batch.get(i), results.get(i));
                }
                return Future.succeededFuture();
              }
              Future<?> each = Future.succeededFuture();
              for (Item<?> item : batch) {
                each = each.transform(previous -> alone(item));
              }
              return each;
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
        .dispatch(() -> guarded(() -> item.work().apply(tx).map(r -> (Object) r), applied));
    return applied
        .future()
        .compose(
            result -> {
              results.add(result);
              return inOrder(tx, batch, index + 1, results);
            });
  }

  /**
   * Runs {@code start} and completes {@code outcome} with what it yields, also when it throws or
   * yields nothing: the context would swallow a throw, and the key would wait forever.
   */
  private static <T> void guarded(Supplier<Future<T>> start, Promise<T> outcome) {
    Future<T> started;
    try {
      started = start.get();
    } catch (Throwable e) {
      started = Future.failedFuture(e);
    }
    if (started == null) {
      started = Future.failedFuture(new IllegalStateException("the work yielded no future"));
    }
    started.onComplete(outcome);
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Item<T> item, Object result) {
    item.promise().complete((T) result);
  }
}
