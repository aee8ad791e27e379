package dev.microshop.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvalidRequestTest {
  private static final List<FieldError> ERRORS =
      List.of(
          new FieldError("lines.0.quantity", "lines.0.quantity must be an integer from 1 to 10"),
          new FieldError("body", "nothing to update: ünïcode kept"));

  @Test
  void theFieldErrorsSurviveTheWire() {
    Buffer wire = Buffer.buffer().appendString("header");
    InvalidRequest.CODEC.encodeToWire(wire, new InvalidRequest(ERRORS));

    InvalidRequest read = InvalidRequest.CODEC.decodeFromWire("header".length(), wire);

    assertThat(read.errors()).isEqualTo(ERRORS);
    assertThat(read.failureCode()).isEqualTo(400);
    assertThat(read.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
    assertThat(read.getMessage())
        .isEqualTo(
            "lines.0.quantity must be an integer from 1 to 10; nothing to update: ünïcode kept");
  }

  @Test
  void anyOtherFailureIsOneErrorAboutTheBody() {
    assertThat(
            InvalidRequest.errorsOf(
                new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 400, "bad shape")))
        .containsExactly(new FieldError("body", "bad shape"));
  }
}
