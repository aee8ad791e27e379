package dev.microshop.orders;

import dev.microshop.contracts.Services;
import dev.microshop.platform.Platform;
import dev.microshop.platform.ServiceVerticle;
import io.vertx.core.Future;

/** The orders service: order placement and the saga that orchestrates it. Owns the orders database. */
public class OrdersVerticle extends ServiceVerticle {

  public OrdersVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.ORDERS;
  }

  @Override
  protected Future<?> startService() {
    return Future.succeededFuture();
  }
}
