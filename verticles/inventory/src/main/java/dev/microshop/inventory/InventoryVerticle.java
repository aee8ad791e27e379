package dev.microshop.inventory;

import dev.microshop.contracts.CatalogPages;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.InventoryApi.CommitStock;
import dev.microshop.contracts.InventoryApi.ReleaseStock;
import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.messaging.Consumers;
import dev.microshop.platform.request.Callers;
import dev.microshop.platform.request.Fields;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inventory service: the catalog and its stock. Owns the inventory database. Reads are public;
 * changes need the admin role, whoever sends them. The order saga's stock commands arrive through
 * orders' outbox and are applied once per message id and once per order.
 */
public class InventoryVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(InventoryVerticle.class);
  private static final int CACHED_PRODUCTS = 10_000;
  // Pages are keyed by filter, cursor and size: the first pages of the usual sizes are what
  // browsing asks for again and again; deep or searched pages come and go.
  private static final int CACHED_PAGES = 1_000;
  private Catalog catalog;
  private ProductValidator validator;
  private ProductCache cache;
  private Invalidations invalidations;

  public InventoryVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.INVENTORY;
  }

  @Override
  protected Future<?> startService() {
    JsonObject settings = config().getJsonObject("catalog");
    int defaultPageSize = settings.getInteger("defaultPageSize");
    if (defaultPageSize > ProductValidator.MAX_LIMIT) {
      throw new ConfigException(
          "catalog.defaultPageSize",
          defaultPageSize + " is above the largest page, " + ProductValidator.MAX_LIMIT);
    }
    catalog = new Catalog(pool);
    validator = new ProductValidator(defaultPageSize);
    invalidations = new Invalidations(vertx, platform, instanceId);
    cache = new ProductCache(settings.getLong("cacheTtlMs"), CACHED_PRODUCTS, CACHED_PAGES);
    return seedDemoCatalog(settings.getBoolean("seedDemoCatalog"))
        .compose(v -> Future.all(catalogConsumers(), sagaConsumers(), changesElsewhere()));
  }

  /**
   * A write outside the saga (admin changes, rare): every cached product and page is stale once it
   * runs, here at once and on the other instances before the write answers ({@link Invalidations}).
   */
  private <T> Future<T> writing(Supplier<Future<T>> write) {
    cache.writeStarted(null);
    Future<T> done;
    try {
      done = write.get();
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.transform(
        result -> {
          JsonObject change = written(null);
          return result.succeeded()
              ? invalidations.elsewhere(change).map(v -> result.result())
              : Future.failedFuture(result.cause());
        });
  }

  /**
   * A saga effect inside {@code tx} changed these products' stock. Told once the effect is done,
   * which is still before the commit makes the change visible (until then the cache serves the
   * committed state, which is still current); the cache hears again once the transaction has ended.
   */
  private void touched(SqlConnection tx, List<UUID> products) {
    cache.writeStarted(products);
    tx.transaction().completion().onComplete(ended -> written(products));
  }

  private JsonObject written(List<UUID> products) {
    cache.writeEnded(products);
    JsonObject change = new JsonObject().put("instanceId", instanceId);
    if (products != null) {
      change.put("ids", new JsonArray(products.stream().map(UUID::toString).toList()));
    }
    vertx.eventBus().publish(InventoryApi.CATALOG_CHANGED, change);
    return change;
  }

  private Future<?> changesElsewhere() {
    return Future.all(
        consumers.on(
            InventoryApi.CATALOG_CHANGED,
            msg -> {
              if (!instanceId.equals(msg.body().getString("instanceId"))) {
                cache.changedElsewhere(changedIds(msg.body()));
              }
              return Future.succeededFuture();
            }),
        consumers.on(
            InventoryApi.invalidate(instanceId),
            msg -> {
              cache.changedElsewhere(changedIds(msg.body()));
              return Future.succeededFuture(new JsonObject());
            }));
  }

  private Future<?> catalogConsumers() {
    return Future.all(
        consumers.on(InventoryApi.LIST, this::list),
        consumers.on(InventoryApi.GET, this::get),
        consumers.on(InventoryApi.CREATE, this::create),
        consumers.on(InventoryApi.UPDATE, this::update),
        consumers.on(InventoryApi.ADJUST_STOCK, this::adjustStock));
  }

  private Future<?> sagaConsumers() {
    return Future.all(
        answering(
            InventoryApi.RESERVE_STOCK,
            (tx, body) -> {
              ReserveCommand command = ReserveCommand.from(body);
              return Reservations.reserve(tx, command)
                  .onSuccess(answer -> touched(tx, List.of(command.productIds())));
            }),
        reliably(
            InventoryApi.RELEASE_STOCK,
            (tx, body) ->
                Reservations.release(tx, Fields.read(body, ReleaseStock::read).orderId())
                    .onSuccess(products -> touched(tx, products))),
        // A commit marks reserved lines sold (a no-op when the order holds none); the products
        // (their available stock) do not change. One statement with its inbox insert.
        reliablyInOneStatement(
            InventoryApi.COMMIT_STOCK,
            InventorySql.COMMIT_ONCE,
            body -> Tuple.of(Fields.read(body, CommitStock::read).orderId()),
            rows -> LOG.debug("committed {} reserved lines", rows.rowCount())));
  }

  /**
   * The product ids of a change event, or null (every product) when it names none or is malformed.
   */
  private static List<UUID> changedIds(JsonObject change) {
    if (!(change.getValue("ids") instanceof JsonArray ids)) {
      return null;
    }
    try {
      return ids.stream().map(id -> UUID.fromString((String) id)).toList();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * A page as bytes encoded once per page read, with its ETag in a header: the gateway passes both
   * on without decoding the page ({@link CatalogPages}).
   */
  private Future<Consumers.Reply> list(Message<JsonObject> msg) {
    PageRequest request = validator.page(msg.body());
    return cache
        .encodedPage(request, () -> catalog.page(request))
        .map(
            page ->
                new Consumers.Reply(page.bytes(), Map.of(CatalogPages.ETAG_HEADER, page.etag())));
  }

  private Future<JsonObject> get(Message<JsonObject> msg) {
    UUID id = validator.id(msg.body());
    return cache.get(id, () -> catalog.get(id).map(Product::toJson));
  }

  private Future<JsonObject> create(Message<JsonObject> msg) {
    Callers.admin(msg.headers());
    NewProduct product = validator.create(msg.body());
    return writing(() -> catalog.create(product)).map(Product::toJson);
  }

  private Future<JsonObject> update(Message<JsonObject> msg) {
    Callers.admin(msg.headers());
    ProductChanges changes = validator.update(msg.body());
    return writing(() -> catalog.update(changes)).map(Product::toJson);
  }

  private Future<JsonObject> adjustStock(Message<JsonObject> msg) {
    StockAdjustment adjustment = validator.adjust(msg.body(), Callers.admin(msg.headers()));
    return writing(() -> catalog.adjust(adjustment)).map(Product::toJson);
  }

  /** Dev mode only (the embedded database): a production catalog starts empty. */
  private Future<?> seedDemoCatalog(boolean wanted) {
    return wanted && config().getBoolean("dev", false)
        ? new DemoCatalog(pool).seedOnce()
        : Future.succeededFuture();
  }
}
