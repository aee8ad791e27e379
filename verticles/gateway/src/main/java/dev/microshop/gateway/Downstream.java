package dev.microshop.gateway;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.Resendable;
import dev.microshop.platform.messaging.Bus;
import dev.microshop.platform.service.Platform;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the gateway calls a service: it must be in discovery (else 503 at once), then an event-bus
 * request with a short timeout through that service's circuit breaker. Only transport failures
 * (timeouts, no handlers) and unexpected errors count against the breaker; a 404 or 409 from a
 * healthy service does not, and neither does a 503 "busy" (a service shedding load because its
 * queue is full, as users' password pool does): that service answers, fast, and opening the breaker
 * would turn one client's flood into a 503 for every other caller of the service.
 */
final class Downstream {
  static final long RETRY_AFTER_SECONDS = 5;
  private static final Logger LOG = LoggerFactory.getLogger(Downstream.class);

  private final Vertx vertx;
  private final Platform platform;
  private final DiscoveryCache discovery;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  /** The service has no instance in discovery. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String service) {
      super("no instance of " + service + " is running", null, false, false);
    }
  }

  /**
   * A domain failure or a busy answer, carried through the breaker as a success, so it does not
   * trip it.
   */
  private record Outcome(Message<Object> reply, ReplyException failure) {}

  Downstream(Vertx vertx, Platform platform, DiscoveryCache discovery) {
    this.vertx = vertx;
    this.platform = platform;
    this.discovery = discovery;
  }

  /** Request-reply to {@code address} of {@code service} as {@code caller} (null: anonymous). */
  Future<JsonObject> call(
      String service, String address, JsonObject body, Identity caller, String requestId) {
    return call(service, address, body, caller, requestId, platform.delivery().getSendTimeout());
  }

  /**
   * As {@link #call(String, String, JsonObject, Identity, String)}, with the whole reply: its
   * headers, and a body that may be bytes to pass on (a catalog page).
   */
  Future<Message<Object>> reply(
      String service, String address, JsonObject body, Identity caller, String requestId) {
    return reply(service, address, body, caller, requestId, platform.delivery().getSendTimeout());
  }

  /** As above with a longer timeout, for work that is slow by design (argon2 password hashing). */
  Future<JsonObject> call(
      String service,
      String address,
      JsonObject body,
      Identity caller,
      String requestId,
      long timeoutMs) {
    return reply(service, address, body, caller, requestId, timeoutMs).map(Downstream::json);
  }

  private Future<Message<Object>> reply(
      String service,
      String address,
      JsonObject body,
      Identity caller,
      String requestId,
      long timeoutMs) {
    if (!discovery.available(service)) {
      return discovery
          .recheck(service)
          .compose(
              found ->
                  found
                      ? send(service, address, body, caller, requestId, timeoutMs)
                      : Future.failedFuture(new Unavailable(service)));
    }
    return send(service, address, body, caller, requestId, timeoutMs);
  }

  /** A reply's body as JSON: decoded here when it came as its encoded bytes. */
  private static JsonObject json(Message<Object> reply) {
    return reply.body() instanceof Buffer bytes ? bytes.toJsonObject() : (JsonObject) reply.body();
  }

  private Future<Message<Object>> send(
      String service,
      String address,
      JsonObject body,
      Identity caller,
      String requestId,
      long timeoutMs) {
    DeliveryOptions options =
        platform.delivery().setSendTimeout(timeoutMs).addHeader("x-request-id", requestId);
    if (caller != null) {
      caller.addTo(options);
    }
    return breaker(service)
        .<Outcome>execute(
            () ->
                request(address, body, options)
                    .map(reply -> new Outcome(reply, null))
                    .recover(
                        e ->
                            answered(e)
                                ? Future.succeededFuture(new Outcome(null, (ReplyException) e))
                                : Future.failedFuture(e)))
        .compose(
            outcome ->
                outcome.failure() == null
                    ? Future.succeededFuture(outcome.reply())
                    : Future.failedFuture(outcome.failure()));
  }

  /**
   * A query, or a command its service deduplicates by key, is sent again once after a timeout too:
   * the event bus takes the next instance, so an instance that hangs or is stopping, or a dead
   * member's registration not yet swept, costs one timeout and not the answer. Anything else only
   * when it provably was not delivered.
   */
  private Future<Message<Object>> request(
      String address, JsonObject body, DeliveryOptions options) {
    return Resendable.afterTimeout(address)
        ? Bus.requestIdempotent(vertx, address, body, options, 1)
        : Bus.request(vertx, address, body, options, 1);
  }

  /**
   * Not the service failing, so not for the breaker: it handled the request and said no (4xx) or
   * "busy, retry" (503), or it has no consumer at all (a service just gone, or one the registry
   * still lists for a moment: {@link DiscoveryCache#GONE_AFTER_MS}), which fails at once anyway.
   */
  private static boolean answered(Throwable e) {
    return e instanceof ReplyException r
        && (r.failureType() == ReplyFailure.NO_HANDLERS
            || r.failureType() == ReplyFailure.RECIPIENT_FAILURE
                && (r.failureCode() >= 400 && r.failureCode() < 500
                    || r.failureCode() == ErrorCodes.UNAVAILABLE));
  }

  /** The state of each breaker this gateway has made so far (a service never called has none). */
  Map<String, String> breakerStates() {
    Map<String, String> states = new TreeMap<>();
    breakers.forEach((service, breaker) -> states.put(service, breaker.state().name()));
    return states;
  }

  private CircuitBreaker breaker(String service) {
    return breakers.computeIfAbsent(
        service,
        name -> {
          BreakerMeters meters = new BreakerMeters(name);
          return CircuitBreaker.create(
                  name + "-breaker",
                  vertx,
                  new CircuitBreakerOptions()
                      .setTimeout(-1) // the event-bus send timeout bounds every call already
                      .setMaxFailures(5)
                      .setResetTimeout(RETRY_AFTER_SECONDS * 1000))
              .openHandler(
                  v -> {
                    LOG.warn("circuit to {} opened", name);
                    meters.now(CircuitBreakerState.OPEN);
                  })
              .halfOpenHandler(
                  v -> {
                    LOG.info("circuit to {} half-open: probing", name);
                    meters.now(CircuitBreakerState.HALF_OPEN);
                  })
              .closeHandler(
                  v -> {
                    LOG.info("circuit to {} closed", name);
                    meters.now(CircuitBreakerState.CLOSED);
                  });
        });
  }
}
