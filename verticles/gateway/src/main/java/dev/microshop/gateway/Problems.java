package dev.microshop.gateway;

import dev.microshop.platform.messaging.FieldError;
import dev.microshop.platform.messaging.InvalidRequest;
import io.opentelemetry.api.trace.Span;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 9457 problem details, and the one place where failures (service error codes, bus failures,
 * breaker states) become HTTP statuses. No stack trace or exception text from inside the system
 * reaches a client.
 */
final class Problems {
  static final String CONTENT_TYPE = "application/problem+json";
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  private static final String TYPE_BASE = "https://microshop.dev/problems/";
  private static final Map<Integer, String[]> KINDS =
      Map.ofEntries(
          Map.entry(400, new String[] {"invalid-request", "Invalid request"}),
          Map.entry(401, new String[] {"unauthenticated", "Authentication required"}),
          Map.entry(403, new String[] {"forbidden", "Forbidden"}),
          Map.entry(404, new String[] {"not-found", "Not found"}),
          Map.entry(405, new String[] {"method-not-allowed", "Method not allowed"}),
          Map.entry(409, new String[] {"conflict", "Conflict"}),
          Map.entry(412, new String[] {"precondition-failed", "Precondition failed"}),
          Map.entry(413, new String[] {"payload-too-large", "Payload too large"}),
          Map.entry(414, new String[] {"uri-too-long", "URI too long"}),
          Map.entry(415, new String[] {"unsupported-media-type", "Unsupported media type"}),
          Map.entry(422, new String[] {"unprocessable", "Unprocessable request"}),
          Map.entry(428, new String[] {"precondition-required", "Precondition required"}),
          Map.entry(429, new String[] {"rate-limited", "Too many requests"}),
          Map.entry(431, new String[] {"headers-too-large", "Request headers too large"}),
          Map.entry(500, new String[] {"internal", "Internal error"}),
          Map.entry(502, new String[] {"bad-gateway", "A service failed"}),
          Map.entry(503, new String[] {"unavailable", "Service unavailable"}),
          Map.entry(504, new String[] {"timeout", "A service did not answer in time"}));

  private Problems() {}

  /** A failure with a status and text chosen by the gateway itself. */
  static final class HttpProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final JsonArray errors;
    final Map<String, String> headers;

    HttpProblem(int status, String detail) {
      this(status, detail, null, Map.of());
    }

    HttpProblem(int status, String detail, JsonArray errors, Map<String, String> headers) {
      super(detail, null, false, false);
      this.status = status;
      this.errors = errors;
      this.headers = headers;
    }
  }

  /**
   * Writes {@code failure} as a problem response: the mapping from every failure kind to a status.
   */
  static void send(RoutingContext ctx, Throwable failure) {
    if (failure instanceof HttpProblem p) {
      p.headers.forEach(ctx.response()::putHeader);
      write(ctx, p.status, p.getMessage(), p.errors);
    } else if (failure instanceof Downstream.Unavailable u) {
      ctx.response().putHeader("Retry-After", Long.toString(Downstream.RETRY_AFTER_SECONDS));
      write(ctx, 503, u.getMessage(), null);
    } else if (failure instanceof OpenCircuitException) {
      ctx.response().putHeader("Retry-After", Long.toString(Downstream.RETRY_AFTER_SECONDS));
      write(
          ctx,
          503,
          "the service is failing; the gateway stopped calling it for a few seconds",
          null);
    } else if (failure instanceof ReplyException reply) {
      switch (reply.failureType()) {
        case TIMEOUT -> write(ctx, 504, "the service did not answer in time", null);
        case NO_HANDLERS -> {
          ctx.response().putHeader("Retry-After", Long.toString(Downstream.RETRY_AFTER_SECONDS));
          write(ctx, 503, "no instance of the service is running", null);
        }
        default -> fromService(ctx, reply);
      }
    } else {
      LOG.error(
          "unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
      write(ctx, 500, "an unexpected error occurred; quote the trace id when reporting it", null);
    }
  }

  private static void fromService(RoutingContext ctx, ReplyException reply) {
    int code = reply.failureCode();
    if (KINDS.containsKey(code) && code >= 400 && code < 500) {
      write(ctx, code, reply.getMessage(), code == 400 ? fieldErrors(reply) : null);
    } else if (code == 503) {
      ctx.response().putHeader("Retry-After", "1");
      write(ctx, 503, reply.getMessage(), null);
    } else {
      LOG.warn(
          "service failed {} {}: code {} {}",
          ctx.request().method(),
          ctx.request().path(),
          code,
          reply.getMessage());
      write(ctx, 502, "a service failed to handle the request", null);
    }
  }

  /**
   * The {@code errors} list of a service's 400, from the structured errors it sent. The bus names
   * two things a client knows otherwise: the Idempotency-Key header, and messageId, which the
   * gateway made up and the client never sent.
   */
  static JsonArray fieldErrors(ReplyException reply) {
    JsonArray errors = new JsonArray();
    for (FieldError error : InvalidRequest.errorsOf(reply)) {
      String field =
          switch (error.field()) {
            case "idempotencyKey" -> "Idempotency-Key";
            case "messageId" -> FieldError.WHOLE_BODY;
            default -> error.field();
          };
      String message =
          error.message().startsWith("idempotencyKey ")
              ? "Idempotency-Key" + error.message().substring("idempotencyKey".length())
              : error.message();
      errors.add(new FieldError(field, message).toJson());
    }
    return errors;
  }

  static void write(RoutingContext ctx, int status, String detail, JsonArray errors) {
    if (ctx.response().ended()) {
      return;
    }
    JsonObject body = body(status, detail, errors).put("instance", ctx.request().path());
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"microshop\"");
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body.encode());
  }

  /** The one problem builder: the type and title of a status, the detail, the trace id. */
  static JsonObject body(int status, String detail, JsonArray errors) {
    String[] kind = KINDS.getOrDefault(status, new String[] {"error", "Error"});
    JsonObject body =
        new JsonObject()
            .put("type", TYPE_BASE + kind[0])
            .put("title", kind[1])
            .put("status", status)
            .put("detail", detail == null ? kind[1] : detail)
            .put("traceId", Span.current().getSpanContext().getTraceId());
    if (errors != null && !errors.isEmpty()) {
      body.put("errors", errors);
    }
    return body;
  }
}
