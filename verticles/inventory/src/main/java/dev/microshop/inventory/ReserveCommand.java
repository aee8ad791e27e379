package dev.microshop.inventory;

import dev.microshop.contracts.SagaResult.StockRejected;
import dev.microshop.platform.request.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
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
    JsonArray array = fields.array("lines", true, 1, MAX_LINES);
    List<Line> lines = new ArrayList<>();
    Set<UUID> distinct = new HashSet<>();
    for (int i = 0; array != null && i < array.size(); i++) {
      Line line = line(fields.element("lines", array, i, "{productId, quantity}"));
      if (line != null && !distinct.add(line.productId())) {
        fields.reject(
            "lines." + i + ".productId",
            "must name each product once (" + line.productId() + " is repeated)");
      }
      lines.add(line);
    }
    fields.check();
    return new ReserveCommand(
        orderId, lines.stream().sorted(Comparator.comparing(Line::productId)).toList());
  }

  private static Line line(Fields line) {
    if (line == null) {
      return null;
    }
    UUID productId = line.uuid("productId", true);
    Long quantity = line.integer("quantity", true, 1, ProductValidator.MAX_AVAILABLE);
    return productId == null || quantity == null ? null : new Line(productId, quantity.intValue());
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
