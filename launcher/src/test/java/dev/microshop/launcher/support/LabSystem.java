package dev.microshop.launcher.support;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * microshop deployed on a {@link Lab} as an operator would deploy it on machines: one {@code java
 * -jar launcher.jar <service>} per JVM, not in dev mode, each configured by environment only: its
 * host's address for Hazelcast and the event bus, every service host in the member list, the
 * database settings {@code db-init} printed for it (the server on its own host, TLS verify-full
 * against the lab CA, its own password file), and only its own secrets.
 */
public final class LabSystem implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(150);
  private static final String CLUSTER_PORT = "5701";

  /** Hazelcast ports listed per service host: room for three JVMs on each. */
  private static final int PORTS_PER_HOST = 3;

  private final Lab lab;
  private final LabDatabase database;
  private final LabSecrets secrets;
  private final String members;
  private final Map<String, String> overrides;
  private final List<Instance> instances = new ArrayList<>();

  /** One JVM of one service on one host. */
  public record Instance(String service, LabHost host, ServiceProcess jvm) {}

  private LabSystem(
      Lab lab, LabDatabase database, List<LabHost> serviceHosts, Map<String, String> overrides) {
    this.lab = lab;
    this.database = database;
    this.secrets = LabSecrets.create(lab.dir().resolve("handed-out"));
    this.overrides = Map.copyOf(overrides);
    List<String> endpoints = new ArrayList<>();
    for (LabHost host : serviceHosts) {
      for (int i = 0; i < PORTS_PER_HOST; i++) {
        endpoints.add(host.address() + ":" + (Integer.parseInt(CLUSTER_PORT) + i));
      }
    }
    this.members = String.join(",", endpoints);
  }

  /**
   * Starts every service of {@code placement} (host → its services, one JVM each) at once, waits
   * for each JVM's ready line and for the gateway to see every service answering. {@code overrides}
   * are settings every JVM gets (e.g. a shorter saga deadline).
   */
  public static LabSystem start(
      Lab lab,
      LabDatabase database,
      Map<LabHost, List<String>> placement,
      Map<String, String> overrides) {
    LabSystem system = new LabSystem(lab, database, List.copyOf(placement.keySet()), overrides);
    try {
      // Host by host: a host's JVMs start together and the next host's once they are ready.
      // Eight JVMs joining at once on two cores can starve Hazelcast's heartbeats (5 s) and stall
      // its partition migrations past the 60 s a JVM waits to join.
      for (Map.Entry<LabHost, List<String>> host : placement.entrySet()) {
        host.getValue().stream()
            .map(service -> system.launch(service, host.getKey()))
            .toList()
            .forEach(instance -> instance.jvm().awaitReady(READY));
      }
      system.awaitUp(Services.ALL, Duration.ofSeconds(60));
      return system;
    } catch (RuntimeException | Error e) {
      system.close();
      throw e;
    }
  }

  /** One more JVM of {@code service} on {@code host}; waits until it is ready. */
  public Instance add(String service, LabHost host) {
    Instance instance = launch(service, host);
    instance.jvm().awaitReady(READY);
    return instance;
  }

  /** The public API's base URL: the first gateway's address on the lab network. */
  public String gateway() {
    return instances.stream()
        .filter(i -> i.service().equals(Services.GATEWAY) && i.jvm().alive())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no gateway running in the lab"))
        .jvm()
        .gatewayUrl();
  }

  public List<Instance> instances() {
    return List.copyOf(instances);
  }

  public String adminPassword() {
    return secrets.adminPassword();
  }

  /** Polls the gateway's {@code /v1/status} until each of {@code services} is UP. */
  public void awaitUp(List<String> services, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject all = null;
    while (System.nanoTime() < deadline) {
      all = new JsonObject(Http.get(gateway() + "/v1/status").body()).getJsonObject("services");
      JsonObject current = all;
      if (current != null
          && services.stream()
              .allMatch(
                  s ->
                      "UP"
                          .equals(
                              current.getJsonObject(s, new JsonObject()).getString("status")))) {
        return;
      }
      Lab.sleep(250);
    }
    throw new AssertionError("services not all UP in the lab: " + services + "; last: " + all);
  }

  /**
   * Polls the gateway's {@code /v1/status} (as the admin {@code token} sees it, with instances)
   * until every JVM this system started on {@code host}, and still running, is listed by its pid
   * and answers its ping: back in the cluster after a freeze or a partition.
   */
  public void awaitInstances(LabHost host, String token, Duration timeout) {
    awaitListed(
        instances.stream().filter(i -> i.host().equals(host) && i.jvm().alive()).toList(),
        token,
        timeout);
  }

  /** Polls the gateway's {@code /v1/status} until each of {@code expected} answers its ping. */
  public void awaitListed(List<Instance> expected, String token, Duration timeout) {
    String where = expected.stream().map(i -> i.service() + "@" + i.host()).toList().toString();
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject all = null;
    while (System.nanoTime() < deadline) {
      all =
          new JsonObject(
                  Http.get(gateway() + "/v1/status", Map.of("Authorization", "Bearer " + token))
                      .body())
              .getJsonObject("services", new JsonObject());
      JsonObject current = all;
      if (expected.stream().allMatch(i -> answers(current, i))) {
        return;
      }
      Lab.sleep(500);
    }
    throw new AssertionError(where + " not listed in " + timeout + "; last: " + all);
  }

  private static boolean answers(JsonObject services, Instance instance) {
    return services
        .getJsonObject(instance.service(), new JsonObject())
        .getJsonArray("instances", new JsonArray())
        .stream()
        .map(JsonObject.class::cast)
        .anyMatch(
            i -> i.getLong("pid", -1L) == instance.jvm().pid() && "ok".equals(i.getString("ping")));
  }

  /** The environment of {@code service}'s JVM on {@code host}: all it is told. */
  public Map<String, String> env(String service, LabHost host) {
    Map<String, String> env = new TreeMap<>();
    env.put(Settings.CONFIG_DIR_ENV, TestEnv.repoRoot().resolve("config").toString());
    env.put("MICROSHOP_CLUSTER_CONFIG_FILE", TestEnv.repoRoot().resolve("cluster.xml").toString());
    env.put("MICROSHOP_CLUSTER_NAME", lab.name());
    env.put("MICROSHOP_CLUSTER_HOST", host.address());
    env.put("MICROSHOP_CLUSTER_PORT", CLUSTER_PORT);
    env.put("MICROSHOP_CLUSTER_MEMBERS", members);
    env.put("MICROSHOP_DATA_DIR", host.dir().resolve("data").toString());
    // A lab host may run two JVMs of one service; their fixed default management ports would clash.
    // On the host's address, as a Prometheus on another machine scrapes it.
    env.put("MICROSHOP_MANAGEMENT_HOST", host.address());
    env.put("MICROSHOP_MANAGEMENT_PORT", "0");
    if (Services.WITH_DATABASE.contains(service)) {
      // As db-init printed it: the server's address, verify-full against the lab CA, the password
      // file it generated for this service.
      env.putAll(database.env(service));
    }
    if (service.equals(Services.GATEWAY)) {
      // Public on the host's address, as behind a load balancer; tests poll status freely.
      env.put("MICROSHOP_GATEWAY_HTTP_HOST", host.address());
      env.put("MICROSHOP_GATEWAY_HTTP_PORT", "8080");
      env.put("MICROSHOP_GATEWAY_STATUS_CACHE_MS", "1");
      env.put("MICROSHOP_GATEWAY_RATE_LIMIT_STATUS_PER_MINUTE", "1000000");
    }
    env.putAll(overrides);
    env.putAll(secrets.of(service, env));
    return env;
  }

  @Override
  public void close() {
    instances.forEach(i -> i.jvm().close());
  }

  private Instance launch(String service, LabHost host) {
    Instance instance = new Instance(service, host, host.java(env(service, host), service));
    instances.add(instance);
    return instance;
  }
}
