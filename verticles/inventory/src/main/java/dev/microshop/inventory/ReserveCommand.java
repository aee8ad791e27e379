package dev.microshop.inventory;

import dev.microshop.contracts.InventoryApi.ReserveStock;
import dev.microshop.contracts.SagaResult.StockRejected;
import dev.microshop.platform.messaging.FieldError;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.request.Fields;
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
    ReserveStock command = Fields.read(body, ReserveStock::read);
    List<Line> lines = new ArrayList<>();
    Set<UUID> distinct = new HashSet<>();
    List<FieldError> repeated = new ArrayList<>();
    for (ReserveStock.Line line : command.lines()) {
      if (!distinct.add(line.productId())) {
        String field = "lines." + lines.size() + ".productId";
        repeated.add(
            new FieldError(
                field,
                field + " must name each product once (" + line.productId() + " is repeated)"));
      }
      lines.add(new Line(line.productId(), line.quantity()));
    }
    if (!repeated.isEmpty()) {
      throw ServiceFailure.invalid(repeated);
    }
    return new ReserveCommand(
        command.orderId(), lines.stream().sorted(Comparator.comparing(Line::productId)).toList());
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
