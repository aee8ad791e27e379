package dev.microshop.launcher.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The books after a run of orders under a fault, read as the customers see them (their ledgers and
 * notifications, over the API) and as an auditor would (the orders and outbox tables), and the
 * invariants they must keep: every order final, stock conserved, money moved only for confirmed
 * orders and at most one charge each, one notification per final order, outboxes drained.
 */
public final class OrderBooks {
  private static final Duration SETTLE = Duration.ofSeconds(30);

  /** An order's final state, and when it was reached (the database's clock, ms). */
  public record Final(
      String id,
      String customer,
      String status,
      long totalMinor,
      int quantity,
      long finishedAtMillis) {
    public boolean confirmed() {
      return status.equals("CONFIRMED");
    }
  }

  private final Api api;
  private final Db db;

  public OrderBooks(Api api, Db db) {
    this.api = api;
    this.db = db;
  }

  /**
   * Waits until no accepted order is PENDING; fails naming what is still open after timeout, or if
   * the customers have orders that no placement was answered with (an order the client was never
   * told of would make every other book wrong).
   */
  public List<Final> awaitFinal(List<OrderLoad.Sent> accepted, Duration timeout) {
    Map<String, OrderLoad.Sent> byId =
        accepted.stream().collect(Collectors.toMap(OrderLoad.Sent::orderId, s -> s));
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, String[]> rows = Map.of();
    while (System.nanoTime() < deadline) {
      rows = orderRows(accepted.stream().map(OrderLoad.Sent::customer).distinct().toList());
      Map<String, String[]> current = rows;
      long open =
          byId.keySet().stream()
              .filter(id -> !current.containsKey(id) || current.get(id)[0].equals("PENDING"))
              .count();
      if (open == 0) {
        assertThat(current.keySet())
            .as("orders in the database that no client was told of")
            .containsExactlyInAnyOrderElementsOf(byId.keySet());
        return byId.values().stream()
            .map(
                s -> {
                  String[] row = current.get(s.orderId());
                  return new Final(
                      s.orderId(),
                      s.customer(),
                      row[0],
                      Long.parseLong(row[1]),
                      s.quantity(),
                      Long.parseLong(row[2]));
                })
            .toList();
      }
      Lab.sleep(500);
    }
    throw new AssertionError("orders still PENDING after " + timeout + " (of " + rows.size() + ")");
  }

  /**
   * Stock taken equals the quantities of the confirmed orders: nothing leaked or doubled. A
   * cancelled order gives its stock back after it is final (the release travels through the
   * outbox), so the stock is read from inventory's own table until it settles, within the settle
   * time.
   */
  public void assertStockConserved(String product, int initial, List<Final> orders) {
    int confirmed = orders.stream().filter(Final::confirmed).mapToInt(Final::quantity).sum();
    long deadline = System.nanoTime() + SETTLE.toNanos();
    long taken = -1;
    while (System.nanoTime() < deadline) {
      taken =
          initial
              - db.count(
                  Services.INVENTORY,
                  "SELECT available FROM products WHERE id = ?",
                  UUID.fromString(product));
      if (taken == confirmed) {
        break;
      }
      Lab.sleep(250);
    }
    assertThat(taken).as("stock taken vs confirmed quantities").isEqualTo(confirmed);
    assertThat(api.productById(product).getInteger("available"))
        .as("available in the catalog")
        .isEqualTo(initial - confirmed);
  }

