package dev.microshop.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The root router, around the contract's operations: HEAD as GET, request ids, the URL limit, the
 * contract and its UI, and problem bodies for unknown paths (404) and methods (405).
 */
final class EdgeRouter {
  static final String CONTRACT = "api/openapi.yaml";
  private static final String HEAD = "microshop.head";
  private static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.20.0";
  private static final String CONSOLE_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self';"
          + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private EdgeRouter() {}

  /** {@code operations} (the contract's routes) behind the edge's own handlers. */
  static Router create(
      Vertx vertx, OpenAPIContract contract, Router operations, int maxInitialLineLength) {
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
    root.route().handler(EdgeRouter::requestId);
    // HTTP/1.1's codec enforces this already; HTTP/2 (h2c) has no request line, so check the URI
    // here too.
    root.route().handler(ctx -> limitUri(ctx, maxInitialLineLength));
    docs(root);
    console(root);
    root.route("/*").subRouter(operations);
    root.route().failureHandler(EdgeFailures::failure);
    root.errorHandler(
        404, ctx -> Problems.write(ctx, 404, "no such resource: " + ctx.request().path(), null));
    List<Map.Entry<Pattern, String>> allowed = allowedMethods(contract);
    root.errorHandler(405, ctx -> methodNotAllowed(ctx, allowed));
    return root;
  }

  /** True when the request arrived as HEAD (it is routed as GET). */
  static boolean isHead(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(HEAD));
  }

  private static void limitUri(RoutingContext ctx, int maxUri) {
    if (ctx.request().uri().length() > maxUri) {
      Problems.write(ctx, 414, "the request URL is longer than " + maxUri + " characters", null);
    } else {
      ctx.next();
    }
  }

  /** The contract, and the Swagger UI that reads it. */
  private static void docs(Router root) {
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
  }

  /**
   * The operations console: static files only (its data comes from the admin API, with the admin's
   * token), under a policy that lets the page run nothing but its own script and talk to nothing
   * but this gateway.
   */
  private static void console(Router root) {
    root.getWithRegex("/ops").handler(ctx -> ctx.redirect("/ops/"));
    root.route("/ops/*")
        .handler(
            ctx -> {
              ctx.response()
                  .putHeader("Content-Security-Policy", CONSOLE_POLICY)
                  .putHeader("X-Content-Type-Options", "nosniff")
                  .putHeader("Referrer-Policy", "no-referrer");
              ctx.next();
            })
        .handler(StaticHandler.create("ops").setCachingEnabled(false));
  }

  /** RFC 9110: a 405 says which methods the resource does support. */
  private static void methodNotAllowed(
      RoutingContext ctx, List<Map.Entry<Pattern, String>> allowed) {
    allowed.stream()
        .filter(path -> path.getKey().matcher(ctx.request().path()).matches())
        .findFirst()
        .ifPresent(path -> ctx.response().putHeader("Allow", path.getValue()));
    Problems.write(ctx, 405, "method not allowed on " + ctx.request().path(), null);
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
}
