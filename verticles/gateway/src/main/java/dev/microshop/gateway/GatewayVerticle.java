package dev.microshop.gateway;

import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge: the only public HTTP server. The OpenAPI document is the source of truth: every request
 * is validated against it before a handler runs, and everything behind it is reached over the event
 * bus.
 */
public class GatewayVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private HttpServer server;
  private String edges;
  private DiscoveryCache discovery;
  private VerificationKeys tokenKeys;
  private TokenVerifier tokens;

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
    tokenKeys =
        new VerificationKeys(
            vertx,
            this::keysFromUsers,
            TokenVerifier.checks(config()),
            config().getJsonObject("auth"));
    tokens = new TokenVerifier(tokenKeys);
    RateLimits limits =
        new RateLimits(vertx, platform.hazelcast(), config().getJsonObject("rateLimit"));
    discovery = new DiscoveryCache(vertx, platform.discovery()::records);
    JsonObject rateLimit = config().getJsonObject("rateLimit");
    AddressGate passwordChecks =
        new AddressGate(
            vertx,
            rateLimit.getInteger("passwordChecksPerAddress"),
            rateLimit.getInteger("passwordChecksQueuedPerAddress"));
    Calls calls =
        new Calls(
            tokens,
            limits,
            passwordChecks,
            ClientAddresses.from(http),
            new Downstream(vertx, platform, discovery));
    int instances = serverInstances(http);
    int port =
        instances > 1 && http.getInteger("port") == 0
            ? freePort(http.getString("host"))
            : http.getInteger("port");
    // The monolith is one JVM by definition: no other gateway may take a share of its port.
    String unshared =
        platform.clustered()
            ? PortSharing.unavailable(http, vertx)
            : "the modular monolith (all) runs one gateway";
    HttpServerOptions options = serverOptions(http).setReusePort(unshared == null);
    return Future.all(discovery.start(), tokenKeys.start())
        .compose(v -> OpenAPIContract.from(vertx, EdgeRouter.CONTRACT))
        .map(contract -> router(contract, calls, http))
        .compose(
            router ->
                vertx
                    .createHttpServer(options)
                    .requestHandler(router)
                    .invalidRequestHandler(EdgeFailures::invalidRequest)
                    .listen(port, http.getString("host"))
                    .recover(e -> Future.failedFuture(PortSharing.cannotListen(http, unshared, e)))
                    .onSuccess(s -> server = s)
                    .compose(
                        s -> moreServers(router, options, http, s.actualPort(), instances - 1)))
        .onSuccess(
            v ->
                platform
                    .endpoints()
                    .put("gateway", "http://" + http.getString("host") + ":" + server.actualPort()))
        .onSuccess(
            v ->
                LOG.info(
                    "gateway listening on http://{}:{} ({} event loops; {})",
                    http.getString("host"),
                    server.actualPort(),
                    instances,
                    unshared == null ? "port open to other gateways on this host" : unshared));
  }

  /** The verifier every route shares: for tests that count what it was asked. */
  TokenVerifier tokens() {
    return tokens;
  }

  /** The JWKS users publishes on {@link UsersApi#KEYS}. */
  private Future<JsonObject> keysFromUsers() {
    return vertx
        .eventBus()
        .<JsonObject>request(UsersApi.KEYS, new JsonObject(), platform.delivery())
        .map(Message::body);
  }

  /**
   * Checks the gateway's own settings before anything starts (the launcher's preflight), so a bad
   * one costs one line, not a cluster join.
   */
  public static void checkSettings(JsonObject config) {
    JsonObject http = config.getJsonObject("http");
    serverInstances(http);
    ClientAddresses.from(http);
    LastKnownCopies.from(config.getJsonObject("catalog"));
    OpsRoutes.checkSettings(config);
  }

  /** {@code http.instances}: HTTP servers on as many event loops; 0 means one per core. */
  private static int serverInstances(JsonObject http) {
    int configured = http.getInteger("instances", 0);
    if (configured < 0 || configured > 64) {
      throw new ConfigException(
          "gateway.http.instances", configured + " is out of range 0..64 (0: one per core)");
    }
    return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
  }

  /**
   * Servers share a socket only when they listen on the same port number, and Vert.x 5 gives every
   * listen on 0 a port of its own; so for "any free port" with several servers, one free port is
   * chosen first.
   */
  private static int freePort(String host) {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }

  /**
   * The rest of the servers, on the first one's port: Vert.x hands each new connection to the next
   * server.
   */
  private Future<Void> moreServers(
      Router router, HttpServerOptions options, JsonObject http, int port, int count) {
    if (count <= 0) {
      return Future.succeededFuture();
    }
    String host = http.getString("host");
    return vertx
        .deployVerticle(
            () -> new EdgeServer(router, options, host, port),
            new DeploymentOptions().setInstances(count))
        .onSuccess(id -> edges = id)
        .mapEmpty();
  }

  @Override
  protected Future<?> stopService() {
    if (discovery != null) {
      discovery.stop();
    }
    if (tokenKeys != null) {
      tokenKeys.stop();
    }
    Future<Void> others =
        edges == null
            ? Future.succeededFuture()
            : vertx
                .undeploy(edges)
                .recover(e -> Future.succeededFuture()); // already gone with its parent
    return Future.all(others, server == null ? Future.succeededFuture() : server.shutdown());
  }

  private Router router(OpenAPIContract contract, Calls calls, JsonObject http) {
    StatusReport status = new StatusReport(vertx, platform, config().getJsonObject("status"));
    NotificationRoutes notifications =
        new NotificationRoutes(vertx, calls, config().getJsonObject("streams"));
    LastKnownCopies catalogCopies = LastKnownCopies.from(config().getJsonObject("catalog"));
    Router operations =
        new OperationRoutes(
                vertx,
                contract,
                calls,
                status,
                notifications,
                catalogCopies,
                new OpsRoutes(vertx, calls, status, config()))
            .router(http.getLong("bodyLimitBytes"));
    return EdgeRouter.create(vertx, contract, operations, http.getInteger("maxInitialLineLength"));
  }

  private static HttpServerOptions serverOptions(JsonObject http) {
    return new HttpServerOptions()
        .setIdleTimeout(http.getInteger("idleTimeoutSeconds"))
        .setMaxHeaderSize(http.getInteger("maxHeaderSize"))
        .setMaxInitialLineLength(http.getInteger("maxInitialLineLength"))
        .setCompressionSupported(true)
        // No cleartext HTTP/2 upgrade: the edge speaks HTTP/1.1 (TLS terminators negotiate h2 in
        // front of it),
        // so the request-line and header limits above hold for every request.
        .setHttp2ClearTextEnabled(false);
  }
}
