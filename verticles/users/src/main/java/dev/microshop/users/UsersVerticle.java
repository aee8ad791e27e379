package dev.microshop.users;

import dev.microshop.contracts.Services;
import dev.microshop.platform.Platform;
import dev.microshop.platform.ServiceVerticle;
import io.vertx.core.Future;

/** The users service: accounts, login and tokens. Owns the users database. */
public class UsersVerticle extends ServiceVerticle {

  public UsersVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.USERS;
  }

  @Override
  protected Future<?> startService() {
    return Future.succeededFuture();
  }
}