  /**
   * Per customer: the balance fell by the confirmed totals exactly; per order: at most one charge,
   * and a net of minus its total when confirmed, zero when cancelled (never charged, or refunded).
   */
  public void assertMoneyBalanced(Map<String, Long> credited, List<Final> orders) {
    Map<String, List<Final>> byCustomer =
        orders.stream().collect(Collectors.groupingBy(Final::customer));
    credited.forEach(
        (customer, credit) -> {
          List<Final> own = byCustomer.getOrDefault(customer, List.of());
          long spent = own.stream().filter(Final::confirmed).mapToLong(Final::totalMinor).sum();
          assertThat(credit - api.balance(customer)).as("money spent").isEqualTo(spent);
          Map<String, List<Long>> ledger = new HashMap<>();
          api.transactions(customer).stream()
              .map(JsonObject.class::cast)
              .filter(t -> t.getString("orderId") != null)
              .forEach(
                  t ->
                      ledger
                          .computeIfAbsent(t.getString("orderId"), k -> new ArrayList<>())
                          .add(t.getLong("amountMinor")));
          for (Final order : own) {
            List<Long> entries = ledger.getOrDefault(order.id(), List.of());
            assertThat(entries.stream().filter(a -> a < 0).count())
                .as("charges of %s", order.id())
                .isLessThanOrEqualTo(1);
            assertThat(entries.stream().mapToLong(Long::longValue).sum())
                .as("net money of %s (%s)", order.id(), order.status())
                .isEqualTo(order.confirmed() ? -order.totalMinor() : 0);
          }
        });
  }

  /** Each final order told its customer exactly once, with the kind matching its state. */
  public void assertOneNotificationEach(List<Final> orders) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    Map<String, List<String>> kinds = Map.of();
    while (System.nanoTime() < deadline) {
      kinds = notificationKinds(orders);
      Map<String, List<String>> current = kinds;
      if (orders.stream().allMatch(o -> current.containsKey(o.id()))) {
        break;
      }
      Lab.sleep(500);
    }
    for (Final order : orders) {
      assertThat(kinds.getOrDefault(order.id(), List.of()))
          .as("notifications of %s", order.id())
          .containsExactly(order.confirmed() ? "ORDER_CONFIRMED" : "ORDER_CANCELLED");
    }
  }

  /** Every service's outbox delivers everything it holds within the settle time. */
  public void assertOutboxesDrained() {
    for (String service : Services.WITH_DATABASE) {
      long deadline = System.nanoTime() + SETTLE.toNanos();
      long open = -1;
      while (System.nanoTime() < deadline) {
        open = db.count(service, "SELECT count(*) FROM outbox WHERE status <> 'DELIVERED'");
        if (open == 0) {
          break;
        }
        Lab.sleep(250);
      }
      assertThat(open).as("%s outbox messages not delivered", service).isZero();
    }
  }

  /**
   * Order id → {status, total, finished at} for every order of these customers, from the orders
   * database.
   */
  private Map<String, String[]> orderRows(List<String> customers) {
    Map<String, String[]> rows = new HashMap<>();
    customers.forEach(
        customer ->
            db.query(
                    Services.ORDERS,
                    "SELECT id::text, status, coalesce(total_minor, 0),"
                        + " (extract(epoch FROM updated_at) * 1000)::bigint FROM orders WHERE user_id = ?",
                    UUID.fromString(Api.userId(customer)))
                .forEach(
                    row ->
                        rows.put(
                            (String) row.get(0),
                            new String[] {
                              (String) row.get(1),
                              String.valueOf(row.get(2)),
                              String.valueOf(row.get(3))
                            })));
    return rows;
  }

  private Map<String, List<String>> notificationKinds(List<Final> orders) {
    Map<String, List<String>> kinds = new HashMap<>();
    orders.stream()
        .map(Final::customer)
        .distinct()
        .forEach(
            customer ->
                api.notifications(customer).stream()
                    .map(JsonObject.class::cast)
                    .filter(n -> n.getString("kind", "").startsWith("ORDER_"))
                    .forEach(
                        n ->
                            orders.stream()
                                .filter(o -> n.encode().contains(o.id()))
                                .forEach(
                                    o ->
                                        kinds
                                            .computeIfAbsent(o.id(), k -> new ArrayList<>())
                                            .add(n.getString("kind")))));
    return kinds;
  }
}
