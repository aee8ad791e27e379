package dev.microshop.gateway;

import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorException;

/**
 * The edge's last resort: a request that failed anywhere in the router, or that the HTTP codec
 * could not even parse, still gets a problem body.
 */
final class EdgeFailures {
  private EdgeFailures() {}

  /** The router's failure handler. */
  static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpException http && http.getCause() != null) {
      failure = http.getCause(); // the router wraps validation failures
    }
    if (failure instanceof ValidatorException invalid) {
      Problems.send(ctx, Validation.problem(invalid));
    } else if (failure == null || ctx.statusCode() == 413) {
      int status = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
      Problems.write(
          ctx, status, status == 413 ? "the request body is larger than the limit" : null, null);
    } else {
      Problems.send(ctx, failure);
    }
  }

  /**
   * Requests the HTTP codec rejects (line or headers too long) get a problem body, like everything
   * else.
   */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = 400;
    String detail = "the request could not be parsed";
    if (cause instanceof TooLongFrameException) {
      boolean line = cause.getMessage() != null && cause.getMessage().contains("line");
      status = line ? 414 : 431;
      detail = line ? "the request line (URL) is too long" : "the request headers are too large";
    }
    JsonObject body = Problems.body(status, detail, null);
    request
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", Problems.CONTENT_TYPE)
        .putHeader("Connection", "close")
        .end(body.encode());
  }
}
