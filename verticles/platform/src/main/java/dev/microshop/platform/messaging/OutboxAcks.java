package dev.microshop.platform.messaging;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the outcome of each delivery to its row: delivered, due again after a backoff, or a dead
 * letter. Acknowledgements are group-committed, one UPDATE for all that arrived while the previous
 * one ran; a crash before it only means a redelivery once the lease ends, which consumers
 * deduplicate.
 */
final class OutboxAcks {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxAcks.class);

  private final OutboxSettings settings;
  private final OutboxBookkeeping bookkeeping;
  private List<UUID> acknowledged = new ArrayList<>();
  private boolean recording;

  OutboxAcks(OutboxSettings settings, OutboxBookkeeping bookkeeping) {
    this.settings = settings;
    this.bookkeeping = bookkeeping;
  }

  /** Marks a row delivered: now, or with everything else that arrives while an UPDATE runs. */
  void delivered(UUID id) {
    acknowledged.add(id);
    if (!recording) {
      recordDelivered();
    }
  }

  private void recordDelivered() {
    List<UUID> ids = acknowledged;
    acknowledged = new ArrayList<>();
    recording = true;
    bookkeeping
        .run(OutboxSql.DELIVERED, Tuple.of(ids.toArray(UUID[]::new)))
        .onComplete(
            done -> {
              recording = false;
              if (done.failed()) {
                // The rows stay leased and are delivered again when the lease ends; receivers
                // deduplicate.
                LOG.warn(
                    "recording {} outbox deliveries failed: {}",
                    ids.size(),
                    done.cause().getMessage());
              }
              if (!acknowledged.isEmpty()) {
                recordDelivered();
              }
            });
  }

  /**
   * Schedules the row's retry after its backoff, or makes it a dead letter after {@code
   * maxAttempts}, unless the receiver may have acted on it and its answer is needed ({@code
   * outcomeUnknown}): such a row is retried for as long as it takes.
   */
  Future<Void> failed(
      UUID id, String destination, int attempts, Throwable failure, boolean outcomeUnknown) {
    String error = describe(failure);
    if (attempts == settings.maxAttempts() && outcomeUnknown) {
      LOG.warn(
          "outbox message {} to {} failed {} attempts and is still retried: the receiver may have"
              + " acted on it and its answer is needed ({})",
          id,
          destination,
          attempts,
          error);
    }
    if (attempts >= settings.maxAttempts() && !outcomeUnknown) {
      LOG.error(
          "outbox message {} to {} is a dead letter after {} attempts: {}",
          id,
          destination,
          attempts,
          error);
      return bookkeeping.run(OutboxSql.DEAD, Tuple.of(id, error, attempts)).mapEmpty();
    }
    double delaySeconds = settings.backoffMs(attempts) / 1000.0;
    return bookkeeping.run(OutboxSql.RETRY, Tuple.of(id, delaySeconds, error, attempts)).mapEmpty();
  }

  private static String describe(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      return reply.failureType() + " " + reply.failureCode() + ": " + reply.getMessage();
    }
    return String.valueOf(failure);
  }
}
