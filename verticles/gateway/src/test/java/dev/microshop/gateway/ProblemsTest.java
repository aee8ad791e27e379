package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.platform.messaging.FieldError;
import dev.microshop.platform.messaging.InvalidRequest;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The errors list the gateway builds from a service's 400, in the shape request validation uses.
 */
class ProblemsTest {
  @Test
  void theFieldErrorsAServiceSentAreListedAsTheyCame() {
    var errors =
        Problems.fieldErrors(
            new InvalidRequest(
                List.of(
                    new FieldError("currency", "currency XYZ is not an ISO 4217 code"),
                    new FieldError("lines.1.productId", "lines.1.productId must be a UUID"),
                    new FieldError("body", "nothing to update"))));

    assertThat(errors.stream().map(e -> ((JsonObject) e).getString("field")).toList())
        .containsExactly("currency", "lines.1.productId", "body");
    assertThat(errors.getJsonObject(1).getString("message"))
        .isEqualTo("lines.1.productId must be a UUID");
  }

  @Test
  void busNamesAClientDoesNotKnowBecomeItsOwn() {
    var errors =
        Problems.fieldErrors(
            new InvalidRequest(
                List.of(
                    new FieldError("idempotencyKey", "idempotencyKey is required: a string"),
                    new FieldError("messageId", "messageId must be a UUID"))));

    assertThat(errors.getJsonObject(0).getMap())
        .containsEntry("field", "Idempotency-Key")
        .containsEntry("message", "Idempotency-Key is required: a string");
    assertThat(errors.getJsonObject(1).getString("field")).isEqualTo("body");
  }

  @Test
  void aPlain400FromAnOlderSenderIsOneErrorAboutTheBody() {
    var errors =
        Problems.fieldErrors(
            new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 400, "something is wrong"));

    assertThat(errors.size()).isEqualTo(1);
    assertThat(errors.getJsonObject(0).getMap())
        .containsEntry("field", "body")
        .containsEntry("message", "something is wrong");
  }
}
