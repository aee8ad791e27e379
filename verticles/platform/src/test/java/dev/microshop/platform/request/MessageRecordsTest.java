package dev.microshop.platform.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.Events.OrderCancelled;
import dev.microshop.contracts.Events.OrderConfirmed;
import dev.microshop.contracts.Events.UserRegistered;
import dev.microshop.contracts.InventoryApi.CommitStock;
import dev.microshop.contracts.InventoryApi.ReleaseStock;
import dev.microshop.contracts.InventoryApi.ReserveStock;
import dev.microshop.contracts.PaymentsApi.Charge;
import dev.microshop.contracts.PaymentsApi.Refund;
import dev.microshop.platform.messaging.FieldError;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every command and event record of the contracts reads back what it writes, and a body that is not
 * one fails naming each bad field: the one JSON mapping both sides use.
 */
class MessageRecordsTest {
  private static final UUID ORDER = UUID.randomUUID();
  private static final UUID USER = UUID.randomUUID();

  @Test
  void everyRecordReadsBackWhatItWrites() {
    ReserveStock reserve =
        new ReserveStock(
            ORDER,
            List.of(
                new ReserveStock.Line(UUID.randomUUID(), 2),
                new ReserveStock.Line(UUID.randomUUID(), 1)));
    assertThat(Fields.read(reserve.toJson(), ReserveStock::read)).isEqualTo(reserve);
    assertThat(Fields.read(new ReleaseStock(ORDER).toJson(), ReleaseStock::read))
        .isEqualTo(new ReleaseStock(ORDER));
    assertThat(Fields.read(new CommitStock(ORDER).toJson(), CommitStock::read))
        .isEqualTo(new CommitStock(ORDER));
    Charge charge = new Charge(ORDER, USER, 3990, "EUR");
    assertThat(Fields.read(charge.toJson(), Charge::read)).isEqualTo(charge);
    assertThat(Fields.read(new Refund(ORDER).toJson(), Refund::read)).isEqualTo(new Refund(ORDER));
    OrderConfirmed confirmed = new OrderConfirmed(ORDER, USER, 3990, "EUR");
    assertThat(Fields.read(confirmed.toJson(), OrderConfirmed::read)).isEqualTo(confirmed);
    OrderCancelled cancelled = new OrderCancelled(ORDER, USER, "OUT_OF_STOCK");
    assertThat(Fields.read(cancelled.toJson(), OrderCancelled::read)).isEqualTo(cancelled);
    UserRegistered registered = new UserRegistered(USER, "ann@example.com", "Ann");
    assertThat(Fields.read(registered.toJson(), UserRegistered::read)).isEqualTo(registered);
  }

  @Test
  void unknownFieldsAreIgnoredSoAProducerCanAddOne() {
    JsonObject newer = new Refund(ORDER).toJson().put("messageId", "x").put("addedLater", 1);
    assertThat(Fields.read(newer, Refund::read)).isEqualTo(new Refund(ORDER));
  }

  @Test
  void aMalformedCommandFailsNamingEveryBadField() {
    JsonObject bad =
        new JsonObject()
            .put("orderId", "nope")
            .put(
                "lines",
                new JsonArray()
                    .add(new JsonObject().put("productId", UUID.randomUUID().toString()))
                    .add("x"));
    assertThatThrownBy(() -> Fields.read(bad, ReserveStock::read))
        .isInstanceOfSatisfying(
            ServiceFailure.class,
            failure ->
                assertThat(failure.errors())
                    .extracting(FieldError::field)
                    .containsExactly("orderId", "lines.0.quantity", "lines.1"));
    assertThatThrownBy(
            () ->
                Fields.read(
                    new JsonObject().put("amountMinor", -1).put("currency", "eur"), Charge::read))
        .isInstanceOfSatisfying(
            ServiceFailure.class,
            failure ->
                assertThat(failure.errors())
                    .extracting(FieldError::field)
                    .containsExactly("orderId", "userId", "amountMinor", "currency"));
  }
}
