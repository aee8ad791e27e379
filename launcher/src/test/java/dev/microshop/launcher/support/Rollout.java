package dev.microshop.launcher.support;

import dev.microshop.contracts.Services;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Services with several instances each behind one gateway, as separate JVMs from the built
 * launcher, and a rolling restart of them the way an operator (or a Kubernetes Deployment with
 * maxSurge 1, maxUnavailable 0) does it: per instance, start its replacement, wait until the
 * gateway lists it answering, then SIGTERM the old JVM and wait for it to exit.
 */
public final class Rollout implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(150);
  private static final Duration LISTED = Duration.ofSeconds(60);
  private static final Duration EXIT = Duration.ofSeconds(30);

  /**
   * One replacement: the old and the fresh pid, how long the fresh JVM took until the gateway
   * listed it, how long the old one took from SIGTERM to exit, and its exit code.
   */
  public record Step(
      String service, long oldPid, long freshPid, long startMillis, long stopMillis, int exitCode) {
    @Override
    public String toString() {
      return "%s %d -> %d: fresh JVM listed after %d ms, old one exited %d after SIGTERM in %d ms"
          .formatted(service, oldPid, freshPid, startMillis, exitCode, stopMillis);
    }
  }

  private final TestEnv env;
  private final Map<String, List<ServiceProcess>> instances = new ConcurrentHashMap<>();
  private final List<ServiceProcess> started = new CopyOnWriteArrayList<>();
  private ServiceProcess gateway;
  private String admin;

  private Rollout(TestEnv env) {
    this.env = env;
  }

  /**
   * Starts the given number of JVMs of each service and one gateway, and waits until all answer:
   * one service at a time, since every JVM that joins makes the cluster move partitions, and a
   * dozen joining at once on two cores kept the registry's partitions migrating for minutes.
   */
  public static Rollout start(TestEnv env, Map<String, Integer> counts) {
    Rollout rollout = new Rollout(env);
    try {
      for (Map.Entry<String, Integer> count : counts.entrySet()) {
        String service = count.getKey();
        List<ServiceProcess> own = new CopyOnWriteArrayList<>();
        for (int i = 0; i < count.getValue(); i++) {
          own.add(rollout.fork(service));
        }
        own.forEach(p -> p.awaitReady(READY));
        rollout.instances.put(service, own);
      }
      rollout.gateway = rollout.fork(Services.GATEWAY);
      rollout.gateway.awaitReady(READY);
      return rollout;
    } catch (RuntimeException | Error e) {
      rollout.close();
      throw e;
    }
  }

  public String gateway() {
    return gateway.gatewayUrl();
  }

  /** The status report lists instances (pids, pings) to an admin only. */
  public void useAdmin(String adminToken) {
    this.admin = adminToken;
  }

  /**
   * Replaces every instance of each service, one instance at a time, so each service always has at
   * least as many instances as before. Returns the steps in order.
   */
  public List<Step> roll(List<String> services) throws InterruptedException {
    List<Step> steps = new ArrayList<>();
    for (String service : services) {
      awaitListed(service);
      for (ServiceProcess old : List.copyOf(instances.get(service))) {
        steps.add(replace(service, old));
      }
    }
    return steps;
  }

  private Step replace(String service, ServiceProcess old) throws InterruptedException {
    long startedAt = System.nanoTime();
    ServiceProcess fresh = fork(service);
    fresh.awaitReady(READY);
    instances.get(service).add(fresh);
    awaitListed(service);
    long startMillis = millisSince(startedAt);

    long terminatedAt = System.nanoTime();
    old.terminate();
    int exit = old.awaitExit(EXIT);
    long stopMillis = millisSince(terminatedAt);
    instances.get(service).remove(old);
    awaitListed(service);
    return new Step(service, old.pid(), fresh.pid(), startMillis, stopMillis, exit);
  }

  /**
   * Waits until the gateway's status report lists exactly the live instances of {@code service},
   * each answering its ping.
   */
  private void awaitListed(String service) throws InterruptedException {
    Set<Long> expected =
        instances.get(service).stream().map(ServiceProcess::pid).collect(Collectors.toSet());
    long deadline = System.nanoTime() + LISTED.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> status =
          Http.get(gateway() + "/v1/status", Map.of("Authorization", "Bearer " + admin));
      last = status.statusCode() + " " + status.body();
      if (status.statusCode() == 200) {
        JsonObject report =
            new JsonObject(status.body()).getJsonObject("services").getJsonObject(service);
        if (report != null && listed(report).equals(expected)) {
          return;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "gateway never listed exactly " + expected + " for " + service + "; last: " + last);
  }

  /** The pids of the instances that answered their ping. */
  private static Set<Long> listed(JsonObject service) {
    return service.getJsonArray("instances").stream()
        .map(JsonObject.class::cast)
        .filter(i -> "ok".equals(i.getString("ping")))
        .map(i -> i.getLong("pid"))
        .collect(Collectors.toSet());
  }

  private ServiceProcess fork(String service) {
    ServiceProcess process = ServiceProcess.start(env.env(), service);
    started.add(process);
    return process;
  }

  private static long millisSince(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
  }

  @Override
  public void close() {
    started.forEach(ServiceProcess::close);
  }
}
