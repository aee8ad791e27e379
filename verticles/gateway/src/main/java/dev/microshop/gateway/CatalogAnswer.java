package dev.microshop.gateway;

import dev.microshop.contracts.ErrorCodes;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServerResponse;

/**
 * The answer to a public catalog read (a product, or a page as {@link CatalogRoutes.PageBytes}):
 * inventory's, just now, or the gateway's last copy of it ({@link LastKnownCopies}) with its age,
 * why inventory did not answer, and the failure it stands in for.
 */
record CatalogAnswer<T>(T body, long ageSeconds, String whyStale, Throwable insteadOf) {
  /** The name this gateway gives itself in Cache-Status. */
  static final String CACHE = "microshop-gateway";

  static <T> CatalogAnswer<T> fresh(T body) {
    return new CatalogAnswer<>(body, 0, null, null);
  }

  static <T> CatalogAnswer<T> stale(T body, long ageSeconds, Throwable failure) {
    return new CatalogAnswer<>(body, ageSeconds, whyStale(failure), failure);
  }

  boolean isStale() {
    return whyStale != null;
  }

  /**
   * A stale answer says so: Age (RFC 9111) and Cache-Status (RFC 9211). It is {@code fwd=stale},
   * not {@code hit}: the gateway went towards inventory first and fell back on its copy, and the
   * RFC's hit means "not forwarded". A fresh answer carries neither header: it is exactly what
   * inventory said, so the absence of Cache-Status is the client's sign of a current answer.
   */
  void mark(HttpServerResponse response) {
    if (isStale()) {
      response
          .putHeader("Age", Long.toString(ageSeconds))
          .putHeader("Cache-Status", CACHE + "; fwd=stale; detail=\"" + whyStale + "\"");
    }
  }

  /**
   * Why a failed read may be answered from the copy, or null when it may not: inventory did not
   * answer (timeout, no instance, breaker open) or failed (5xx, or busy). A 4xx is an answer, and
   * so is anything the gateway itself refused; neither is hidden behind an old copy.
   */
  static String whyStale(Throwable failure) {
    if (failure instanceof Downstream.Unavailable) {
      return "unavailable";
    }
    if (failure instanceof OpenCircuitException) {
      return "circuit-open";
    }
    if (!(failure instanceof ReplyException reply)) {
      return null;
    }
    return switch (reply.failureType()) {
      case TIMEOUT -> "timeout";
      case NO_HANDLERS -> "unavailable";
      default ->
          isAnswer(reply)
              ? null
              : reply.failureCode() == ErrorCodes.UNAVAILABLE ? "busy" : "service-failure";
    };
  }

  /** Inventory handled the read and said no (4xx): that is its current answer. */
  static boolean isAnswer(Throwable failure) {
    return failure instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() >= 400
        && reply.failureCode() < 500;
  }
}
