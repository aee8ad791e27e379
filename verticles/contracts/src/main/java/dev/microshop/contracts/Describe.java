package dev.microshop.contracts;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/** Request body of {@link Addresses#describe} and {@link Addresses#ping}. */
public record Describe(String messageId, Instant occurredAt) {

  public static Describe now() {
    return new Describe(UUID.randomUUID().toString(), Instant.now());
  }

  public JsonObject toJson() {
    return new JsonObject().put("messageId", messageId).put("occurredAt", occurredAt.toString());
  }

  public static Describe fromJson(JsonObject json) {
    String at = json.getString("occurredAt");
    return new Describe(
        json.getString("messageId"), at == null ? Instant.now() : Instant.parse(at));
  }
}
