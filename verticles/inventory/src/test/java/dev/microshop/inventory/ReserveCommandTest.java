package dev.microshop.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.inventory.ReserveCommand.Stock;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReserveCommandTest {
  private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");
  private static final UUID ORDER = UUID.randomUUID();

  @Test
  void linesAreSortedByProductIdSoRowsAreAlwaysLockedInOneOrder() {
    ReserveCommand command = ReserveCommand.from(body(line(B, 1), line(A, 3)));

    assertThat(command.orderId()).isEqualTo(ORDER);
    assertThat(command.productIds()).containsExactly(A, B);
    assertThat(command.quantities()).containsExactly(3, 1);
  }

  @Test
  void everyProblemOfAMalformedCommandIsNamed() {
    JsonObject bad =
        new JsonObject()
            .put("orderId", "nope")
            .put(
                "lines",
                new JsonArray().add(line(A, 0)).add("x").add(new JsonObject().put("quantity", 1)));

    assertThatThrownBy(() -> ReserveCommand.from(bad))
        .isInstanceOfSatisfying(
            ServiceFailure.class,
            e -> {
              assertThat(e.code()).isEqualTo(400);
              assertThat(e.errors())
                  .extracting(error -> error.field())
                  .containsExactly("orderId", "lines.0.quantity", "lines.1", "lines.2.productId");
            })
        .hasMessageContaining("orderId must be a UUID")
        .hasMessageContaining("lines.0.quantity must be an integer from 1 to 1000000 (got 0)")
        .hasMessageContaining("lines.1 must be an object {productId, quantity}")
        .hasMessageContaining("lines.2.productId is required");
  }

  @Test
  void anUnknownProductOutranksAMixOfCurrenciesWhichOutranksAShortage() {
    ReserveCommand command = ReserveCommand.from(body(line(A, 5), line(B, 5)));

    assertThat(command.rejection(Map.of(A, new Stock("EUR", 1))))
        .isEqualTo(ReserveCommand.UNKNOWN_PRODUCT);
    assertThat(command.rejection(Map.of(A, new Stock("EUR", 1), B, new Stock("USD", 9))))
        .isEqualTo(ReserveCommand.MIXED_CURRENCY);
    assertThat(command.rejection(Map.of(A, new Stock("EUR", 4), B, new Stock("EUR", 9))))
        .isEqualTo(ReserveCommand.OUT_OF_STOCK);
    assertThat(command.rejection(Map.of(A, new Stock("EUR", 5), B, new Stock("EUR", 5)))).isNull();
  }

  private static JsonObject body(JsonObject... lines) {
    return new JsonObject()
        .put("orderId", ORDER.toString())
        .put("lines", new JsonArray(List.of((Object[]) lines)));
  }

  private static JsonObject line(UUID product, int quantity) {
    return new JsonObject().put("productId", product.toString()).put("quantity", quantity);
  }
}
