package dev.microshop.platform.messaging;

import static dev.microshop.testkit.ServiceHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.platform.db.Transactions;
import dev.microshop.platform.testing.ProbeService;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit on the real PostgreSQL: what arrives while a transaction runs shares the next one, a
 * failing item costs the others only a retry alone, and each item runs on its own context.
 */
class TransactionGroupsIT {
  private static ServiceHarness harness;
  private static Pool pool;
  private TransactionGroups groups;

  /** What one item saw: its transaction, and whether it ran on the context it came from. */
  record Seen(long txid, boolean ownContext) {}

  @BeforeAll
  static void start() throws Exception {
    harness = ServiceHarness.start(Services.ORDERS, ProbeService::new, Map.of());
    pool = harness.pool();
    try (Connection c = harness.sql();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS group_probe (id integer PRIMARY KEY)");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      // The database is shared with the module's other tests, which list its tables.
      try (Connection c = harness.sql();
          Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS group_probe");
      }
    }
    if (pool != null) {
      await(pool.close());
    }
    if (harness != null) {
      harness.close();
    }
  }

  @BeforeEach
  void empty() throws Exception {
    try (Connection c = harness.sql();
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM group_probe");
    }
    groups = new TransactionGroups(harness.vertx(), this::transaction);
  }

  private <T> Future<T> transaction(Function<SqlConnection, Future<T>> work) {
    return Transactions.run(pool, work);
  }

  @Test
  void whatArrivesWhileATransactionRunsSharesTheNextOne() throws Exception {
    List<Future<Seen>> seen = submit(List.of(1, 2, 3, 4, 5, 6, 7, 8));

    List<Long> txids = txids(seen);
    // The first ran alone, at once; the seven that came while it ran, together.
    assertThat(txids.get(0)).isNotEqualTo(txids.get(1));
    assertThat(Set.copyOf(txids.subList(1, 8))).hasSize(1);
    assertThat(seen).allSatisfy(s -> assertThat(s.result().ownContext()).isTrue());
    assertThat(rows()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void aFailingItemIsRefusedAloneAndTheOthersAreAppliedAloneAfterTheGroupRollsBack()
      throws Exception {
    // 4 twice: the second insert of the group breaks the primary key and the group rolls back.
    List<Future<Seen>> seen = submit(List.of(1, 2, 3, 4, 4, 5, 6));

    assertThat(seen.get(4).failed()).isTrue();
    assertThat(seen.get(4).cause()).isInstanceOf(PgException.class);
    List<Future<Seen>> applied = new ArrayList<>(seen);
    applied.remove(4);
    assertThat(applied).allSatisfy(s -> assertThat(s.succeeded()).isTrue());
    // Each item after the first ran again in a transaction of its own.
    assertThat(Set.copyOf(txids(applied))).hasSize(applied.size());
    assertThat(rows()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void aLoneItemRunsAtOnceInItsOwnTransaction() throws Exception {
    List<Long> txids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      txids.addAll(txids(submit(List.of(i))));
    }
    assertThat(Set.copyOf(txids)).hasSize(3);
    assertThat(rows()).containsExactly(1, 2, 3);
  }

  @Test
  void aWorkThatThrowsFailsItselfOnlyAndTheKeyGoesOn() throws Exception {
    // 0 throws before issuing a statement (the context would swallow it); the others come after.
    List<Future<Seen>> seen = submit(List.of(1, 0, 2, 3));

    assertThat(seen.get(1).failed()).isTrue();
    assertThat(seen.get(1).cause()).hasMessage("a work that throws");
    assertThat(List.of(seen.get(0), seen.get(2), seen.get(3)))
        .allSatisfy(s -> assertThat(s.succeeded()).isTrue());
    assertThat(rows()).containsExactly(1, 2, 3);
    assertThat(txids(submit(List.of(4)))).hasSize(1);
  }

  /**
   * Submits one insert per id, all in one turn of the event loop, each from a context of its own
   * (as the event bus delivers messages), and waits for every outcome.
   */
  private List<Future<Seen>> submit(List<Integer> ids) throws Exception {
    Promise<List<Future<Seen>>> submitted = Promise.promise();
    ContextInternal loop = (ContextInternal) harness.vertx().getOrCreateContext();
    loop.runOnContext(
        v -> {
          List<Future<Seen>> outcomes = new ArrayList<>();
          for (int id : ids) {
            ContextInternal own = loop.duplicate();
            own.dispatch(() -> outcomes.add(groups.run("probe", tx -> insert(tx, id, own))));
          }
          submitted.complete(outcomes);
        });
    List<Future<Seen>> outcomes = await(submitted.future());
    await(Future.join(outcomes).recover(e -> Future.succeededFuture()));
    return outcomes;
  }

  private static Future<Seen> insert(SqlConnection tx, int id, Context own) {
    if (id == 0) {
      throw new IllegalStateException("a work that throws");
    }
    boolean ownContext = own == io.vertx.core.Vertx.currentContext();
    return tx.preparedQuery("INSERT INTO group_probe (id) VALUES ($1) RETURNING txid_current()")
        .execute(Tuple.of(id))
        .map(rows -> new Seen(rows.iterator().next().getLong(0), ownContext));
  }

  private static List<Long> txids(List<Future<Seen>> seen) {
    return seen.stream().map(s -> s.result().txid()).toList();
  }

  private static Set<Integer> rows() throws Exception {
    Set<Integer> ids = new TreeSet<>();
    try (Connection c = harness.sql();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id FROM group_probe")) {
      while (r.next()) {
        ids.add(r.getInt(1));
      }
    }
    return ids;
  }
}
