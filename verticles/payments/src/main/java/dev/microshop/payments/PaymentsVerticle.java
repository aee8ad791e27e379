package dev.microshop.payments;

import dev.microshop.contracts.Services;
import dev.microshop.platform.Platform;
import dev.microshop.platform.ServiceVerticle;
import io.vertx.core.Future;

/** The payments service: wallets, charges and refunds. Owns the payments database. */
public class PaymentsVerticle extends ServiceVerticle {

  public PaymentsVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.PAYMENTS;
  }

  @Override
  protected Future<?> startService() {
    return Future.succeededFuture();
  }
}
