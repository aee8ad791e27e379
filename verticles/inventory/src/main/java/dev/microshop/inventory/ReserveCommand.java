package dev.microshop.inventory;

import dev.microshop.contracts.SagaResult.StockRejected;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A validated {@code inventory.stock.reserve}: the order's lines, sorted by product id (the order
 * in which their rows are locked).
 */
record ReserveCommand(UUID orderId, List<Line> lines) {
  static final int MAX_LINES = 100;
  static final String OUT_OF_STOCK = StockRejected.Reason.OUT_OF_STOCK.name();
  static final String UNKNOWN_PRODUCT = StockRejected.Reason.UNKNOWN_PRODUCT.name();
  static final String MIXED_CURRENCY = StockRejected.Reason.MIXED_CURRENCY.name();

  record Line(UUID productId, int quantity) {}

  /** A product's row as the reservation sees it, locked. */
  record Stock(String currency, int available) {}

  /**
   * Fails with 400 naming every problem: a malformed command is a sender's bug, not a rejection.
   */
  static ReserveCommand from(JsonObject body) {
    Fields fields = new Fields(body);
    UUID orderId = fields.uuid("orderId", true);
    List<Line> lines = List.of();
    if (!(body.getValue("lines") instanceof JsonArray array)
        || array.isEmpty()
        || array.size() > MAX_LINES) {
      fields.reject("lines must be an array of 1 to " + MAX_LINES + " lines");
    } else {
      lines = array.stream().map(line -> line(line, fields)).toList();
    }
    fields.check();
    Set<UUID> distinct = new HashSet<>();
    lines.forEach(
        line -> {
          if (!distinct.add(line.productId())) {
            fields.reject(
                "lines must name each product once (" + line.productId() + " is repeated)");
          }
        });
    fields.check();
    return new ReserveCommand(
        orderId, lines.stream().sorted(Comparator.comparing(Line::productId)).toList());
  }

  private static Line line(Object value, Fields problems) {
    if (!(value instanceof JsonObject object)) {
      problems.reject("lines must hold objects {productId, quantity}");
      return null;
    }
    Fields line = new Fields(object);
    UUID productId = line.uuid("productId", true);
    Long quantity = line.integer("quantity", true, 1, ProductValidator.MAX_AVAILABLE);
    line.problems().forEach(problem -> problems.reject("lines: " + problem));
    return line.problems().isEmpty() ? new Line(productId, quantity.intValue()) : null;
  }

  /**
   * Why the order cannot be reserved from {@code stock} (the locked rows of the products that
   * exist), or null when every line can. An unknown product outranks a currency mix, which outranks
   * a shortage.
   */
  String rejection(Map<UUID, Stock> stock) {
    if (lines.stream().anyMatch(line -> !stock.containsKey(line.productId()))) {
      return UNKNOWN_PRODUCT;
    }
    if (stock.values().stream().map(Stock::currency).distinct().count() > 1) {
      return MIXED_CURRENCY;
    }
    return lines.stream()
            .anyMatch(line -> stock.get(line.productId()).available() < line.quantity())
        ? OUT_OF_STOCK
        : null;
  }

  UUID[] productIds() {
    return lines.stream().map(Line::productId).toArray(UUID[]::new);
  }

  Integer[] quantities() {
    return lines.stream().map(Line::quantity).toArray(Integer[]::new);
  }
}
