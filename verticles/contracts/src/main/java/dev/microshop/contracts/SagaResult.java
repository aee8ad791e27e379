package dev.microshop.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * What a participant answers to a saga command that has a result ({@link
 * InventoryApi#RESERVE_STOCK}, {@link PaymentsApi#CHARGE}), in the reply the command's relay waits
 * for: {@code {result: <type>, orderId, ...}}. Written and read only through these records, by both
 * sides. Readers ignore unknown fields, so a participant can add one without breaking orders.
 */
public sealed interface SagaResult
    permits SagaResult.StockReserved,
        SagaResult.StockRejected,
        SagaResult.PaymentCharged,
        SagaResult.PaymentDeclined {
  /** The field that names the result's type. */
  String TYPE_FIELD = "result";

  UUID orderId();

  /** Which result this is: an enum, so a {@code switch} over it is checked for every kind. */
  Kind kind();

  JsonObject toJson();

  /** The kinds of result, with the name each has on the wire. */
  enum Kind {
    STOCK_RESERVED(StockReserved.TYPE),
    STOCK_REJECTED(StockRejected.TYPE),
    PAYMENT_CHARGED(PaymentCharged.TYPE),
    PAYMENT_DECLINED(PaymentDeclined.TYPE);

    private final String type;

    Kind(String type) {
      this.type = type;
    }

    public String type() {
      return type;
    }
  }

  /**
   * Reads an answer.
   *
   * @throws IllegalArgumentException naming what is missing or unknown
   */
  static SagaResult fromJson(JsonObject json) {
    String type = String.valueOf(json.getValue(TYPE_FIELD));
    try {
      return read(type, json);
    } catch (NullPointerException | ClassCastException e) {
      throw new IllegalArgumentException("malformed " + type + ": " + e.getMessage(), e);
    }
  }

  private static SagaResult read(String type, JsonObject json) {
    UUID orderId = uuid(json, "orderId");
    return switch (type) {
      case StockReserved.TYPE ->
          new StockReserved(
              orderId,
              json.getJsonArray("lines", new JsonArray()).stream()
                  .map(line -> PricedLine.fromJson((JsonObject) line))
                  .toList(),
              json.getLong("totalMinor"),
              json.getString("currency"));
      case StockRejected.TYPE ->
          new StockRejected(orderId, StockRejected.Reason.valueOf(json.getString("reason")));
      case PaymentCharged.TYPE ->
          new PaymentCharged(orderId, json.getLong("amountMinor"), json.getString("currency"));
      case PaymentDeclined.TYPE ->
          new PaymentDeclined(orderId, PaymentDeclined.Reason.valueOf(json.getString("reason")));
      default -> throw new IllegalArgumentException("unknown saga result \"" + type + "\"");
    };
  }

  /** Every line was reserved, at inventory's prices of the moment. */
  record StockReserved(UUID orderId, List<PricedLine> lines, long totalMinor, String currency)
      implements SagaResult {
    public static final String TYPE = "orders.saga.stock-reserved";

    @Override
    public Kind kind() {
      return Kind.STOCK_RESERVED;
    }

    @Override
    public JsonObject toJson() {
      return head(TYPE, orderId)
          .put("lines", new JsonArray(lines.stream().map(PricedLine::toJson).toList()))
          .put("totalMinor", totalMinor)
          .put("currency", currency);
    }
  }

  /** One reserved line: {@code priceMinor} is the unit price. */
  record PricedLine(UUID productId, int quantity, long priceMinor, String currency, String name) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("productId", productId.toString())
          .put("quantity", quantity)
          .put("priceMinor", priceMinor)
          .put("currency", currency)
          .put("name", name);
    }

    static PricedLine fromJson(JsonObject json) {
      return new PricedLine(
          uuid(json, "productId"),
          json.getInteger("quantity"),
          json.getLong("priceMinor"),
          json.getString("currency"),
          json.getString("name"));
    }
  }

  /** Nothing was reserved. */
  record StockRejected(UUID orderId, Reason reason) implements SagaResult {
    public static final String TYPE = "orders.saga.stock-rejected";

    @Override
    public Kind kind() {
      return Kind.STOCK_REJECTED;
    }

    /** Why: also the order's cancellation reason. */
    public enum Reason {
      OUT_OF_STOCK,
      UNKNOWN_PRODUCT,
      MIXED_CURRENCY
    }

    @Override
    public JsonObject toJson() {
      return head(TYPE, orderId).put("reason", reason.name());
    }
  }

  /** The order's total was charged to the wallet. */
  record PaymentCharged(UUID orderId, long amountMinor, String currency) implements SagaResult {
    public static final String TYPE = "orders.saga.payment-charged";

    @Override
    public Kind kind() {
      return Kind.PAYMENT_CHARGED;
    }

    @Override
    public JsonObject toJson() {
      return head(TYPE, orderId).put("amountMinor", amountMinor).put("currency", currency);
    }
  }

  /** Nothing was charged. */
  record PaymentDeclined(UUID orderId, Reason reason) implements SagaResult {
    public static final String TYPE = "orders.saga.payment-declined";

    @Override
    public Kind kind() {
      return Kind.PAYMENT_DECLINED;
    }

    /** Why the wallet refused. */
    public enum Reason {
      INSUFFICIENT_FUNDS,
      CURRENCY_MISMATCH
    }

    @Override
    public JsonObject toJson() {
      return head(TYPE, orderId).put("reason", reason.name());
    }
  }

  private static JsonObject head(String type, UUID orderId) {
    return new JsonObject().put(TYPE_FIELD, type).put("orderId", orderId.toString());
  }

  private static UUID uuid(JsonObject json, String field) {
    String value = json.getString(field);
    if (value == null) {
      throw new IllegalArgumentException(field + " is missing");
    }
    return UUID.fromString(value);
  }
}
