package dev.microshop.launcher.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * The gateway over HTTP/1.1 keep-alive: a pool of {@code connections} for requests and, apart, one
 * for the long-lived notification streams, so a stream never holds a request's connection.
 */
final class Gateway {
  static final long REQUEST_TIMEOUT_MS = 10_000;

  /** The longest a client waits on a Retry-After before it tries again. */
  static final long MAX_PAUSE_MS = 5_000;

  /**
   * A response: its status, its body as JSON (empty when it is not a JSON object), and its
   * Retry-After in seconds (-1 without one).
   */
  record Reply(int status, JsonObject body, long retryAfterSeconds) {
    Reply(int status, JsonObject body) {
      this(status, body, -1);
    }
  }

  private final Vertx vertx;
  private final boolean pauses;

  private final HttpClient requests;
  private final HttpClient streams;
  private final String basePath;

  /**
   * {@code pauses}: whether {@link #pause} waits out a Retry-After (a closed loop's client does; an
   * open loop's schedule does not wait).
   */
  Gateway(Vertx vertx, URI gateway, int connections, int streamConnections, boolean pauses) {
    this.vertx = vertx;
    this.pauses = pauses;
    boolean tls = "https".equals(gateway.getScheme());
    int port = gateway.getPort() > 0 ? gateway.getPort() : tls ? 443 : 80;
    HttpClientOptions options =
        new HttpClientOptions()
            .setDefaultHost(gateway.getHost())
            .setDefaultPort(port)
            .setSsl(tls)
            .setKeepAlive(true)
            .setConnectTimeout(5000);
    this.requests = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(connections));
    this.streams =
        vertx.createHttpClient(
            new HttpClientOptions(options).setIdleTimeout(0),
            new PoolOptions().setHttp1MaxSize(Math.max(1, streamConnections)));
    String path = gateway.getRawPath() == null ? "" : gateway.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  Future<Reply> get(String path, String token) {
    return call(HttpMethod.GET, path, token, null, null);
  }

  Future<Reply> call(HttpMethod method, String path, String token, JsonObject body, String key) {
    RequestOptions ro =
        new RequestOptions()
            .setMethod(method)
            .setURI(basePath + path)
            .setIdleTimeout(REQUEST_TIMEOUT_MS)
            // Includes the wait for a free connection: an open loop queues there when all are busy.
            .setConnectTimeout(REQUEST_TIMEOUT_MS);
    if (token != null) {
      ro.putHeader("Authorization", "Bearer " + token);
    }
    if (key != null) {
      ro.putHeader("Idempotency-Key", key);
    }
    if (body != null) {
      ro.putHeader("Content-Type", "application/json");
    }
    return requests
        .request(ro)
        .compose(req -> body == null ? req.send() : req.send(body.toBuffer()))
        .compose(
            resp ->
                resp.body()
                    .map(
                        b ->
                            new Reply(
                                resp.statusCode(),
                                json(b),
                                seconds(resp.getHeader("Retry-After")))));
  }

  /**
   * Completes once the client may go on after {@code reply}: at once, or after its Retry-After (at
   * most {@link #MAX_PAUSE_MS}) when it is a 429 or 503 and this gateway client pauses. Without it,
   * a closed loop answers every fast 503 of a recovering system with another request at once:
   * hundreds a second that only take CPU from the JVMs restarting.
   */
  Future<Void> pause(Reply reply) {
    boolean busy = reply.status() == 429 || reply.status() == 503;
    if (!pauses || !busy || reply.retryAfterSeconds() <= 0) {
      return Future.succeededFuture();
    }
    long ms = Math.min(MAX_PAUSE_MS, reply.retryAfterSeconds() * 1000);
    return vertx.timer(ms).mapEmpty();
  }

  private static long seconds(String retryAfter) {
    if (retryAfter == null) {
      return -1;
    }
    try {
      return Long.parseLong(retryAfter.trim());
    } catch (NumberFormatException e) {
      return -1; // an HTTP date: the gateway never sends one
    }
  }

  /** Opens a customer's notification stream; the response streams its events. */
  Future<HttpClientResponse> stream(String token) {
    RequestOptions ro =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setURI(basePath + "/v1/notifications/stream")
            .putHeader("Authorization", "Bearer " + token)
            .putHeader("Accept", "text/event-stream");
    return streams.request(ro).compose(req -> req.send());
  }

  private static JsonObject json(Buffer b) {
    if (b.length() == 0 || b.getByte(0) != '{') {
      return new JsonObject();
    }
    try {
      return b.toJsonObject();
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }
}
