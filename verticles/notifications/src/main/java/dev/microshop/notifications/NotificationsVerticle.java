package dev.microshop.notifications;

import dev.microshop.contracts.Services;
import dev.microshop.platform.Platform;
import dev.microshop.platform.ServiceVerticle;
import io.vertx.core.Future;

/** The notifications service: what users are told. Owns the notifications database. */
public class NotificationsVerticle extends ServiceVerticle {

  public NotificationsVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.NOTIFICATIONS;
  }

  @Override
  protected Future<?> startService() {
    return Future.succeededFuture();
  }
}
