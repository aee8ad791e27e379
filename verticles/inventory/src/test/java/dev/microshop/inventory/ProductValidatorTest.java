package dev.microshop.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.Identity;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProductValidatorTest {
  private static final Identity ADMIN = new Identity("admin-1", List.of(Identity.ADMIN));
  private final ProductValidator validator = new ProductValidator(20);

  private static JsonObject valid() {
    return new JsonObject()
        .put("sku", "KIT-ESP_001")
        .put("name", "  Espresso Pot ")
        .put("description", "Moka")
        .put("priceMinor", 2950)
        .put("currency", "EUR")
        .put("available", 10);
  }

  @Test
  void acceptsAValidProductTrimmingNameAndDescription() {
    NewProduct product = validator.create(valid().put("description", " Moka pot \n"));

    assertThat(product)
        .isEqualTo(new NewProduct("KIT-ESP_001", "Espresso Pot", "Moka pot", 2950, "EUR", 10));
  }

  @Test
  void acceptsTheBoundsOfEveryRange() {
    NewProduct product =
        validator.create(
            valid()
                .put("sku", "A".repeat(64))
                .put("name", "n".repeat(200))
                .put("description", "d".repeat(2000))
                .put("priceMinor", 1_000_000_000L)
                .put("available", 1_000_000));

    assertThat(product.priceMinor()).isEqualTo(1_000_000_000L);
    assertThat(validator.create(valid().put("priceMinor", 0).put("available", 0)).available())
        .isZero();
  }

  @Test
  void theDescriptionIsOptional() {
    JsonObject body = valid();
    body.remove("description");

    assertThat(validator.create(body).description()).isEmpty();
  }

  @Test
  void ignoresFieldsItDoesNotKnow() {
    assertThat(
            validator
                .create(valid().put("messageId", UUID.randomUUID().toString()).put("colour", "red"))
                .sku())
        .isEqualTo("KIT-ESP_001");
  }

  @Test
  void namesEachInvalidFieldOfACreate() {
    assertInvalid(() -> validator.create(valid().put("sku", "")), "sku must be");
    assertInvalid(() -> validator.create(valid().put("sku", "has space")), "sku must be");
    assertInvalid(() -> validator.create(valid().put("sku", "A".repeat(65))), "sku must be");
    assertInvalid(() -> validator.create(valid().put("sku", "ÄBC")), "sku must be");
    assertInvalid(
        () -> validator.create(valid().put("name", "")), "name must be 1 to 200 characters");
    assertInvalid(
        () -> validator.create(valid().put("name", "   ")),
        "name must be 1 to 200 characters, not blank");
    assertInvalid(
        () -> validator.create(valid().put("name", "n".repeat(201))), "name must be 1 to 200");
    assertInvalid(
        () -> validator.create(valid().put("name", "tab\there")), "name must not contain control");
    assertInvalid(() -> validator.create(valid().put("name", 42)), "name must be a string");
    assertInvalid(
        () -> validator.create(valid().put("description", "d".repeat(2001))),
        "description must be at most 2000 characters");
    assertInvalid(
        () -> validator.create(valid().put("priceMinor", -1)),
        "priceMinor must be an integer from 0");
    assertInvalid(
        () -> validator.create(valid().put("priceMinor", 1_000_000_001L)), "priceMinor must be");
    assertInvalid(
        () -> validator.create(valid().put("priceMinor", 12.5)), "priceMinor must be an integer");
    assertInvalid(
        () -> validator.create(valid().put("priceMinor", 12.0)), "priceMinor must be an integer");
    assertInvalid(
        () -> validator.create(valid().put("priceMinor", "1200")), "priceMinor must be an integer");
    assertInvalid(
        () ->
            validator.create(valid().put("priceMinor", new BigInteger("99999999999999999999999"))),
        "priceMinor must be");
    assertInvalid(
        () -> validator.create(valid().put("currency", "eur")),
        "currency must be an ISO 4217 code");
    assertInvalid(() -> validator.create(valid().put("currency", "EURO")), "currency must be");
    assertInvalid(
        () -> validator.create(valid().put("currency", "XQZ")),
        "currency XQZ is not an ISO 4217 code");
    assertInvalid(
        () -> validator.create(valid().put("available", -1)),
        "available must be an integer from 0");
    assertInvalid(() -> validator.create(valid().put("available", 1_000_001)), "available must be");
  }

  @Test
  void listsEveryMissingFieldAtOnce() {
    assertThatThrownBy(() -> validator.create(new JsonObject()))
        .isInstanceOfSatisfying(ServiceFailure.class, f -> assertThat(f.code()).isEqualTo(400))
        .hasMessageContaining("sku is required")
        .hasMessageContaining("name is required")
        .hasMessageContaining("priceMinor is required")
        .hasMessageContaining("currency is required")
        .hasMessageContaining("available is required")
        .message()
        .doesNotContain("description");
  }

  @Test
  void anUpdateNeedsAnIdAVersionAndAChange() {
    String id = UUID.randomUUID().toString();
    assertInvalid(
        () -> validator.update(new JsonObject().put("expectedVersion", 1).put("name", "x")),
        "id is required");
    assertInvalid(
        () ->
            validator.update(
                new JsonObject().put("id", "42").put("expectedVersion", 1).put("name", "x")),
        "id must be a UUID");
    assertInvalid(
        () -> validator.update(new JsonObject().put("id", id).put("name", "x")),
        "expectedVersion is required");
    assertInvalid(
        () ->
            validator.update(
                new JsonObject().put("id", id).put("expectedVersion", 0).put("name", "x")),
        "expectedVersion must be an integer from 1");
    assertInvalid(
        () -> validator.update(new JsonObject().put("id", id).put("expectedVersion", 1)),
        "nothing to update");
    assertInvalid(
        () ->
            validator.update(
                new JsonObject()
                    .put("id", id)
                    .put("expectedVersion", 1)
                    .put("name", "x")
                    .put("available", 5)),
        "available cannot be set by an update");
    assertInvalid(
        () ->
            validator.update(
                new JsonObject().put("id", id).put("expectedVersion", 1).put("sku", "B")),
        "sku cannot be changed");
    assertInvalid(
        () ->
            validator.update(
                new JsonObject().put("id", id).put("expectedVersion", 1).putNull("name")),
        "name must not be null");
    assertInvalid(
        () ->
            validator.update(
                new JsonObject().put("id", id).put("expectedVersion", 1).put("priceMinor", -5)),
        "priceMinor must be");
  }

  @Test
  void anUpdateKeepsWhatItDoesNotName() {
    UUID id = UUID.randomUUID();
    ProductChanges changes =
        validator.update(
            new JsonObject()
                .put("id", id.toString().toUpperCase())
                .put("expectedVersion", 3)
                .put("priceMinor", 0));

    assertThat(changes).isEqualTo(new ProductChanges(id, 3L, null, null, 0L, null));
  }

  @Test
  void anAdjustmentNeedsANonZeroBoundedDeltaAndAReason() {
    String id = UUID.randomUUID().toString();
    JsonObject ok = new JsonObject().put("id", id).put("delta", -3).put("reason", " recount ");

    assertThat(validator.adjust(ok, ADMIN))
        .isEqualTo(new StockAdjustment(UUID.fromString(id), -3, "recount", "admin-1", null));
    assertInvalid(() -> validator.adjust(ok.copy().put("delta", 0), ADMIN), "delta must not be 0");
    assertInvalid(
        () -> validator.adjust(ok.copy().put("delta", 1_000_001), ADMIN),
        "delta must be an integer");
    assertInvalid(
        () -> validator.adjust(ok.copy().put("delta", -1_000_001), ADMIN),
        "delta must be an integer");
    assertInvalid(
        () -> validator.adjust(ok.copy().put("delta", 1.5), ADMIN), "delta must be an integer");
    assertInvalid(
        () -> validator.adjust(ok.copy().put("reason", " "), ADMIN), "reason must be 1 to 200");
    assertInvalid(
        () -> validator.adjust(ok.copy().put("reason", "r".repeat(201)), ADMIN),
        "reason must be 1 to 200");
    assertInvalid(
        () -> validator.adjust(ok.copy().put("messageId", "m-1"), ADMIN),
        "messageId must be a UUID");
  }

  @Test
  void aPageDefaultsItsLimitAndRejectsOneOutsideOneToAHundred() {
    assertThat(validator.page(new JsonObject())).isEqualTo(new PageRequest(null, Cursor.START, 20));
    assertThat(validator.page(new JsonObject().put("limit", 100).put("q", "  ")).limit())
        .isEqualTo(100);
    assertThat(validator.page(new JsonObject().put("q", "  ")).query()).isNull();
    assertInvalid(
        () -> validator.page(new JsonObject().put("limit", 0)),
        "limit must be an integer from 1 to 100");
    assertInvalid(
        () -> validator.page(new JsonObject().put("limit", 101)),
        "limit must be an integer from 1 to 100");
    assertInvalid(
        () -> validator.page(new JsonObject().put("q", "q".repeat(201))), "q must be at most 200");
    assertInvalid(() -> validator.page(new JsonObject().put("cursor", "abc def")), "cursor");
    assertInvalid(
        () -> validator.page(new JsonObject().put("cursor", "AAAA")), "cursor is malformed");
  }

  @Test
  void aPageQueryTakesLikeWildcardsLiterally() {
    assertThat(new PageRequest("50%_off\\", Cursor.START, 10).likePattern())
        .isEqualTo("%50\\%\\_off\\\\%");
    assertThat(new PageRequest("Tea", Cursor.START, 10).likePattern()).isEqualTo("%Tea%");
  }

  private static void assertInvalid(Runnable call, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ServiceFailure.class, f -> assertThat(f.code()).isEqualTo(400))
        .hasMessageContaining(message);
  }
}
