package dev.microshop.inventory;

import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.Services;
import dev.microshop.platform.service.Platform;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An admin write made current on every inventory instance before its 200: the writer asks each
 * other instance (found in the service registry) to drop what the write changed, and answers once
 * they all said so, so no instance serves the old product or page of the catalog to a client that
 * already saw the write succeed. The saga's stock changes have no 200 to wait for and keep the
 * published {@link InventoryApi#CATALOG_CHANGED}. An instance that cannot be asked within {@link
 * #WAIT_MS} drops the change within {@code catalog.cacheTtlMs} anyway; the writer says so in its
 * log and answers.
 */
final class Invalidations {
  static final long WAIT_MS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(Invalidations.class);

  private final Vertx vertx;
  private final Platform platform;
  private final String instanceId;

  Invalidations(Vertx vertx, Platform platform, String instanceId) {
    this.vertx = vertx;
    this.platform = platform;
    this.instanceId = instanceId;
  }

  /** Asks every other inventory instance to apply {@code change}; never fails. */
  Future<Void> elsewhere(JsonObject change) {
    DeliveryOptions wait = new DeliveryOptions().setSendTimeout(WAIT_MS);
    return platform
        .discovery()
        .records()
        .timeout(WAIT_MS, TimeUnit.MILLISECONDS)
        .compose(
            records -> {
              List<Future<?>> asked =
                  records.stream()
                      .filter(r -> Services.INVENTORY.equals(r.getName()))
                      .map(r -> r.getMetadata().getString("instanceId"))
                      .filter(id -> id != null && !id.equals(instanceId))
                      .distinct()
                      .<Future<?>>map(
                          id -> vertx.eventBus().request(InventoryApi.invalidate(id), change, wait))
                      .toList();
              return Future.join(asked).<Void>mapEmpty();
            })
        .recover(
            e -> {
              LOG.warn(
                  "an admin write could not be made current on every inventory instance ({}):"
                      + " the others drop it within catalog.cacheTtlMs",
                  e.getMessage());
              return Future.succeededFuture();
            });
  }
}
