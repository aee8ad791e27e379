package dev.microshop.launcher.load;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One operation is one order: {@code POST /v1/orders} of one unit of a product, as the next
 * customer in turn, then its final state. The POST is timed to its 202; the order to its final
 * state, both from the operation's intended start.
 */
final class Orders {
  private final Gateway gateway;
  private final List<String> products;
  private final List<String> customers;
  private final FinalStates finals;
  private final Acknowledged acknowledged;
  private final AtomicLong next = new AtomicLong();

  Orders(
      Gateway gateway,
      List<String> products,
      List<String> customers,
      FinalStates finals,
      Acknowledged acknowledged) {
    this.gateway = gateway;
    this.products = products;
    this.customers = customers;
    this.finals = finals;
    this.acknowledged = acknowledged;
  }

  /**
   * The products to order: {@code count} new ones (price 1, stock 1,000,000) created as admin, or
   * the catalog's first page of those in stock.
   */
  static List<String> products(Gateway gateway, String adminToken, int count) {
    if (count == 0) {
      Gateway.Reply page = Setup.await(gateway.get("/v1/products?limit=100", null));
      List<String> ids = page.status() == 200 ? Setup.productIds(page.body(), true) : List.of();
      if (ids.isEmpty()) {
        throw new SetupFailed(
            "no product in stock in GET /v1/products (answered "
                + page.status()
                + "): create some with --products N and an admin login");
      }
      return ids;
    }
    String sku = "LOAD-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Gateway.Reply created =
          Setup.await(
              gateway.call(
                  HttpMethod.POST,
                  "/v1/products",
                  adminToken,
                  new JsonObject()
                      .put("sku", sku + "-" + i)
                      .put("name", "Load item " + i)
                      .put("priceMinor", 1)
                      .put("currency", "EUR")
                      .put("available", 1_000_000),
                  null));
      if (created.status() != 201 || created.body().getString("id") == null) {
        throw new SetupFailed(
            "creating a product answered " + created.status() + " " + Setup.detail(created));
      }
      ids.add(created.body().getString("id"));
    }
    return ids;
  }

  Future<Void> once(long intendedNs, Stats stats) {
    String token = customers.get((int) (next.getAndIncrement() % customers.size()));
    String product = products.get(ThreadLocalRandom.current().nextInt(products.size()));
    JsonObject order =
        new JsonObject()
            .put(
                "lines",
                new JsonArray().add(new JsonObject().put("productId", product).put("quantity", 1)));
    return gateway
        .call(HttpMethod.POST, "/v1/orders", token, order, UUID.randomUUID().toString())
        .compose(
            reply -> placed(reply, token, intendedNs, stats),
            e -> {
              stats.post.error(SetupFailed.describe(e));
              return Future.succeededFuture();
            });
  }

  private Future<Void> placed(Gateway.Reply reply, String token, long intendedNs, Stats stats) {
    long now = System.nanoTime();
    if (reply.status() == 429) {
      stats.post.limited();
      return gateway.pause(reply);
    }
    String id = reply.body().getString("id");
    if (reply.status() != 202 || id == null) {
      stats.post.error(
          "POST /v1/orders " + reply.status() + " " + reply.body().getString("type", ""));
      return gateway.pause(reply);
    }
    stats.post.ok(now - intendedNs);
    acknowledged.add(id);
    stats.acknowledged.incrementAndGet();
    String status = reply.body().getString("status");
    Future<FinalStates.Final> end =
        FinalStates.isFinal(status)
            ? Future.succeededFuture(new FinalStates.Final(status, now))
            : finals.of(token, id, now);
    return end.<Void>map(
            seen -> {
              stats.toFinal.ok(seen.atNs() - intendedNs);
              (seen.status().equals("CONFIRMED") ? stats.confirmed : stats.cancelled)
                  .incrementAndGet();
              return null;
            })
        .recover(
            e -> {
              stats.toFinal.error(SetupFailed.describe(e));
              stats.notFinal.incrementAndGet();
              return Future.succeededFuture();
            });
  }
}
