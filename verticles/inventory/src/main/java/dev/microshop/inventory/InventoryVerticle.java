package dev.microshop.inventory;

import dev.microshop.contracts.Services;
import dev.microshop.platform.Platform;
import dev.microshop.platform.ServiceVerticle;
import io.vertx.core.Future;

/** The inventory service: the catalog and its stock. Owns the inventory database. */
public class InventoryVerticle extends ServiceVerticle {

  public InventoryVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.INVENTORY;
  }

  @Override
  protected Future<?> startService() {
    return Future.succeededFuture();
  }
}
