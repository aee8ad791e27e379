package dev.microshop.launcher.support;

import dev.microshop.contracts.Services;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole system as separate JVMs from the built launcher, one per service, that a test can kill
 * and restart.
 */
public final class Cluster implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(150);
  private final TestEnv env;
  private final Map<String, ServiceProcess> processes = new LinkedHashMap<>();

  public Cluster(TestEnv env) {
    this.env = env;
  }

  public Cluster start(List<String> services) throws InterruptedException {
    services.forEach(s -> processes.put(s, ServiceProcess.start(env.env(), s)));
    services.forEach(s -> processes.get(s).awaitReady(READY));
    awaitAllUp(services);
    return this;
  }

  public Cluster startAll() throws InterruptedException {
    return start(Services.ALL);
  }

  public String gateway() {
    return processes.get(Services.GATEWAY).gatewayUrl();
  }

  public ServiceProcess process(String service) {
    return processes.get(service);
  }

  public void kill(String service) {
    processes.get(service).kill9();
  }

  /**
   * Starts a fresh JVM of {@code service} (after a kill) and waits until the gateway sees it
   * answering.
   */
  public void restart(String service) throws InterruptedException {
    processes.get(service).close();
    ServiceProcess fresh = ServiceProcess.start(env.env(), service);
    processes.put(service, fresh);
    fresh.awaitReady(READY);
    awaitAllUp(List.of(service));
  }

  /**
   * Starts a fresh JVM for every service whose JVM has died (a test killed it), so the next test
   * finds the whole system running; returns the services restarted.
   */
  public List<String> restartStopped() throws InterruptedException {
    List<String> stopped =
        processes.entrySet().stream()
            .filter(e -> !e.getValue().alive())
            .map(Map.Entry::getKey)
            .toList();
    for (String service : stopped) {
      restart(service);
    }
    return stopped;
  }

  private void awaitAllUp(List<String> services) throws InterruptedException {
    if (!processes.containsKey(Services.GATEWAY)) {
      return;
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonObject all = null;
    while (System.nanoTime() < deadline) {
      // UP: every instance answers its ping, so no record of a killed JVM is left beside the
      // one process this cluster runs per service (instances are an admin's view).
      // Once a second: the report is rebuilt at most that often, and /v1/status allows 60 calls
      // a minute per address (a 429 here just means wait).
      var response = Http.get(gateway() + "/v1/status");
      if (response.statusCode() == 200) {
        all = new JsonObject(response.body()).getJsonObject("services");
        JsonObject current = all;
        if (services.stream()
            .allMatch(
                s ->
                    current.getJsonObject(s) != null
                        && "UP".equals(current.getJsonObject(s).getString("status")))) {
          return;
        }
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("services not all UP: " + services + "; last status: " + all);
  }

  @Override
  public void close() {
    processes.values().forEach(ServiceProcess::close);
  }
}
