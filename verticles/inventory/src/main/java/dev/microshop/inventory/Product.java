package dev.microshop.inventory;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.UUID;

/** A catalog entry as stored and as it crosses the bus; {@code version} is the gateway's ETag. */
record Product(
    UUID id,
    String sku,
    String name,
    String description,
    long priceMinor,
    String currency,
    int available,
    long version,
    Instant createdAt,
    Instant updatedAt) {

  static Product from(Row row) {
    return new Product(
        row.getUUID("id"),
        row.getString("sku"),
        row.getString("name"),
        row.getString("description"),
        row.getLong("price_minor"),
        row.getString("currency"),
        row.getInteger("available"),
        row.getLong("version"),
        row.getOffsetDateTime("created_at").toInstant(),
        row.getOffsetDateTime("updated_at").toInstant());
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("sku", sku)
        .put("name", name)
        .put("description", description)
        .put("priceMinor", priceMinor)
        .put("currency", currency)
        .put("available", available)
        .put("version", version)
        .put("createdAt", createdAt.toString())
        .put("updatedAt", updatedAt.toString());
  }
}
