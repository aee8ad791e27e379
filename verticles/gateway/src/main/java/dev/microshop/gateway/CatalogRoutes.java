package dev.microshop.gateway;

import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;

/**
 * The catalog. A product's ETag is its version; a PATCH must send it back in If-Match, so two
 * admins editing at once never silently overwrite each other: the second gets 412 and re-reads.
 */
final class CatalogRoutes {
  private static final int DEFAULT_PAGE = 20;
  private final Calls calls;

  CatalogRoutes(Calls calls) {
    this.calls = calls;
  }

  void list(RoutingContext ctx) {
    JsonObject query = new JsonObject().put("limit", DEFAULT_PAGE);
    RequestParameter q = Calls.query(ctx, "q");
    RequestParameter cursor = Calls.query(ctx, "cursor");
    RequestParameter limit = Calls.query(ctx, "limit");
    if (q != null && !q.isNull()) {
      query.put("q", q.getString());
    }
    if (cursor != null && !cursor.isNull()) {
      query.put("cursor", cursor.getString());
    }
    if (limit != null && !limit.isNull()) {
      query.put("limit", limit.getInteger());
    }
    Calls.respond(
        ctx, 200, calls.anonymous(ctx).compose(v -> inventory(ctx, InventoryApi.LIST, query)));
  }

  void get(RoutingContext ctx) {
    read(ctx, p -> p);
  }

  /** {@code /v2}: the breaking change is the price, an object {@code {amount, currency}}. */
  void getV2(RoutingContext ctx) {
    read(
        ctx,
        p -> {
          JsonObject v2 = p.copy();
          v2.put(
              "price",
              new JsonObject()
                  .put("amount", v2.remove("priceMinor"))
                  .put("currency", v2.remove("currency")));
          return v2;
        });
  }

  private void read(RoutingContext ctx, java.util.function.Function<JsonObject, JsonObject> view) {
    JsonObject id = new JsonObject().put("id", Calls.path(ctx, "id"));
    calls
        .anonymous(ctx)
        .compose(v -> inventory(ctx, InventoryApi.GET, id))
        .onSuccess(
            product -> {
              String etag = etag(product);
              ctx.response().putHeader("ETag", etag);
              if (etag.equals(ctx.request().getHeader("If-None-Match"))) {
                ctx.response().setStatusCode(304).end();
              } else {
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .end(view.apply(product).encode());
              }
            })
        .onFailure(e -> Problems.send(ctx, e));
  }

  void create(RoutingContext ctx) {
    JsonObject body = Calls.body(ctx);
    Future<JsonObject> created =
        calls
            .admin(ctx)
            .compose(admin -> inventory(ctx, InventoryApi.CREATE, body))
            .onSuccess(
                p ->
                    ctx.response()
                        .putHeader("ETag", etag(p))
                        .putHeader("Location", "/v1/products/" + p.getString("id")));
    Calls.respond(ctx, 201, created);
  }

  void update(RoutingContext ctx) {
    JsonObject changes = Calls.body(ctx).put("id", Calls.path(ctx, "id"));
    changes.remove("expectedVersion"); // the precondition comes from If-Match only
    changes.remove("anyVersion");
    Future<JsonObject> updated =
        calls
            .admin(ctx)
            .compose(admin -> precondition(ctx.request().getHeader("If-Match")))
            .compose(
                precondition -> inventory(ctx, InventoryApi.UPDATE, changes.mergeIn(precondition)))
            .onSuccess(p -> ctx.response().putHeader("ETag", etag(p)));
    Calls.respond(ctx, 200, updated);
  }

  void adjustStock(RoutingContext ctx) {
    JsonObject adjustment =
        Calls.body(ctx)
            .put("id", Calls.path(ctx, "id"))
            .put("messageId", Calls.messageId(ctx, "stock:" + Calls.path(ctx, "id")));
    Future<JsonObject> adjusted =
        calls
            .admin(ctx)
            .compose(admin -> inventory(ctx, InventoryApi.ADJUST_STOCK, adjustment))
            .onSuccess(p -> ctx.response().putHeader("ETag", etag(p)));
    Calls.respond(ctx, 200, adjusted);
  }

  private Future<JsonObject> inventory(RoutingContext ctx, String address, JsonObject body) {
    return calls.downstream.call(
        Services.INVENTORY, address, body, ctx.get(Calls.IDENTITY), Calls.requestId(ctx));
  }

  static String etag(JsonObject product) {
    return "\"" + product.getLong("version") + "\"";
  }

  /**
   * {@code {expectedVersion}} from a strong ETag, or {@code {anyVersion: true}} for {@code
   * If-Match: *} (any current version: the client chose to overwrite); 428 without If-Match, 412
   * for anything that is not one of our ETags.
   */
  private static Future<JsonObject> precondition(String ifMatch) {
    if (ifMatch == null || ifMatch.isBlank()) {
      return Future.failedFuture(
          new Problems.HttpProblem(
              428,
              "send If-Match with the ETag of the product you read, so concurrent edits are not lost"));
    }
    String tag = ifMatch.trim();
    if (tag.equals("*")) {
      return Future.succeededFuture(new JsonObject().put("anyVersion", true));
    }
    if (tag.length() > 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
      try {
        return Future.succeededFuture(
            new JsonObject()
                .put("expectedVersion", Long.parseLong(tag.substring(1, tag.length() - 1))));
      } catch (NumberFormatException e) {
        // falls through: not one of ours, so it cannot match
      }
    }
    return Future.failedFuture(
        new Problems.HttpProblem(412, "If-Match does not match the product's current ETag"));
  }
}
