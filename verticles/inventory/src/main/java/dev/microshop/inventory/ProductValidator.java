package dev.microshop.inventory;

import dev.microshop.contracts.Identity;
import dev.microshop.platform.request.Fields;
import dev.microshop.platform.request.Page;
import io.vertx.core.json.JsonObject;
import java.util.Currency;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns request bodies into commands, or fails with 400 naming every invalid field. The database
 * constraints back the same rules; these give the client a message it can act on.
 */
final class ProductValidator {
  static final int MAX_SKU = 64;
  static final int MAX_NAME = 200;
  static final int MAX_DESCRIPTION = 2000;
  static final long MAX_PRICE_MINOR = 1_000_000_000L;
  static final int MAX_AVAILABLE = 1_000_000;
  static final int MAX_DELTA = 1_000_000;
  static final int MAX_REASON = 200;
  static final int MAX_QUERY = 200;
  static final int MAX_LIMIT = Page.MAX_SIZE;

  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_SKU + "}");
  private static final Set<String> ISO_4217 =
      Currency.getAvailableCurrencies().stream()
          .map(Currency::getCurrencyCode)
          .collect(Collectors.toSet());

  private final int defaultLimit;

  ProductValidator(int defaultLimit) {
    this.defaultLimit = defaultLimit;
  }

  NewProduct create(JsonObject body) {
    Fields fields = new Fields(body);
    String sku =
        fields.matching(
            "sku", true, SKU, "1 to " + MAX_SKU + " characters of A-Z, a-z, 0-9, - and _");
    String name = name(fields, true);
    String description = fields.text("description", false, 0, MAX_DESCRIPTION);
    Long price = fields.integer("priceMinor", true, 0, MAX_PRICE_MINOR);
    String currency = currency(fields, true);
    Long available = fields.integer("available", true, 0, MAX_AVAILABLE);
    fields.check();
    return new NewProduct(
        sku, name, description == null ? "" : description, price, currency, available.intValue());
  }

  ProductChanges update(JsonObject body) {
    Fields fields = new Fields(body);
    UUID id = fields.uuid("id", true);
    // anyVersion (HTTP's If-Match: *) is the caller's explicit choice to overwrite whatever version
    // is current.
    boolean anyVersion = Boolean.TRUE.equals(body.getValue("anyVersion"));
    Long expected = anyVersion ? null : fields.integer("expectedVersion", true, 1, Long.MAX_VALUE);
    String name = name(fields, false);
    String description = fields.text("description", false, 0, MAX_DESCRIPTION);
    Long price = fields.integer("priceMinor", false, 0, MAX_PRICE_MINOR);
    String currency = currency(fields, false);
    // Silently ignoring these would let an admin believe a change was made.
    if (fields.has("sku")) {
      fields.reject("sku", "cannot be changed: a SKU identifies the product in orders");
    }
    if (fields.has("available")) {
      fields.reject(
          "available", "cannot be set by an update: adjust the stock with inventory.stock.adjust");
    }
    if (fields.valid()
        && name == null
        && description == null
        && price == null
        && currency == null) {
      fields.rejectBody(
          "nothing to update: give at least one of name, description, priceMinor, currency");
    }
    fields.check();
    return new ProductChanges(id, expected, name, description, price, currency);
  }

  StockAdjustment adjust(JsonObject body, Identity caller) {
    Fields fields = new Fields(body);
    UUID id = fields.uuid("id", true);
    Long delta = fields.integer("delta", true, -MAX_DELTA, MAX_DELTA);
    if (delta != null && delta == 0) {
      fields.reject("delta", "must not be 0");
    }
    String reason = fields.text("reason", true, 1, MAX_REASON);
    UUID messageId = fields.uuid("messageId", false);
    fields.check();
    return new StockAdjustment(id, delta.intValue(), reason, caller.userId(), messageId);
  }

  UUID id(JsonObject body) {
    Fields fields = new Fields(body);
    UUID id = fields.uuid("id", true);
    fields.check();
    return id;
  }

  PageRequest page(JsonObject body) {
    Fields fields = new Fields(body);
    String query = fields.text("q", false, 0, MAX_QUERY);
    String cursor = fields.cursor(Cursor.MAX_TOKEN_LENGTH);
    long limit = fields.integer("limit", 1, MAX_LIMIT, defaultLimit);
    fields.check();
    return new PageRequest(
        query == null || query.isEmpty() ? null : query,
        cursor == null ? Cursor.START : Cursor.decode(cursor),
        (int) limit);
  }

  private static String name(Fields fields, boolean required) {
    return fields.line("name", required, 1, MAX_NAME);
  }

  private static String currency(Fields fields, boolean required) {
    String currency = fields.currency("currency", required);
    if (currency != null && !ISO_4217.contains(currency)) {
      return fields.reject("currency", currency + " is not an ISO 4217 code");
    }
    return currency;
  }
}
