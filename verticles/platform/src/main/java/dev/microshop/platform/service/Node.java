package dev.microshop.platform.service;

import com.hazelcast.core.HazelcastInstance;
import dev.microshop.platform.cluster.Admission;
import dev.microshop.platform.cluster.AdmittingClusterManager;
import dev.microshop.platform.cluster.ClusterFactory;
import dev.microshop.platform.cluster.ClusterTls;
import dev.microshop.platform.cluster.Discovery;
import dev.microshop.platform.messaging.Bus;
import dev.microshop.platform.messaging.BusGuard;
import dev.microshop.platform.messaging.InvalidRequest;
import dev.microshop.platform.observability.Metrics;
import dev.microshop.platform.observability.Tracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One microshop JVM: a Vert.x instance (clustered, or local for the modular monolith), its
 * management endpoint, tracing and metrics, and the service verticles it runs.
 */
public final class Node {
  /** Printed on stdout once every verticle is deployed; {@code up} and the tests wait for it. */
  public static final String READY_MARKER = "MICROSHOP-READY ";

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final long STOP_BUDGET_MS = 14_000;

  private final Vertx vertx;
  private final Platform platform;
  private final OpenTelemetrySdk tracing;
  private final List<String> deployments = new ArrayList<>();
  private volatile boolean stopped;
  private JsonObject ready;

  private Node(Vertx vertx, Platform platform, OpenTelemetrySdk tracing) {
    this.vertx = vertx;
    this.platform = platform;
    this.tracing = tracing;
  }

