package dev.microshop.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CreditRequestTest {
  private static final String MESSAGE_ID = "6f1c2b9e-6c53-4c0e-9a53-6a0f1f1e2d3c";
  private static final String USER_ID = "0b8e6a34-2a51-4f5e-8d4c-7b0d6a8e9f10";

  private static JsonObject valid() {
    return new JsonObject()
        .put("messageId", MESSAGE_ID)
        .put("userId", USER_ID)
        .put("amountMinor", 2500)
        .put("reason", "  goodwill  ");
  }

  private static ServiceFailure invalid(JsonObject body) {
    ServiceFailure failure =
        catchThrowableOfType(ServiceFailure.class, () -> CreditRequest.fromJson(body));
    assertThat(failure).as("expected %s to be refused", body).isNotNull();
    assertThat(failure.code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
    return failure;
  }

  @Test
  void aValidBodyIsReadWithTheReasonTrimmed() {
    CreditRequest request = CreditRequest.fromJson(valid().put("unknownField", true));

    assertThat(request)
        .isEqualTo(
            new CreditRequest(
                UUID.fromString(MESSAGE_ID), UUID.fromString(USER_ID), 2500, "goodwill"));
  }

  @Test
  void amountsAtTheBoundsAreAccepted() {
    assertThat(CreditRequest.fromJson(valid().put("amountMinor", 1)).amountMinor()).isEqualTo(1);
    assertThat(CreditRequest.fromJson(valid().put("amountMinor", 1_000_000_000L)).amountMinor())
        .isEqualTo(1_000_000_000L);
  }

  @Test
  void anAmountOutOfRangeOrNotAnIntegerIsRefusedNamingTheField() {
    Object[] bad = {
      0,
      -1,
      -1_000L,
      1_000_000_001L,
      Long.MAX_VALUE,
      new BigInteger("99999999999999999999"),
      1.5,
      10.0,
      "100",
      true
    };
    for (Object amount : bad) {
      assertThat(invalid(valid().put("amountMinor", amount)).getMessage())
          .startsWith("amountMinor must be an integer from 1 to 1000000000");
    }
    assertThat(invalid(valid().putNull("amountMinor")).getMessage())
        .isEqualTo("amountMinor is required: an integer from 1 to 1000000000");
  }

  @Test
  void aMissingBlankOrOverlongReasonIsRefused() {
    JsonObject missing = valid();
    missing.remove("reason");
    assertThat(invalid(missing).getMessage())
        .isEqualTo("reason is required: a string of 1 to 200 characters");
    assertThat(invalid(valid().put("reason", "   ")).getMessage())
        .isEqualTo("reason must be 1 to 200 characters, not blank (got 0)");
    assertThat(invalid(valid().put("reason", 42)).getMessage())
        .isEqualTo("reason must be a string");
    assertThat(invalid(valid().put("reason", "x".repeat(201))).getMessage())
        .isEqualTo("reason must be 1 to 200 characters (got 201)");
    assertThat(invalid(valid().put("reason", "line\nbreak")).getMessage())
        .isEqualTo("reason must not contain control characters");
  }

  @Test
  void theReasonLimitCountsCharactersNotUtf16Units() {
    String emoji = "\uD83D\uDCB6"; // one character, two UTF-16 units
    assertThat(CreditRequest.fromJson(valid().put("reason", emoji.repeat(200))).reason())
        .hasSize(400);
    invalid(valid().put("reason", emoji.repeat(201)));
  }

  @Test
  void idsMustBeCanonicalUuids() {
    assertThat(invalid(valid().put("userId", "1-1-1-1-1")).getMessage())
        .isEqualTo("userId must be a UUID");
    assertThat(invalid(valid().put("userId", 12)).getMessage()).isEqualTo("userId must be a UUID");
    assertThat(invalid(valid().put("messageId", "not-a-uuid")).getMessage())
        .isEqualTo("messageId must be a UUID");
    JsonObject missing = valid();
    missing.remove("messageId");
    assertThat(invalid(missing).getMessage()).isEqualTo("messageId is required: a UUID");
  }

  @Test
  void everyBadFieldIsNamedInOneFailure() {
    String message =
        invalid(new JsonObject().put("userId", "x").put("amountMinor", 0)).getMessage();

    assertThat(message)
        .isEqualTo(
            "messageId is required: a UUID; userId must be a UUID; "
                + "amountMinor must be an integer from 1 to 1000000000 (got 0); "
                + "reason is required: a string of 1 to 200 characters");
  }

  @Test
  void noBodyAtAllIsRefused() {
    assertThat(invalid(null).getMessage()).contains("messageId", "userId", "amountMinor", "reason");
  }
}
