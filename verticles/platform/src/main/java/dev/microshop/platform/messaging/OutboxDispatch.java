package dev.microshop.platform.messaging;

import dev.microshop.platform.observability.TraceParents;
import io.opentelemetry.context.Context;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends outbox messages over the event bus, request-reply, and hands each outcome to {@link
 * OutboxAcks}. At most {@code maxInFlight} are unacknowledged at once, so one slow or dead receiver
 * never delays the others; the claim asks {@link #inFlight} how much room there is.
 */
final class OutboxDispatch {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxDispatch.class);

  private final Vertx vertx;
  private final OutboxSettings settings;
  private final OutboxAnswers answers;
  private final OutboxAcks acks;
  private final Runnable roomFreed;
  private final Deque<OutboxTransaction.Written> waiting = new ArrayDeque<>();
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
   * Sends a message written at commit, or queues it while {@code maxInFlight} are unacknowledged.
   * The queue is bounded too: beyond it a message is left to its row, which a claim delivers once
   * the lease runs out.
   */
  void committed(OutboxTransaction.Written message) {
    if (stopped) {
      return; // leased: a relay delivers it once the lease runs out
    }
    if (inFlight < settings.maxInFlight()) {
      send(message.id(), message.destination(), message.payload(), message.traceParent(), 1);
    } else if (waiting.size() < settings.maxInFlight()) {
      waiting.add(message);
    }
  }

  void send(UUID id, String destination, Object payload, String traceParent, int attempts) {
    inFlight++;
    Context writers = TraceParents.restoreSampled(traceParent);
    if (writers == Context.root()) {
      // Nothing of the writer's trace is recorded (tracing off, or not sampled): sent as is.
      start(id, destination, payload, attempts);
      return;
    }
    // A traced delivery runs on a context of its own that carries the writer's trace: the event
    // bus's tracer makes the send its child, and what the answer leads to (the saga's next
    // message, written by OutboxAnswers) stays in that trace, however late the reply comes.
    ContextInternal delivery = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    delivery.dispatch(
        () -> {
          // Not closed: the context is this delivery's alone and goes with it.
          writers.makeCurrent();
          start(id, destination, payload, attempts);
        });
  }

  private void start(UUID id, String destination, Object payload, int attempts) {
    Future<Void> outcome;
    try {
      outcome = deliver(id, destination, (JsonObject) payload, attempts);
    } catch (RuntimeException e) {
      // A payload that is not a JSON object: retried, then a dead letter.
      outcome = failed(id, destination, attempts, e);
    }
    outcome.onComplete(this::settled);
  }

  /** A delivery settled: room for a message that waited, and for the claim that could not run. */
  private void settled(AsyncResult<Void> outcome) {
    inFlight--;
    if (inFlight < settings.maxInFlight() && !waiting.isEmpty()) {
      OutboxTransaction.Written next = waiting.poll();
      send(next.id(), next.destination(), next.payload(), next.traceParent(), 1);
    }
    roomFreed.run();
  }

  private Future<Void> deliver(UUID id, String destination, JsonObject payload, int attempts) {
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
    return applied
        .<Void>map(
            done -> {
              acks.delivered(id);
              return null;
            })
        .recover(failure -> failed(id, destination, attempts, failure));
  }

  private Future<Void> failed(UUID id, String destination, int attempts, Throwable failure) {
    return acks.failed(
        id, destination, attempts, failure, answers.outcomeUnknown(destination, failure));
  }
}
