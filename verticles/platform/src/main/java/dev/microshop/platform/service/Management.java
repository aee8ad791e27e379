package dev.microshop.platform.service;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The management endpoint of one JVM: {@code /health/live}, {@code /health/ready} (every registered
 * check UP, else 503) and {@code /metrics} in Prometheus format. It is separate from the public API
 * so probes and scrapers never compete with customers, and it binds to the management interface
 * only.
 */
public final class Management {
  private final Vertx vertx;
  private final HealthChecks readiness;
  private final AtomicBoolean draining = new AtomicBoolean();
  private HttpServer server;

  public Management(Vertx vertx) {
    this.vertx = vertx;
    this.readiness = HealthChecks.create(vertx);
    readiness.register(
        "accepting",
        promise ->
            promise.complete(
                draining.get()
                    ? Status.KO(new JsonObject().put("reason", "shutting down"))
                    : Status.OK()));
  }

  public Future<HttpServer> start(JsonObject config) {
    JsonObject management = config.getJsonObject("management");
    Router router = Router.router(vertx);
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
    router.get("/metrics").handler(PrometheusScrapingHandler.create());
    return vertx
        // HTTP/1.1 only, as Prometheus scrapes: an h2c upgrade request (the JDK client's and curl
        // --http2's first request) got a /metrics body without HTTP/2 framing from Vert.x 5.0.8.
        .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(router)
        .listen(management.getInteger("port"), management.getString("host"))
        // Taken between the preflight check and here: still the one line naming the setting.
        .recover(
            e ->
                Future.failedFuture(
                    ManagementPort.isBusy(e) && ManagementPort.of(config) != 0
                        ? ManagementPort.busy(config)
                        : e))
        .onSuccess(s -> server = s);
  }

  /**
   * Adds a readiness check; the procedure must complete within {@code timeoutMs} or counts as DOWN.
   */
  public void readiness(String name, long timeoutMs, Handler<Promise<Status>> procedure) {
    readiness.register(name, timeoutMs, procedure);
  }

  public void removeReadiness(String name) {
    readiness.unregister(name);
  }

  /**
   * First step of a graceful stop: load balancers and probes see 503 before anything else closes.
   */
  public void drain() {
    draining.set(true);
  }

  public String url(String host) {
    return "http://" + host + ":" + server.actualPort();
  }

  /**
   * The host others reach this endpoint at: {@code management.host}, unless that binds every
   * interface (0.0.0.0 in a Kubernetes pod), which is no address to give anyone; then the JVM's own
   * cluster address (the pod's IP).
   */
  public static String advertisedHost(JsonObject nodeConfig) {
    String host = nodeConfig.getJsonObject("management").getString("host", "").trim();
    boolean wildcard = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::");
    return wildcard ? nodeConfig.getJsonObject("cluster").getString("host") : host;
  }

  public int port() {
    return server.actualPort();
  }
}
