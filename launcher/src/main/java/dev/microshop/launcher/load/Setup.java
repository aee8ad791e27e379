package dev.microshop.launcher.load;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The steps before a run, on the calling thread: logins and reads that must succeed first. */
final class Setup {
  private Setup() {}

  /** The reply, or a {@link SetupFailed} saying the gateway cannot be reached. */
  static <T> T await(Future<T> future) {
    try {
      return future.await(Gateway.REQUEST_TIMEOUT_MS + 5000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
          break;
        }
        cause = cause.getCause();
      }
      if (cause instanceof ConnectException
          || cause instanceof UnknownHostException
          || cause.getClass().getSimpleName().contains("Connect")) {
        throw new SetupFailed("cannot reach the gateway: " + SetupFailed.describe(cause));
      }
      throw new SetupFailed("the gateway did not answer: " + SetupFailed.describe(cause));
    }
  }

  /** The ids of a page of products; with {@code inStock}, of those with stock left. */
  static List<String> productIds(JsonObject page, boolean inStock) {
    List<String> ids = new ArrayList<>();
    for (Object item : page.getJsonArray("items", new io.vertx.core.json.JsonArray())) {
      if (item instanceof JsonObject p
          && p.getString("id") != null
          && (!inStock || p.getLong("available", 1L) > 0)) {
        ids.add(p.getString("id"));
      }
    }
    return ids;
  }

  /** A bearer token for this email and password. */
  static String login(Gateway gateway, String email, String password) {
    Gateway.Reply reply =
        await(
            gateway.call(
                HttpMethod.POST,
                "/v1/auth/token",
                null,
                new JsonObject().put("email", email).put("password", password),
                null));
    if (reply.status() != 200 || reply.body().getString("accessToken") == null) {
      throw new SetupFailed(
          "login of " + email + " answered " + reply.status() + " " + detail(reply));
    }
    return reply.body().getString("accessToken");
  }

  static String adminToken(Gateway gateway, Path passwordFile, String email) {
    String password;
    try {
      password = Files.readString(passwordFile).trim();
    } catch (IOException e) {
      throw new SetupFailed("cannot read the admin password: " + SetupFailed.describe(e));
    }
    return login(gateway, email, password);
  }

  static String detail(Gateway.Reply reply) {
    return reply.body().getString("detail", reply.body().getString("type", ""));
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SetupFailed("interrupted");
    }
  }
}
