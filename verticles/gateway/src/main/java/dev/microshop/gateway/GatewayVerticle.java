package dev.microshop.gateway;

import dev.microshop.contracts.Services;
import dev.microshop.platform.Platform;
import dev.microshop.platform.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The edge: the only public HTTP server. Everything behind it is reached over the event bus. */
public class GatewayVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private HttpServer server;
  private StatusReport status;

  public GatewayVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.GATEWAY;
  }

  @Override
  protected boolean ownsDatabase() {
    return false;
  }

  @Override
  protected Future<?> startService() {
    JsonObject http = config().getJsonObject("http");
    status = new StatusReport(vertx, platform, config().getJsonObject("status").getLong("pingTimeoutMs"));
    Router router = Router.router(vertx);
    router.get("/v1/status").handler(this::status);
    return vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(30))
        .requestHandler(router)
        .listen(http.getInteger("port"), http.getString("host"))
        .onSuccess(s -> server = s)
        .onSuccess(s -> platform.endpoints().put("gateway", "http://" + http.getString("host") + ":" + s.actualPort()))
        .onSuccess(s -> LOG.info("gateway listening on http://{}:{}", http.getString("host"), s.actualPort()));
  }

  @Override
  protected Future<?> stopService() {
    return server == null ? Future.succeededFuture() : server.shutdown();
  }

  private void status(RoutingContext ctx) {
    status.build().onSuccess(ctx::json).onFailure(ctx::fail);
  }
}
