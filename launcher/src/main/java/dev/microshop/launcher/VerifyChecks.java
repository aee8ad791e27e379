package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The invariants {@code verify} checks, each from its own service's database ({@link VerifySql});
 * those that span services (money, notifications) compare figures read separately. Work still in
 * flight is given {@code graceSeconds} before it counts.
 */
final class VerifyChecks {
  static final String STOCK = "stock conserved per product";
  static final String MONEY = "charges - refunds = confirmed totals";
  static final String ONE_CHARGE = "at most one charge per order";
  static final String DEADLINE = "no order PENDING past its deadline";
  static final String NOTIFIED = "one notification per final order";
  static final String OUTBOX = "outbox drained or dead with a reason: ";
  static final String ACKNOWLEDGED = "every 202-acknowledged order present";

  /** An order as the money and notification checks see it. */
  private record Order(String status, long totalMinor, boolean settled) {}

  /** What payments moved for one order. */
  private record Paid(long charged, long refunded, long charges) {}

  private final ServiceConnections connections;
  private final int graceSeconds;
  private final Map<String, Connection> open = new HashMap<>();
  private String reading = "";

  VerifyChecks(ServiceConnections connections, int graceSeconds) {
    this.connections = connections;
    this.graceSeconds = graceSeconds;
  }

  /** Every check, in the table's order; {@code acknowledged} null when no file was given. */
  List<Check> run(List<UUID> acknowledged) throws SQLException {
    try {
      return checks(acknowledged);
    } catch (SQLException e) {
      // A schema that is not microshop's (a wrong db.name, a service never started) ends here.
      throw new SQLException(reading + " database: " + e.getMessage(), e.getSQLState(), e);
    } finally {
      for (Connection c : open.values()) {
        c.close();
      }
      open.clear();
    }
  }

  private List<Check> checks(List<UUID> acknowledged) throws SQLException {
    Map<String, Order> orders = orders();
    Map<String, Paid> payments = payments();
    List<Check> checks = new ArrayList<>();
    checks.add(stock());
    checks.add(money(orders, payments));
    checks.add(oneCharge(payments));
    checks.add(deadline());
    checks.add(notified(orders));
    for (String service : Services.WITH_DATABASE) {
      checks.add(outbox(service));
    }
    checks.add(
        acknowledged == null
            ? Check.notChecked(ACKNOWLEDGED, "no --acknowledged file")
            : acknowledged(acknowledged));
    return checks;
  }

  private Check stock() throws SQLException {
    Connection c = connection(Services.INVENTORY);
    try (PreparedStatement s = c.prepareStatement(VerifySql.STOCK);
        ResultSet r = s.executeQuery()) {
      r.next();
      long unbalanced = r.getLong(2);
      return Check.of(
          STOCK,
          unbalanced == 0,
          String.format(
              "%d products, %d unbalanced%s: initial+adjusted %d = available %d + reserved %d"
                  + " + sold %d",
              r.getLong(1),
              unbalanced,
              first(r.getString(7)),
              r.getLong(3),
              r.getLong(4),
              r.getLong(5),
              r.getLong(6)));
    }
  }

  private Check money(Map<String, Order> orders, Map<String, Paid> payments) {
    long charged = 0;
    long refunded = 0;
    long unknown = 0;
    for (Map.Entry<String, Paid> paid : payments.entrySet()) {
      Order order = orders.get(paid.getKey());
      if (order != null && !order.settled()) {
        continue;
      }
      unknown += order == null ? 1 : 0;
      charged += paid.getValue().charged();
      refunded += paid.getValue().refunded();
    }
    long confirmed = 0;
    long settled = 0;
    for (Order order : orders.values()) {
      if (order.settled()) {
        settled++;
        confirmed += order.status().equals("CONFIRMED") ? order.totalMinor() : 0;
      }
    }
    return Check.of(
        MONEY,
        charged - refunded == confirmed,
        String.format(
            "%d - %d = %d vs %d (%d settled orders; %d in flight not counted;"
                + " %d paid orders unknown to orders)",
            charged,
            refunded,
            charged - refunded,
            confirmed,
            settled,
            orders.size() - settled,
            unknown));
  }

  private static Check oneCharge(Map<String, Paid> payments) {
    List<String> twice = new ArrayList<>();
    long charged = 0;
    for (Map.Entry<String, Paid> paid : payments.entrySet()) {
      charged += paid.getValue().charges() > 0 ? 1 : 0;
      if (paid.getValue().charges() > 1) {
        twice.add(paid.getKey());
      }
    }
    return Check.of(
        ONE_CHARGE,
        twice.isEmpty(),
        String.format(
            "%d orders charged, %d more than once%s", charged, twice.size(), first(twice)));
  }

