package dev.microshop.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The processes chaos may touch: the instances the gateway's admin status report names, and of
 * those only a live process on this machine that runs the launcher as that very service. A pid in a
 * record is only a claim (a stale record, a reused pid): the process itself must confirm it.
 */
final class ChaosTargets {
  static final String ADMIN_EMAIL = "admin@microshop.local";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final String gateway;
  private final Path passwordFile;
  private String token;

  /** One instance as the status report names it. */
  record Instance(String service, long pid, String instanceId) {}

  ChaosTargets(String gateway, Path passwordFile) {
    this.gateway = gateway;
    this.passwordFile = passwordFile;
  }

  /** Every instance the report names with a pid that answered its ping (alive, not frozen). */
  List<Instance> instances() throws IOException, InterruptedException {
    HttpResponse<String> status = get("/v1/status");
    if (status.statusCode() == 401) {
      token = null; // expired: log in again once
      status = get("/v1/status");
    }
    if (status.statusCode() != 200) {
      throw new IOException("GET /v1/status answered " + status.statusCode());
    }
    return instances(new JsonObject(status.body()));
  }

  static List<Instance> instances(JsonObject report) {
    List<Instance> found = new ArrayList<>();
    JsonObject services = report.getJsonObject("services", new JsonObject());
    for (String service : services.fieldNames()) {
      JsonArray instances = services.getJsonObject(service).getJsonArray("instances");
      for (int i = 0; instances != null && i < instances.size(); i++) {
        JsonObject instance = instances.getJsonObject(i);
        if (instance.getValue("pid") instanceof Number pid
            && "ok".equals(instance.getString("ping"))) {
          found.add(new Instance(service, pid.longValue(), instance.getString("instanceId")));
        }
      }
    }
    return found;
  }

  /**
   * The process of {@code instance} when it is alive here and its command line runs the launcher
   * jar as that service; else empty, with nothing touched.
   */
  static Optional<ProcessHandle> confirm(Instance instance) {
    return ProcessHandle.of(instance.pid())
        .filter(ProcessHandle::isAlive)
        .filter(p -> runsAs(p.info(), instance.service()));
  }

  /**
   * A java running the launcher as {@code service} alone: {@code -jar <launcher>.jar <service>}, or
   * the launcher's main class with it (a Jib image runs the classes).
   */
  static boolean runsAs(ProcessHandle.Info info, String service) {
    String[] arguments = info.arguments().orElse(new String[0]);
    boolean java = info.command().map(c -> c.endsWith("/java") || c.equals("java")).orElse(false);
    int n = arguments.length;
    if (!java || n < 2 || !arguments[n - 1].equals(service)) {
      return false;
    }
    return arguments[n - 2].equals(Main.class.getName())
        || n >= 3 && arguments[n - 3].equals("-jar") && arguments[n - 2].endsWith(".jar");
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gateway + path))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + token())
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private String token() throws IOException, InterruptedException {
    if (token == null) {
      if (!Files.isReadable(passwordFile)) {
        throw new IOException(
            "the admin password file "
                + passwordFile
                + " cannot be read (give --admin-password-file)");
      }
      String body =
          new JsonObject()
              .put("email", ADMIN_EMAIL)
              .put("password", Files.readString(passwordFile).trim())
              .encode();
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(URI.create(gateway + "/v1/auth/token"))
                  .timeout(TIMEOUT)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        throw new IOException("the admin login answered " + answer.statusCode());
      }
      token = new JsonObject(answer.body()).getString("accessToken");
    }
    return token;
  }
}
