package dev.microshop.platform.messaging;

import dev.microshop.contracts.ErrorCodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * How a {@link ServiceFailure} with field errors crosses the bus: a failed reply whose body keeps
 * the structured errors (with {@link #CODEC} registered on both ends), so the gateway lists them
 * for the client without reading field names out of English text. A JVM without the codec still
 * sees an ordinary failure with code 400 and the joined sentences.
 */
public final class InvalidRequest extends ReplyException {
  private static final long serialVersionUID = 1L;
  private final transient List<FieldError> errors;

  public InvalidRequest(List<FieldError> errors) {
    super(
        ReplyFailure.RECIPIENT_FAILURE,
        ErrorCodes.INVALID_REQUEST,
        String.join("; ", errors.stream().map(FieldError::message).toList()),
        true);
    this.errors = List.copyOf(errors);
  }

  public List<FieldError> errors() {
    return errors;
  }

  /**
   * The field errors of any failed reply: the structured ones of an {@link InvalidRequest}, else
   * the whole text as one error about the body.
   */
  public static List<FieldError> errorsOf(Throwable failure) {
    if (failure instanceof InvalidRequest invalid) {
      return invalid.errors();
    }
    String text = failure == null ? null : failure.getMessage();
    return List.of(new FieldError(FieldError.WHOLE_BODY, text == null ? "invalid request" : text));
  }

  /** Registers the codec on an event bus; every JVM of the system does so at start. */
  public static void register(EventBus bus) {
    bus.unregisterDefaultCodec(InvalidRequest.class);
    bus.registerDefaultCodec(InvalidRequest.class, CODEC);
  }

  public static final MessageCodec<InvalidRequest, InvalidRequest> CODEC =
      new MessageCodec<>() {
        @Override
        public void encodeToWire(Buffer buffer, InvalidRequest failure) {
          JsonArray errors = new JsonArray();
          failure.errors().forEach(error -> errors.add(error.toJson()));
          Buffer json = new JsonObject().put("errors", errors).toBuffer();
          buffer.appendInt(json.length()).appendBuffer(json);
        }

        @Override
        public InvalidRequest decodeFromWire(int pos, Buffer buffer) {
          int length = buffer.getInt(pos);
          JsonObject json = new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length));
          return new InvalidRequest(
              json.getJsonArray("errors", new JsonArray()).stream()
                  .map(error -> FieldError.fromJson((JsonObject) error))
                  .toList());
        }

        @Override
        public InvalidRequest transform(InvalidRequest failure) {
          return failure;
        }

        @Override
        public String name() {
          return "microshop.invalid-request";
        }

        @Override
        public byte systemCodecID() {
          return -1;
        }
      };
}