  private Check deadline() throws SQLException {
    Connection c = connection(Services.ORDERS);
    try (PreparedStatement s = c.prepareStatement(VerifySql.OVERDUE)) {
      s.setDouble(1, graceSeconds);
      s.setDouble(2, graceSeconds);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        long overdue = r.getLong(2);
        return Check.of(
            DEADLINE,
            overdue == 0,
            String.format(
                "%d PENDING, %d past deadline + %d s%s",
                r.getLong(1), overdue, graceSeconds, first(r.getString(3))));
      }
    }
  }

  private Check notified(Map<String, Order> orders) throws SQLException {
    Map<String, Map<String, Long>> kinds = new HashMap<>();
    Connection c = connection(Services.NOTIFICATIONS);
    try (PreparedStatement s = c.prepareStatement(VerifySql.NOTIFICATIONS);
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        kinds
            .computeIfAbsent(r.getString(1), k -> new HashMap<>())
            .put(r.getString(2), r.getLong(3));
      }
    }
    long settled = 0;
    long once = 0;
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Order> entry : orders.entrySet()) {
      Order order = entry.getValue();
      if (!order.settled()) {
        continue;
      }
      settled++;
      Map<String, Long> got = kinds.getOrDefault(entry.getKey(), Map.of());
      String expected = "ORDER_" + order.status();
      if (got.getOrDefault(expected, 0L) == 1 && got.size() == 1) {
        once++;
      } else {
        wrong.add(entry.getKey());
      }
    }
    long strays = kinds.keySet().stream().filter(id -> !orders.containsKey(id)).count();
    return Check.of(
        NOTIFIED,
        wrong.isEmpty() && strays == 0,
        String.format(
            "%d settled final orders, %d notified once with their state, %d not%s;"
                + " %d notified orders unknown to orders",
            settled, once, wrong.size(), first(wrong), strays));
  }

  private Check outbox(String service) throws SQLException {
    Connection c = connection(service);
    try (PreparedStatement s = c.prepareStatement(VerifySql.OUTBOX)) {
      s.setDouble(1, graceSeconds);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        long stale = r.getLong(2);
        long unexplained = r.getLong(4);
        return Check.of(
            OUTBOX + service,
            stale == 0 && unexplained == 0,
            String.format(
                "%d pending, %d for over %d s; %d dead, %d without last_error",
                r.getLong(1), stale, graceSeconds, r.getLong(3), unexplained));
      }
    }
  }

  private Check acknowledged(List<UUID> ids) throws SQLException {
    Connection c = connection(Services.ORDERS);
    try (PreparedStatement s = c.prepareStatement(VerifySql.MISSING)) {
      s.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      try (ResultSet r = s.executeQuery()) {
        r.next();
        long missing = r.getLong(1);
        return Check.of(
            ACKNOWLEDGED,
            missing == 0,
            String.format(
                "%d acknowledged, %d not in orders%s", ids.size(), missing, first(r.getString(2))));
      }
    }
  }

  private Map<String, Order> orders() throws SQLException {
    Map<String, Order> orders = new HashMap<>();
    Connection c = connection(Services.ORDERS);
    try (PreparedStatement s = c.prepareStatement(VerifySql.ORDERS)) {
      s.setDouble(1, graceSeconds);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          orders.put(r.getString(1), new Order(r.getString(2), r.getLong(3), r.getBoolean(4)));
        }
      }
    }
    return orders;
  }

  private Map<String, Paid> payments() throws SQLException {
    Map<String, Paid> payments = new HashMap<>();
    Connection c = connection(Services.PAYMENTS);
    try (PreparedStatement s = c.prepareStatement(VerifySql.PAYMENTS);
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        payments.put(r.getString(1), new Paid(r.getLong(2), r.getLong(3), r.getLong(4)));
      }
    }
    return payments;
  }

  /** One connection per service for the whole run: a login is most of a small check's time. */
  private Connection connection(String service) {
    reading = service;
    return open.computeIfAbsent(service, connections::open);
  }

  private static String first(String ids) {
    return ids == null || ids.isEmpty() ? "" : " (first: " + ids + ")";
  }

  private static String first(List<String> ids) {
    return first(String.join(", ", ids.stream().sorted().limit(3).toList()));
  }
}
