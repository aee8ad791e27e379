package dev.microshop.launcher.load;

import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The catalog as an anonymous visitor reads it: one in five operations lists a page, the others
 * read a product at random. With a fixed path, every operation is {@code GET path}.
 */
final class Browse {
  private final Gateway gateway;
  private final String path;
  private final List<String> productIds;

  private Browse(Gateway gateway, String path, List<String> productIds) {
    this.gateway = gateway;
    this.path = path;
    this.productIds = productIds;
  }

  /** Reads the catalog's first page (or the fixed path once); blocks the calling thread. */
  static Browse prepare(Gateway gateway, String path) {
    Gateway.Reply first =
        Setup.await(gateway.get(path == null ? "/v1/products?limit=100" : path, null));
    if (first.status() / 100 != 2) {
      throw new SetupFailed(
          "GET " + (path == null ? "/v1/products" : path) + " answered " + first.status());
    }
    return new Browse(
        gateway, path, path == null ? Setup.productIds(first.body(), false) : List.of());
  }

  Future<Void> once(long intendedNs, Stats stats) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String target;
    if (path != null) {
      target = path;
    } else if (productIds.isEmpty() || random.nextInt(5) == 0) {
      target = "/v1/products?limit=20";
    } else {
      target = "/v1/products/" + productIds.get(random.nextInt(productIds.size()));
    }
    return gateway
        .get(target, null)
        .compose(
            reply -> {
              long now = System.nanoTime();
              if (reply.status() == 429) {
                stats.browse.limited();
              } else if (reply.status() / 100 == 2) {
                stats.browse.ok(now - intendedNs);
              } else {
                stats.browse.error(
                    "GET " + (path == null ? "/v1/products" : path) + " " + reply.status());
              }
              return gateway.pause(reply);
            })
        .recover(
            e -> {
              stats.browse.error(SetupFailed.describe(e));
              return Future.succeededFuture();
            });
  }
}
