package dev.microshop.inventory;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo catalog a developer sees on the first {@code up}: seeded once per database, in dev mode
 * only. The seed marker and the products commit together, so a restart, or two instances starting
 * at once, never seed twice, and a product an admin changed or created with the same SKU is never
 * overwritten.
 */
final class DemoCatalog {
  static final String SEED = "demo-catalog-v1";
  private static final String RESOURCE = "/demo-catalog.json";
  private static final Logger LOG = LoggerFactory.getLogger(DemoCatalog.class);

  /** The products, from {@code demo-catalog.json}. */
  static final List<NewProduct> PRODUCTS = load();

  private final Pool pool;

  DemoCatalog(Pool pool) {
    this.pool = pool;
  }

  /** Seeds the catalog unless this database was seeded before; true when this call seeded it. */
  Future<Boolean> seedOnce() {
    return pool.withTransaction(
            tx ->
                tx.preparedQuery(InventorySql.CLAIM_SEED)
                    .execute(Tuple.of(SEED))
                    .compose(
                        claimed ->
                            claimed.size() == 1
                                ? insertProducts(tx).map(true)
                                : Future.succeededFuture(false)))
        .onSuccess(
            seeded -> {
              if (seeded) {
                LOG.info("seeded the demo catalog ({} products)", PRODUCTS.size());
              }
            });
  }

  private static Future<?> insertProducts(SqlConnection tx) {
    List<Tuple> rows =
        PRODUCTS.stream()
            .map(
                p ->
                    Tuple.of(
                        UUID.randomUUID(),
                        p.sku(),
                        p.name(),
                        p.description(),
                        p.priceMinor(),
                        p.currency(),
                        p.available()))
            .toList();
    return tx.preparedQuery(InventorySql.INSERT_SEED_PRODUCT).executeBatch(rows);
  }

  private static List<NewProduct> load() {
    try (InputStream in = DemoCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the jar");
      }
      JsonArray products = new JsonArray(Buffer.buffer(in.readAllBytes()));
      return products.stream()
          .map(JsonObject.class::cast)
          .map(
              p ->
                  new NewProduct(
                      p.getString("sku"),
                      p.getString("name"),
                      p.getString("description"),
                      p.getLong("priceMinor"),
                      p.getString("currency"),
                      p.getInteger("available")))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
