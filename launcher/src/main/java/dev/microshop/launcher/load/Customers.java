package dev.microshop.launcher.load;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The customers orders are placed as: {@code <prefix>-<i>@example.com}, registered when new and
 * reused (logged in) when a previous run registered them.
 */
final class Customers {
  /**
   * Registrations and logins hash a password (Argon2, about 100 ms of CPU each) and the gateway
   * allows a few per client address at once: two at a time stays clear of its 429s.
   */
  private static final int AT_ONCE = 2;

  private static final int RETRIES_ON_429 = 30;

  private Customers() {}

  /** A token per customer, in order. */
  static List<String> tokens(Gateway gateway, int count, String prefix, String password) {
    ExecutorService pool = Executors.newFixedThreadPool(AT_ONCE);
    try {
      List<java.util.concurrent.Future<String>> pending = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String email = prefix + "-" + i + "@example.com";
        pending.add(pool.submit(() -> one(gateway, email, password)));
      }
      List<String> tokens = new ArrayList<>();
      for (java.util.concurrent.Future<String> token : pending) {
        tokens.add(token.get());
      }
      return tokens;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof SetupFailed failed
          ? failed
          : new SetupFailed("customer setup failed: " + SetupFailed.describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SetupFailed("interrupted");
    } finally {
      pool.shutdownNow();
    }
  }

  private static String one(Gateway gateway, String email, String password) {
    for (int attempt = 0; ; attempt++) {
      Gateway.Reply registered =
          Setup.await(
              gateway.call(
                  HttpMethod.POST,
                  "/v1/users",
                  null,
                  new JsonObject()
                      .put("email", email)
                      .put("displayName", "Load " + email.substring(0, email.indexOf('@')))
                      .put("password", password),
                  null));
      if (registered.status() == 429 && attempt < RETRIES_ON_429) {
        Setup.pause(1000);
        continue;
      }
      if (registered.status() != 201 && registered.status() != 409) {
        throw new SetupFailed(
            "registering "
                + email
                + " answered "
                + registered.status()
                + " "
                + Setup.detail(registered));
      }
      break;
    }
    for (int attempt = 0; ; attempt++) {
      try {
        return Setup.login(gateway, email, password);
      } catch (SetupFailed e) {
        if (!e.getMessage().contains(" 429 ") || attempt >= RETRIES_ON_429) {
          throw e;
        }
        Setup.pause(1000);
      }
    }
  }
}
