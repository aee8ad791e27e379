package dev.microshop.gateway;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge: the only public HTTP server. The OpenAPI document is the source of truth: every request
 * is validated against it before a handler runs, and everything behind it is reached over the event
 * bus.
 */
public class GatewayVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final String CONTRACT = "api/openapi.yaml";
  private static final String HEAD = "microshop.head";
  private static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.20.0";
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private HttpServer server;
  private String edges;
  private DiscoveryCache discovery;

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
    TokenVerifier tokens = new TokenVerifier(vertx, platform, config());
    RateLimits limits =
        new RateLimits(vertx, platform.hazelcast(), config().getJsonObject("rateLimit"));
    discovery = new DiscoveryCache(vertx, platform.discovery()::records);
    Calls calls = new Calls(tokens, limits, new Downstream(vertx, platform, discovery));
    int instances = serverInstances(http);
    int port =
        instances > 1 && http.getInteger("port") == 0
            ? freePort(http.getString("host"))
            : http.getInteger("port");
    return discovery
        .start()
        .compose(v -> OpenAPIContract.from(vertx, CONTRACT))
        .map(contract -> router(contract, calls, http))
        .compose(
            router ->
                vertx
                    .createHttpServer(serverOptions(http))
                    .requestHandler(router)
                    .invalidRequestHandler(GatewayVerticle::invalidRequest)
                    .listen(port, http.getString("host"))
                    .onSuccess(s -> server = s)
                    .compose(s -> moreServers(router, http, s.actualPort(), instances - 1)))
        .onSuccess(
            v ->
                platform
                    .endpoints()
                    .put("gateway", "http://" + http.getString("host") + ":" + server.actualPort()))
        .onSuccess(
            v ->
                LOG.info(
                    "gateway listening on http://{}:{} ({} event loops)",
                    http.getString("host"),
                    server.actualPort(),
                    instances));
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
  private Future<Void> moreServers(Router router, JsonObject http, int port, int count) {
    if (count <= 0) {
      return Future.succeededFuture();
    }
    HttpServerOptions options = serverOptions(http);
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
    Future<Void> others =
        edges == null
            ? Future.succeededFuture()
            : vertx
                .undeploy(edges)
                .recover(e -> Future.succeededFuture()); // already gone with its parent
    return Future.all(others, server == null ? Future.succeededFuture() : server.shutdown());
  }

  private Router router(OpenAPIContract contract, Calls calls, JsonObject http) {
    AccountRoutes accounts = new AccountRoutes(calls);
    CatalogRoutes catalog = new CatalogRoutes(calls);
    WalletRoutes wallets = new WalletRoutes(calls);
    OrderRoutes orders = new OrderRoutes(calls);
    NotificationRoutes notifications = new NotificationRoutes(vertx, calls);
    AdminRoutes admin = new AdminRoutes(calls);
    StatusReport status =
        new StatusReport(
            vertx, platform, config().getJsonObject("status").getLong("pingTimeoutMs"));
    RouterBuilder builder =
        RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
            .rootHandler(BodyHandler.create(false).setBodyLimit(http.getLong("bodyLimitBytes")));
    // Tokens are verified by TokenVerifier (with checks the generic handler lacks) first, so a
    // caller without a
    // valid token learns nothing about the contract but 401; then requests are validated on the
    // event loop (see
    // InlineValidation) before any other handler runs.
    InlineValidation validation = new InlineValidation(vertx, contract);
    builder
        .getRoutes()
        .forEach(
            route -> {
              route.setDoSecurity(false).setDoValidation(false);
              if (!route.getOperation().getSecurityRequirements().isEmpty()) {
                route.addHandler(
                    ctx ->
                        calls
                            .authenticated(ctx)
                            .onSuccess(identity -> ctx.next())
                            .onFailure(ctx::fail));
              }
              route.addHandler(validation.handler(route.getOperation()));
            });
    builder
        .getRoute("getStatus")
        .addHandler(ctx -> status.build().onSuccess(ctx::json).onFailure(ctx::fail));
    builder.getRoute("registerUser").addHandler(accounts::register);
    builder.getRoute("issueToken").addHandler(accounts::token);
    builder.getRoute("getMe").addHandler(accounts::me);
    builder.getRoute("listProducts").addHandler(catalog::list);
    builder.getRoute("getProduct").addHandler(catalog::get);
    builder.getRoute("getProductV2").addHandler(catalog::getV2);
    builder.getRoute("createProduct").addHandler(catalog::create);
    builder.getRoute("updateProduct").addHandler(catalog::update);
    builder.getRoute("adjustStock").addHandler(catalog::adjustStock);
    builder.getRoute("getWallet").addHandler(wallets::get);
    builder.getRoute("creditWallet").addHandler(wallets::credit);
    builder.getRoute("listTransactions").addHandler(wallets::transactions);
    builder.getRoute("placeOrder").addHandler(orders::place);
    builder.getRoute("listOrders").addHandler(orders::list);
    builder.getRoute("getOrder").addHandler(orders::get);
    builder.getRoute("cancelOrder").addHandler(orders::cancel);
    builder.getRoute("listNotifications").addHandler(notifications::list);
    builder.getRoute("streamNotifications").addHandler(notifications::stream);
    builder.getRoute("listDeadLetters").addHandler(admin::deadLetters);
    builder.getRoute("redriveDeadLetter").addHandler(admin::redrive);
    builder.getRoute("outboxStats").addHandler(admin::stats);

    Router root = Router.router(vertx);
    // RFC 9110: HEAD is GET without a body. Rerouted as GET, it runs every check a GET runs (rate
    // limits, tokens, validation) and gets the same headers; Vert.x leaves out the body of a
    // response to HEAD.
    root.route()
        .method(HttpMethod.HEAD)
        .handler(
            ctx -> {
              ctx.put(HEAD, true);
              ctx.reroute(HttpMethod.GET, ctx.request().uri());
            });
    root.route().handler(GatewayVerticle::requestId);
    int maxUri = http.getInteger("maxInitialLineLength");
    // HTTP/1.1's codec enforces this already; HTTP/2 (h2c) has no request line, so check the URI
    // here too.
    root.route()
        .handler(
            ctx -> {
              if (ctx.request().uri().length() > maxUri) {
                Problems.write(
                    ctx, 414, "the request URL is longer than " + maxUri + " characters", null);
              } else {
                ctx.next();
              }
            });
    root.get("/openapi.yaml")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/yaml")
                    .sendFile(CONTRACT)
                    .onFailure(ctx::fail));
    // A route for "/docs" also matches "/docs/": only the bare path is sent on to the UI's
    // directory.
    root.getWithRegex("/docs").handler(ctx -> ctx.redirect("/docs/"));
    root.get("/docs/swagger-initializer.js")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/javascript")
                    .sendFile("api/swagger-initializer.js")
                    .onFailure(ctx::fail));
    root.route("/docs/*").handler(StaticHandler.create(SWAGGER_UI).setCachingEnabled(true));
    root.route("/*").subRouter(builder.createRouter());
    root.route().failureHandler(GatewayVerticle::failure);
    root.errorHandler(
        404, ctx -> Problems.write(ctx, 404, "no such resource: " + ctx.request().path(), null));
    List<Map.Entry<Pattern, String>> allowed = allowedMethods(contract);
    root.errorHandler(
        405,
        ctx -> {
          // RFC 9110: a 405 says which methods the resource does support.
          allowed.stream()
              .filter(path -> path.getKey().matcher(ctx.request().path()).matches())
              .findFirst()
              .ifPresent(path -> ctx.response().putHeader("Allow", path.getValue()));
          Problems.write(ctx, 405, "method not allowed on " + ctx.request().path(), null);
        });
    return root;
  }

  /**
   * Each path of the contract as a pattern ({@code {id}} matching one segment), with its methods.
   */
  private static List<Map.Entry<Pattern, String>> allowedMethods(OpenAPIContract contract) {
    return contract.getPaths().stream()
        .map(
            path ->
                Map.entry(
                    Pattern.compile(
                        Arrays.stream(path.getName().split("\\{[^/}]+}", -1))
                            .map(Pattern::quote)
                            .collect(Collectors.joining("[^/]+"))),
                    path.getOperations().stream()
                        .map(op -> op.getHttpMethod().name())
                        .flatMap(m -> m.equals("GET") ? Stream.of(m, "HEAD") : Stream.of(m))
                        .sorted()
                        .collect(Collectors.joining(", "))))
        .toList();
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

  /** True when the request arrived as HEAD (it is routed as GET). */
  static boolean isHead(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(HEAD));
  }

  /** X-Request-Id: echoed when sane, generated otherwise; it also travels to the services. */
  private static void requestId(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Request-Id");
    String id = given != null && REQUEST_ID.matcher(given).matches() ? given : randomRequestId();
    ctx.put(Calls.REQUEST_ID, id);
    ctx.response().putHeader("X-Request-Id", id);
    ctx.next();
  }

  /**
   * A version-4 UUID from a non-cryptographic generator: a request id only has to be unique, and
   * {@code UUID.randomUUID()} would take SecureRandom's lock on every request.
   */
  private static String randomRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  private static void failure(RoutingContext ctx) {
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
    JsonObject body =
        new JsonObject()
            .put(
                "type",
                "https://microshop.dev/problems/"
                    + (status == 414
                        ? "uri-too-long"
                        : status == 431 ? "headers-too-large" : "invalid-request"))
            .put("title", detail)
            .put("status", status)
            .put("detail", detail);
    request
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", Problems.CONTENT_TYPE)
        .putHeader("Connection", "close")
        .end(body.encode());
  }
}
