package dev.microshop.launcher.load;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A real HTTP server on 127.0.0.1 for {@code load} to drive: its own Vert.x, any free port. */
final class LocalServer {
  private final Vertx vertx;
  private final HttpServer server;

  private LocalServer(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** Starts answering with the handler {@code handler} makes from the server's Vert.x. */
  static LocalServer start(Function<Vertx, Handler<HttpServerRequest>> handler) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(handler.apply(vertx))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    return new LocalServer(vertx, server);
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
