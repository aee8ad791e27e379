package dev.microshop.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a handler's failure is answered on the bus: overload as "busy", never as a 500. */
class ConsumersTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFullDatabaseQueueIsAnsweredBusyWithTheUnavailableCode() throws Exception {
    ReplyException refused =
        failureOf(
            () ->
                Future.failedFuture(
                    new ConnectionPoolTooBusyException(
                        "Connection pool reached max wait queue size of 128")));

    assertThat(refused.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
    assertThat(refused.failureCode()).isEqualTo(ErrorCodes.UNAVAILABLE);
    assertThat(refused.getMessage()).startsWith("busy");
  }

  @Test
  void anyOtherUnexpectedFailureIsAGeneric500() throws Exception {
    ReplyException failed =
        failureOf(() -> Future.failedFuture(new IllegalStateException("secret detail")));

    assertThat(failed.failureCode()).isEqualTo(ErrorCodes.INTERNAL);
    assertThat(failed.getMessage()).isEqualTo("internal error");
  }

  private ReplyException failureOf(Supplier<Future<?>> outcome) throws Exception {
    Consumers consumers = new Consumers(vertx);
    consumers
        .on("test.consumers", msg -> outcome.get())
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    ExecutionException thrown = null;
    try {
      vertx
          .eventBus()
          .request("test.consumers", new JsonObject())
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      thrown = e;
    }
    assertThat(thrown).as("the request failed").isNotNull();
    assertThat(thrown.getCause()).isInstanceOf(ReplyException.class);
    return (ReplyException) thrown.getCause();
  }
}