  /**
   * Starts a JVM's worth of services and blocks until they are ready.
   *
   * @param name the node's config name: the service, or "all"
   * @param services the services to deploy, in order
   * @param configs the effective config of each service
   * @param factories how to make each service's verticle
   */
  public static Node start(
      String name,
      JsonObject nodeConfig,
      boolean clustered,
      List<String> services,
      Map<String, JsonObject> configs,
      Map<String, Function<Platform, ServiceVerticle>> factories)
      throws Exception {
    OpenTelemetrySdk tracing = Tracing.create(clustered ? name : "microshop", nodeConfig);
    AdmittingClusterManager clusterManager = clustered ? cluster(nodeConfig) : null;
    Vertx vertx = vertx(nodeConfig, tracing, clusterManager);
    long joinedAt = System.currentTimeMillis();
    try {
      Node node = new Node(vertx, platform(vertx, nodeConfig, clusterManager), tracing);
      for (String service : services) {
        node.deploy(service, configs.get(service), factories.get(service));
      }
      node.ready = node.readyLine(name, services, joinedAt);
      System.out.println(READY_MARKER + node.ready.encode());
      return node;
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  /**
   * Hazelcast, with the event bus routing only to members that proved their certificate ({@link
   * Admission}); the certificate files are checked here, before anything starts.
   */
  private static AdmittingClusterManager cluster(JsonObject nodeConfig) {
    ClusterTls tls = ClusterTls.load(nodeConfig);
    return new AdmittingClusterManager(ClusterFactory.create(nodeConfig), new Admission(tls));
  }

  /** Clustered when there is a cluster manager; blocks until it has joined. */
  private static Vertx vertx(
      JsonObject nodeConfig, OpenTelemetrySdk tracing, AdmittingClusterManager clusterManager)
      throws Exception {
    VertxOptions options =
        new VertxOptions()
            .setMetricsOptions(Metrics.options())
            .setTracingOptions(new OpenTelemetryOptions())
            // epoll (the platform module ships it for Linux x86-64 and arm64): fewer system calls
            // per event-bus hop and database round trip than NIO, and the only way to reach
            // PostgreSQL's Unix-domain socket. Elsewhere (macOS, Windows), or when
            // nativeTransport=false, NIO, and the database over TCP.
            .setPreferNativeTransport(nodeConfig.getBoolean("nativeTransport", true));
    // Vert.x's 20 worker and 20 internal threads by default each start on first use and then idle,
    // each with its stack and its share of malloc arenas: a service blocks rarely and briefly
    // (migrations at start, Hazelcast's registry lookups), so a few are enough (issue 18).
    JsonObject pools = nodeConfig.getJsonObject("vertx", new JsonObject());
    options
        .setWorkerPoolSize(pools.getInteger("workerPoolSize", 8))
        .setInternalBlockingPoolSize(pools.getInteger("internalBlockingPoolSize", 4));
    JsonObject cluster = nodeConfig.getJsonObject("cluster");
    options
        .getEventBusOptions()
        .setHost(cluster.getString("host"))
        .setPort(cluster.getInteger("eventBusPort"));
    if (clusterManager != null) {
      // Mutual TLS: a peer without a certificate of the cluster CA can neither send nor receive.
      clusterManager.admission().tls().applyTo(options.getEventBusOptions());
    }
    VertxBuilder builder =
        Vertx.builder()
            .with(options)
            .withMetrics(Metrics.factory())
            .withTracer(new OpenTelemetryTracingFactory(tracing));
    Vertx vertx =
        clusterManager != null
            ? await(builder.withClusterManager(clusterManager).buildClustered(), 60_000)
            : builder.build();
    // Services answer a bad request with its field errors in this codec (see InvalidRequest).
    InvalidRequest.register(vertx.eventBus());
    if (clusterManager != null) {
      // Every message proves its sender and is taken only from whom BusPolicy allows.
      BusGuard.install(vertx, clusterManager);
      // Route around a member that stops answering long before Hazelcast drops it.
      await(clusterManager.watchMembers(vertx), 10_000);
    }
    if (!nodeConfig.getBoolean("nativeTransport", true)) {
      LOG.info("Vert.x runs on NIO: nativeTransport is false");
    } else if (!vertx.isNativeTransportEnabled()) {
      LOG.info(
          "Vert.x runs on NIO: the native transport is unavailable here ({})",
          String.valueOf(vertx.unavailableNativeTransportCause()));
    }
    return vertx;
  }

  /** The management endpoint and discovery the node's verticles share. */
  private static Platform platform(
      Vertx vertx, JsonObject nodeConfig, AdmittingClusterManager clusterManager) throws Exception {
    boolean clustered = clusterManager != null;
    Management management = new Management(vertx);
    await(management.start(nodeConfig), 10_000);
    String nodeId = clustered ? clusterManager.getNodeId() : "local";
    Discovery discovery = new Discovery(vertx, nodeId);
    if (clustered) {
      HazelcastInstance hazelcast = clusterManager.hazelcast().getHazelcastInstance();
      discovery.reapDeparted(clusterManager.hazelcast());
      // Vert.x's ClusterHealthCheck assumes its own cluster manager class; this asks the same.
      management.readiness(
          "cluster",
          2000,
          promise ->
              promise.complete(
                  hazelcast.getPartitionService().isClusterSafe() ? Status.OK() : Status.KO()));
    }
    String url = management.url(Management.advertisedHost(nodeConfig));
    return new Platform(
        nodeConfig,
        management,
        discovery,
        nodeId,
        clustered,
        url,
        new java.util.concurrent.ConcurrentHashMap<>(),
        clustered ? clusterManager.hazelcast().getHazelcastInstance() : null);
  }

  private JsonObject readyLine(String name, List<String> services, long joinedAt) {
    return new JsonObject()
        .put("node", name)
        .put("pid", ProcessHandle.current().pid())
        .put("services", new JsonArray(services))
        .put("management", platform.managementUrl())
        .put("nodeId", platform.nodeId())
        .put("transport", vertx.isNativeTransportEnabled() ? "native" : "nio")
        .put(
            "jvmStartToReadyMs",
            System.currentTimeMillis()
                - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime())
        .put("clusterJoinedToReadyMs", System.currentTimeMillis() - joinedAt)
        .put(
            "endpoints",
            new JsonObject(new java.util.HashMap<String, Object>(platform.endpoints())));
  }

  /**
   * What the ready line said: node, pid, management URL, endpoints (the gateway's URL among them).
   */
  public JsonObject ready() {
    return ready.copy();
  }

  private void deploy(
      String service, JsonObject config, Function<Platform, ServiceVerticle> factory)
      throws Exception {
    String check = service + ".deployed";
    platform
        .management()
        .readiness(
            check, 1000, p -> p.complete(Status.KO(new JsonObject().put("reason", "starting"))));
    String id =
        await(
            vertx.deployVerticle(
                factory.apply(platform), new DeploymentOptions().setConfig(config)),
            120_000);
    platform.management().removeReadiness(check);
    deployments.add(id);
  }

  public Platform platform() {
    return platform;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Graceful stop, bounded to about 15 s: readiness turns 503 first, then every verticle
   * unpublishes, drains and closes (the gateway first in a monolith), then Vert.x leaves the
   * cluster.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    long deadline = System.currentTimeMillis() + STOP_BUDGET_MS;
    platform.management().drain();
    List<String> reversed = new ArrayList<>(deployments);
    java.util.Collections.reverse(reversed);
    for (String id : reversed) {
      try {
        await(vertx.undeploy(id), Math.max(1000, deadline - System.currentTimeMillis() - 3000));
      } catch (Exception e) {
        LOG.warn("undeploying {} did not finish cleanly: {}", id, e.toString());
      }
    }
    platform.discovery().close();
    lingerForLateMessages(platform.config().getJsonObject("shutdown").getLong("lingerMs"));
    try {
      await(vertx.close(), Math.max(1000, deadline - System.currentTimeMillis()));
    } catch (Exception e) {
      LOG.warn("closing Vert.x did not finish cleanly: {}", e.toString());
    }
    tracing.getSdkTracerProvider().shutdown().join(1, TimeUnit.SECONDS);
    LOG.info("stopped");
  }

  /**
   * Senders learn of unregistered consumers a few milliseconds late. While this JVM still runs its
   * event bus, a late message gets NO_HANDLERS, which {@link Bus} resends elsewhere; once it is
   * closed, a late request could only time out.
   */
  private static void lingerForLateMessages(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks the calling (main or shutdown) thread, never an event loop. */
  private static <T> T await(Future<T> future, long timeoutMs) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
