package dev.microshop.platform.messaging;

import dev.microshop.contracts.RelayBatch;
import dev.microshop.platform.observability.TraceParents;
import io.opentelemetry.context.Context;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends outbox messages over the event bus, request-reply, and hands each outcome to {@link
 * OutboxAcks}. At most {@code maxInFlight} are unacknowledged at once, so one slow or dead receiver
 * never delays the others; the claim asks {@link #inFlight} how much room there is.
 *
 * <p>What one commit (or one claim) hands over for one destination goes as one {@link RelayBatch}
 * (up to {@link RelayBatch#MAX_ITEMS}), with one reply carrying each message's outcome: a batch is
 * what is already there, never a timer, so a lone message leaves at once, alone, as it always did.
 * A message in a recorded trace is always sent alone, in its writer's trace. A receiver that has no
 * batch consumer (an instance of an earlier version during a rolling restart) gets single messages
 * for a minute, then a batch is tried again.
 */
final class OutboxDispatch {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxDispatch.class);
  private static final long SINGLES_MS = 60_000;

  /** One message to deliver, and the attempt this is. */
  record Delivery(UUID id, String destination, Object payload, String traceParent, int attempts) {}

  private final Vertx vertx;
  private final OutboxSettings settings;
  private final OutboxAnswers answers;
  private final OutboxAcks acks;
  private final Runnable roomFreed;
  private final Deque<Delivery> waiting = new ArrayDeque<>();
  private final Map<String, Long> singlesUntil = new HashMap<>();
  private int inFlight;
  private boolean stopped;

  /** {@code roomFreed} runs after every settled delivery, for a claim that found no room. */
  OutboxDispatch(
      Vertx vertx,
      OutboxSettings settings,
      OutboxAnswers answers,
      OutboxAcks acks,
      Runnable roomFreed) {
    this.vertx = vertx;
    this.settings = settings;
    this.answers = answers;
    this.acks = acks;
    this.roomFreed = roomFreed;
    if (settings.deliverTwice()) {
      LOG.warn(
          "outbox.deliverTwice is on: every message is delivered twice (a test switch for idempotency)");
    }
  }

  int inFlight() {
    return inFlight;
  }

  void stop() {
    stopped = true;
  }

  /**
   * Sends the messages a commit wrote, or queues those beyond {@code maxInFlight} unacknowledged.
   * The queue is bounded too: beyond it a message is left to its row, which a claim delivers once
   * the lease runs out.
   */
  void committed(List<Delivery> messages) {
    if (stopped) {
      return; // leased: a relay delivers them once the lease runs out
    }
    List<Delivery> now = new ArrayList<>(messages.size());
    for (Delivery delivery : messages) {
      if (inFlight + now.size() < settings.maxInFlight()) {
        now.add(delivery);
      } else if (waiting.size() < settings.maxInFlight()) {
        waiting.add(delivery);
      }
    }
    send(now);
  }

  /**
   * Sends these now (the claim made room for them): the traced ones alone, the rest in one batch
   * per destination.
   */
  void send(List<Delivery> deliveries) {
    Map<String, List<Delivery>> byDestination = new LinkedHashMap<>();
    for (Delivery delivery : deliveries) {
      inFlight++;
      Context writers = TraceParents.restoreSampled(delivery.traceParent());
      if (writers != Context.root()) {
        traced(delivery, writers);
      } else if (!(delivery.payload() instanceof JsonObject)) {
        start(delivery); // fails it: retried, then a dead letter
      } else {
        byDestination.computeIfAbsent(delivery.destination(), d -> new ArrayList<>()).add(delivery);
      }
    }
    byDestination.forEach(
        (destination, list) -> {
          for (int from = 0; from < list.size(); from += RelayBatch.MAX_ITEMS) {
            batch(
                destination,
                list.subList(from, Math.min(list.size(), from + RelayBatch.MAX_ITEMS)));
          }
        });
  }

  /**
   * A traced delivery runs on a context of its own that carries the writer's trace: the event bus's
   * tracer makes the send its child, and what the answer leads to (the saga's next message, written
   * by OutboxAnswers) stays in that trace, however late the reply comes.
   */
  private void traced(Delivery delivery, Context writers) {
    ContextInternal own = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    own.dispatch(
        () -> {
          // Not closed: the context is this delivery's alone and goes with it.
          writers.makeCurrent();
          start(delivery);
        });
  }

  /** One message alone, to the destination itself. */
  private void start(Delivery delivery) {
    Future<Void> outcome;
    try {
      outcome = deliver(delivery);
    } catch (RuntimeException e) {
      // A payload that is not a JSON object: retried, then a dead letter.
      outcome = failed(delivery, e);
    }
    outcome.onComplete(this::settled);
  }

  /** A delivery settled: room for messages that waited, and for the claim that could not run. */
  private void settled(AsyncResult<Void> outcome) {
    inFlight--;
    if (inFlight < settings.maxInFlight() && !waiting.isEmpty()) {
      List<Delivery> next = new ArrayList<>();
      while (inFlight + next.size() < settings.maxInFlight() && !waiting.isEmpty()) {
        next.add(waiting.poll());
      }
      send(next);
    }
    roomFreed.run();
  }

  private Future<Void> deliver(Delivery delivery) {
    String destination = delivery.destination();
    JsonObject payload = (JsonObject) delivery.payload();
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(settings.sendTimeoutMs());
    Future<?> applied =
        vertx
            .eventBus()
            .request(destination, payload, options)
            .compose(reply -> answers.apply(destination, reply.body()));
    if (settings.deliverTwice()) {
      // The second delivery's answer is applied too: the sender's side of a duplicate is
      // exercised as well.
      applied =
          applied
              .compose(first -> vertx.eventBus().request(destination, payload, options))
              .compose(reply -> answers.apply(destination, reply.body()));
    }
    return settle(delivery, applied);
  }

  /**
   * Several messages for one destination as one request; each settles with its own outcome. A batch
   * that fails as a whole fails each of its messages (each retried on its own backoff).
   */
  private void batch(String destination, List<Delivery> items) {
    Long singles = singlesUntil.get(destination);
    if (items.size() == 1 || singles != null && singles > System.currentTimeMillis()) {
      items.forEach(this::start);
      return;
    }
    List<JsonObject> payloads = items.stream().map(item -> (JsonObject) item.payload()).toList();
    Future<List<Future<?>>> first = requestBatch(destination, payloads);
    Future<List<Future<?>>> outcomes =
        settings.deliverTwice()
            ? first.compose(
                once ->
                    Future.join(once)
                        .transform(
                            settled ->
                                requestBatch(destination, payloads)
                                    .map(twice -> both(once, twice))))
            : first;
    outcomes.onComplete(
        result -> {
          if (result.failed() && noBatchConsumer(result.cause())) {
            LOG.info("{} has no batch consumer: single messages for a minute", destination);
            singlesUntil.put(destination, System.currentTimeMillis() + SINGLES_MS);
            items.forEach(this::start);
            return;
          }
          for (int i = 0; i < items.size(); i++) {
            Future<?> applied =
                result.succeeded() ? result.result().get(i) : Future.failedFuture(result.cause());
            settle(items.get(i), applied).onComplete(this::settled);
          }
        });
  }

  /** One batch request; its reply's outcomes, each applied as an answer would be alone. */
  private Future<List<Future<?>>> requestBatch(String destination, List<JsonObject> payloads) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(settings.sendTimeoutMs());
    return vertx
        .eventBus()
        .request(RelayBatch.address(destination), RelayBatch.request(payloads), options)
        .map(
            reply ->
                answers.applyAll(destination, RelayBatch.outcomes(reply.body(), payloads.size())));
  }

  /** An item delivered twice succeeded if both deliveries did. */
  private static List<Future<?>> both(List<Future<?>> once, List<Future<?>> twice) {
    List<Future<?>> both = new ArrayList<>(once.size());
    for (int i = 0; i < once.size(); i++) {
      both.add(once.get(i).failed() ? once.get(i) : twice.get(i));
    }
    return both;
  }

  private static boolean noBatchConsumer(Throwable failure) {
    return failure instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }

  private Future<Void> settle(Delivery delivery, Future<?> applied) {
    return applied
        .<Void>map(
            done -> {
              acks.delivered(delivery.id());
              return null;
            })
        .recover(failure -> failed(delivery, failure));
  }

  private Future<Void> failed(Delivery delivery, Throwable failure) {
    String destination = delivery.destination();
    return acks.failed(
        delivery.id(),
        destination,
        delivery.attempts(),
        failure,
        answers.outcomeUnknown(destination, failure));
  }
}
