package dev.microshop.platform.messaging;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.microshop.contracts.RelayBatch;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the sender does with the replies of answered destinations ({@link OutboxRelay#onAnswer}).
 */
final class OutboxAnswers {
  private final Map<String, OutboxRelay.Answer> answers = new HashMap<>();
  private final TransactionGroups transactions;

  /** Answers from one destination that arrive while one is applied are applied together. */
  OutboxAnswers(TransactionGroups transactions) {
    this.transactions = transactions;
  }

  void register(String destination, OutboxRelay.Answer answer) {
    answers.put(destination, answer);
  }

  /**
   * Any reply acknowledges a plain destination. An answered destination must reply with its answer:
   * a reply without one is a failed delivery, retried like any other (the receiver may have acted,
   * and only its answer tells the sender what to do next). Given up after {@link
   * OutboxBookkeeping#STUCK_MS} like the bookkeeping: the delivery then failed and is retried, and
   * the answer, applied or not, is ignored or applied next time.
   */
  Future<?> apply(String destination, Object reply) {
    OutboxRelay.Answer answer = answers.get(destination);
    if (answer == null) {
      return Future.succeededFuture();
    }
    if (!(reply instanceof JsonObject body) || body.isEmpty()) {
      return Future.failedFuture(
          new IllegalStateException("the reply from " + destination + " carries no answer"));
    }
    return transactions
        .run(destination, tx -> answer.apply(tx, body))
        .timeout(OutboxBookkeeping.STUCK_MS, MILLISECONDS);
  }

  /**
   * The outcomes of a {@link RelayBatch}, each applied as {@link #apply} would apply it alone, the
   * answers in one group of {@link TransactionGroups}; a failed outcome is that item's failed
   * delivery, as the receiver would have replied it.
   */
  List<Future<?>> applyAll(String destination, List<RelayBatch.Outcome> outcomes) {
    List<Future<?>> applied = new ArrayList<>(outcomes.size());
    transactions.together(
        destination,
        () -> {
          for (RelayBatch.Outcome outcome : outcomes) {
            applied.add(
                outcome.succeeded()
                    ? apply(destination, outcome.answer())
                    : Future.failedFuture(
                        new ReplyException(
                            ReplyFailure.RECIPIENT_FAILURE, outcome.code(), outcome.message())));
          }
        });
    return applied;
  }

  /**
   * A command to an answered destination that timed out, found no receiver, or failed inside the
   * receiver may have taken effect there (a charge committed, its reply lost): the sender must hear
   * its answer to compensate it, so such a message never becomes a dead letter; it is retried every
   * {@code maxBackoffMs} until it is answered. Only a refusal (4xx: the receiver's transaction
   * rolled back, and it would refuse again) or an answer that cannot be applied (4xx) ends in a
   * dead letter.
   */
  boolean outcomeUnknown(String destination, Throwable failure) {
    if (!answers.containsKey(destination)) {
      return false;
    }
    int code =
        failure instanceof ReplyException reply
                && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
            ? reply.failureCode()
            : failure instanceof ServiceFailure refused ? refused.code() : 0;
    return code < 400 || code >= 500;
  }
}
