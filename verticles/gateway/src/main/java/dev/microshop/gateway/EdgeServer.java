package dev.microshop.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * One more HTTP server of the gateway on its own event loop, sharing the gateway's router and port:
 * Vert.x hands each new connection to one of the servers in turn, so the edge uses every core
 * instead of one. Everything the router's handlers share (token and rate-limit caches, circuit
 * breakers, discovery) is thread-safe.
 */
final class EdgeServer extends VerticleBase {
  private final Router router;
  private final HttpServerOptions options;
  private final String host;
  private final int port;
  private HttpServer server;

  EdgeServer(Router router, HttpServerOptions options, String host, int port) {
    this.router = router;
    this.options = options;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx
        .createHttpServer(options)
        .requestHandler(router)
        .invalidRequestHandler(EdgeFailures::invalidRequest)
        .listen(port, host)
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown();
  }
}
