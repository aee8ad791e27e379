package dev.microshop.inventory;

import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;

/**
 * The catalog and its stock in the inventory database. Takes validated commands; fails with domain
 * codes.
 */
final class Catalog {
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String FOREIGN_KEY_VIOLATION = "23503";

  private final Pool pool;

  Catalog(Pool pool) {
    this.pool = pool;
  }

  /** One page, read one row beyond the limit to know whether another page follows. */
  Future<JsonObject> page(PageRequest request) {
    Cursor after = request.after();
    Future<RowSet<Row>> rows =
        request.query() == null
            ? pool.preparedQuery(InventorySql.PAGE)
                .execute(Tuple.of(after.name(), after.id(), request.limit() + 1))
            : pool.preparedQuery(InventorySql.SEARCH_PAGE)
                .execute(
                    Tuple.of(after.name(), after.id(), request.likePattern(), request.limit() + 1));
    return rows.map(found -> page(products(found), request.limit()));
  }

  Future<Product> get(UUID id) {
    return pool.preparedQuery(InventorySql.SELECT_PRODUCT)
        .execute(Tuple.of(id))
        .map(rows -> single(rows, id));
  }

  Future<Product> create(NewProduct product) {
    Tuple values =
        Tuple.of(
            UUID.randomUUID(),
            product.sku(),
            product.name(),
            product.description(),
            product.priceMinor(),
            product.currency(),
            product.available());
    return pool.preparedQuery(InventorySql.INSERT_PRODUCT)
        .execute(values)
        .map(rows -> Product.from(rows.iterator().next()))
        .recover(
            e ->
                Future.failedFuture(
                    sqlState(e, UNIQUE_VIOLATION)
                        ? ServiceFailure.conflict("sku " + product.sku() + " is already taken")
                        : e));
  }

  /**
   * Compare-and-set on the version: exactly one of concurrent updates from the same version wins.
   */
  Future<Product> update(ProductChanges changes) {
    Tuple values =
        Tuple.of(
            changes.id(),
            changes.expectedVersion(),
            changes.name(),
            changes.description(),
            changes.priceMinor(),
            changes.currency());
    return pool.preparedQuery(InventorySql.UPDATE_PRODUCT)
        .execute(values)
        .compose(
            rows ->
                rows.size() == 1
                    ? Future.succeededFuture(Product.from(rows.iterator().next()))
                    : whyNotUpdated(changes));
  }

  /**
   * Applies a stock delta and records it, in one transaction; a repeated message id applies
   * nothing.
   */
  Future<Product> adjust(StockAdjustment adjustment) {
    return pool.withTransaction(
            tx ->
                record(tx, adjustment)
                    .compose(
                        recorded -> recorded ? applyDelta(tx, adjustment) : replay(tx, adjustment)))
        .recover(
            e ->
                Future.failedFuture(
                    sqlState(e, FOREIGN_KEY_VIOLATION) ? notFound(adjustment.productId()) : e));
  }

  private Future<Boolean> record(SqlConnection tx, StockAdjustment adjustment) {
    Tuple values =
        Tuple.of(
            UUID.randomUUID(),
            adjustment.productId(),
            adjustment.delta(),
            adjustment.reason(),
            adjustment.actor(),
            adjustment.messageId());
    return tx.preparedQuery(InventorySql.INSERT_ADJUSTMENT)
        .execute(values)
        .map(rows -> rows.size() == 1);
  }

  private Future<Product> applyDelta(SqlConnection tx, StockAdjustment adjustment) {
    Tuple values =
        Tuple.of(adjustment.productId(), adjustment.delta(), ProductValidator.MAX_AVAILABLE);
    return tx.preparedQuery(InventorySql.ADJUST_STOCK)
        .execute(values)
        .compose(
            rows ->
                rows.size() == 1
                    ? Future.succeededFuture(Product.from(rows.iterator().next()))
                    : outOfRange(tx, adjustment));
  }

  /**
   * The message id was applied before. The same adjustment again is a resend: answer as the first
   * time, with today's state. Another adjustment under that id reuses the client's Idempotency-Key
   * (the gateway derives the id from it), which is refused as orders and credits refuse it.
   */
  private Future<Product> replay(SqlConnection tx, StockAdjustment adjustment) {
    return tx.preparedQuery(InventorySql.SELECT_ADJUSTMENT)
        .execute(Tuple.of(adjustment.messageId()))
        .compose(
            rows -> {
              Row first = rows.iterator().next();
              UUID product = first.getUUID("product_id");
              boolean same =
                  product.equals(adjustment.productId())
                      && first.getInteger("delta") == adjustment.delta()
                      && first.getString("reason").equals(adjustment.reason());
              return same
                  ? tx.preparedQuery(InventorySql.SELECT_PRODUCT)
                      .execute(Tuple.of(product))
                      .map(found -> single(found, product))
                  : Future.failedFuture(
                      ServiceFailure.unprocessable(
                          "this Idempotency-Key was already used for a different stock adjustment; use a new key"));
            });
  }

  private Future<Product> outOfRange(SqlConnection tx, StockAdjustment adjustment) {
    return tx.preparedQuery(InventorySql.SELECT_VERSION)
        .execute(Tuple.of(adjustment.productId()))
        .compose(
            rows -> {
              int available = rows.iterator().next().getInteger("available");
              String problem =
                  adjustment.delta() < 0
                      ? "stock of product "
                          + adjustment.productId()
                          + " is "
                          + available
                          + ": cannot remove "
                          + -adjustment.delta()
                      : "stock of product "
                          + adjustment.productId()
                          + " is "
                          + available
                          + ": adding "
                          + adjustment.delta()
                          + " would exceed "
                          + ProductValidator.MAX_AVAILABLE;
              return Future.failedFuture(ServiceFailure.conflict(problem));
            });
  }

  private Future<Product> whyNotUpdated(ProductChanges changes) {
    return pool.preparedQuery(InventorySql.SELECT_VERSION)
        .execute(Tuple.of(changes.id()))
        .compose(
            rows ->
                Future.failedFuture(
                    rows.size() == 0
                        ? notFound(changes.id())
                        : ServiceFailure.preconditionFailed(
                            "product "
                                + changes.id()
                                + " is at version "
                                + rows.iterator().next().getLong("version")
                                + ", not "
                                + changes.expectedVersion())));
  }

  private static JsonObject page(List<Product> found, int limit) {
    boolean more = found.size() > limit;
    List<Product> items = more ? found.subList(0, limit) : found;
    JsonObject page =
        new JsonObject().put("items", new JsonArray(items.stream().map(Product::toJson).toList()));
    if (more) {
      page.put("nextCursor", Cursor.after(items.get(limit - 1)).encode());
    }
    return page;
  }

  private static List<Product> products(RowSet<Row> rows) {
    return StreamSupport.stream(rows.spliterator(), false).map(Product::from).toList();
  }

  private static Product single(RowSet<Row> rows, UUID id) {
    if (rows.size() == 0) {
      throw notFound(id);
    }
    return Product.from(rows.iterator().next());
  }

  private static ServiceFailure notFound(UUID id) {
    return ServiceFailure.notFound("product " + id + " not found");
  }

  private static boolean sqlState(Throwable e, String state) {
    return e instanceof DatabaseException db && state.equals(db.getSqlState());
  }
}
