package dev.microshop.gateway;

import dev.microshop.contracts.CatalogPages;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.Services;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import java.util.function.Function;

/**
 * The catalog. A product's ETag is its version; a PATCH must send it back in If-Match, so two
 * admins editing at once never silently overwrite each other: the second gets 412 and re-reads.
 * Public reads fall back on the gateway's last copy, marked stale, when inventory cannot answer
 * ({@link LastKnownCopies}).
 */
final class CatalogRoutes {
  private static final int DEFAULT_PAGE = 20;
  private final Calls calls;
  private final LastKnownCopies copies;

  CatalogRoutes(Calls calls, LastKnownCopies copies) {
    this.calls = calls;
    this.copies = copies;
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
    String key = LastKnownCopies.page(query);
    calls
        .anonymous(ctx)
        .compose(
            v ->
                calls.downstream.reply(
                    Services.INVENTORY,
                    InventoryApi.LIST,
                    query,
                    ctx.get(Calls.IDENTITY),
                    Calls.requestId(ctx)))
        .map(CatalogRoutes::page)
        .onSuccess(page -> copies.keep(key, page))
        .map(CatalogAnswer::fresh)
        .recover(failure -> copies.<PageBytes>instead(key, failure))
        .onSuccess(answer -> writePage(ctx, answer))
        .onFailure(e -> Problems.send(ctx, e));
  }

  /**
   * A catalog page as the client gets it: the JSON inventory encoded when it kept the page, and the
   * page's ETag ({@link CatalogPages}), passed on without reading the page.
   */
  record PageBytes(Buffer bytes, String etag) {}

  /**
   * The page of a list reply; one from an inventory of an earlier version (JSON) is encoded here.
   */
  static PageBytes page(Message<Object> reply) {
    String etag = reply.headers().get(CatalogPages.ETAG_HEADER);
    if (reply.body() instanceof Buffer bytes) {
      return new PageBytes(bytes, etag != null ? etag : CatalogPages.etag(bytes.toJsonObject()));
    }
    JsonObject page = (JsonObject) reply.body();
    return new PageBytes(page.toBuffer(), CatalogPages.etag(page));
  }

  /** A page with its ETag: 304 and no body when the client holds that one. */
  private static void writePage(RoutingContext ctx, CatalogAnswer<PageBytes> answer) {
    String etag = answer.body().etag();
    ctx.response().putHeader("ETag", etag);
    answer.mark(ctx.response());
    if (holds(ctx.request().getHeader("If-None-Match"), etag)) {
      ctx.response().setStatusCode(304).end();
    } else {
      ctx.response().putHeader("Content-Type", "application/json").end(answer.body().bytes());
    }
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

  private void read(RoutingContext ctx, Function<JsonObject, JsonObject> view) {
    String id = Calls.path(ctx, "id");
    calls
        .anonymous(ctx)
        .compose(
            v ->
                publicRead(
                    ctx,
                    InventoryApi.GET,
                    new JsonObject().put("id", id),
                    LastKnownCopies.product(id)))
        .compose(answer -> notOlderThanTheClients(ctx, answer))
        .onSuccess(answer -> write(ctx, answer, etag(answer.body()), view))
        .onFailure(e -> Problems.send(ctx, e));
  }

  /** A product with its ETag: 304 and no body when the client holds that one. */
  private static void write(
      RoutingContext ctx,
      CatalogAnswer<JsonObject> answer,
      String etag,
      Function<JsonObject, JsonObject> view) {
    ctx.response().putHeader("ETag", etag);
    answer.mark(ctx.response());
    if (holds(ctx.request().getHeader("If-None-Match"), etag)) {
      ctx.response().setStatusCode(304).end();
    } else {
      ctx.response()
          .putHeader("Content-Type", "application/json")
          .end(view.apply(answer.body()).encode());
    }
  }

  /**
   * A read of inventory that keeps what it answers as the last copy of {@code key}, and falls back
   * on that copy when inventory cannot answer.
   */
  private Future<CatalogAnswer<JsonObject>> publicRead(
      RoutingContext ctx, String address, JsonObject query, String key) {
    return inventory(ctx, address, query)
        .onSuccess(body -> copies.keep(key, body))
        .map(CatalogAnswer::fresh)
        .recover(failure -> copies.instead(key, failure));
  }

  /**
   * A stale copy older than the product the client already holds (its If-None-Match names a later
   * version) would take the client back in time: it gets the failure instead, and keeps its own.
   */
  private static Future<CatalogAnswer<JsonObject>> notOlderThanTheClients(
      RoutingContext ctx, CatalogAnswer<JsonObject> answer) {
    Long held = version(ctx.request().getHeader("If-None-Match"));
    Long version = answer.body().getLong("version");
    if (answer.isStale() && held != null && version != null && held > version) {
      return Future.failedFuture(answer.insteadOf());
    }
    return Future.succeededFuture(answer);
  }

  void create(RoutingContext ctx) {
    JsonObject body = Calls.body(ctx);
    Future<JsonObject> created =
        calls
            .admin(ctx)
            .compose(admin -> inventory(ctx, InventoryApi.CREATE, body))
            .onSuccess(this::keep)
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
            .onSuccess(this::keep)
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
            .onSuccess(this::keep)
            .onSuccess(p -> ctx.response().putHeader("ETag", etag(p)));
    Calls.respond(ctx, 200, adjusted);
  }

  private Future<JsonObject> inventory(RoutingContext ctx, String address, JsonObject body) {
    return calls.downstream.call(
        Services.INVENTORY, address, body, ctx.get(Calls.IDENTITY), Calls.requestId(ctx));
  }

  /** A write answers with the product as it now is: as good a copy as a read's. */
  private void keep(JsonObject product) {
    String id = product.getString("id");
    if (id != null) {
      copies.keep(LastKnownCopies.product(id), product);
    }
  }

  static String etag(JsonObject product) {
    return "\"" + product.getLong("version") + "\"";
  }

  /** Whether an If-None-Match header (one tag, a list, or *) names {@code etag}. */
  static boolean holds(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  /** The version a strong ETag of ours names, or null for anything else. */
  private static Long version(String etag) {
    if (etag == null) {
      return null;
    }
    String tag = etag.trim();
    if (tag.length() > 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
      try {
        return Long.parseLong(tag.substring(1, tag.length() - 1));
      } catch (NumberFormatException e) {
        return null; // not one of ours
      }
    }
    return null;
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
    Long version = version(tag);
    if (version != null) {
      return Future.succeededFuture(new JsonObject().put("expectedVersion", version));
    }
    return Future.failedFuture(
        new Problems.HttpProblem(412, "If-Match does not match the product's current ETag"));
  }
}
