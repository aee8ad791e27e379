import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The floor of "HTTP in, event bus to another JVM, reply out": the same hop the gateway makes, with
 * nothing else on the path (no validation, rate limit, breaker, metrics or tracing). Two roles, one
 * JVM each, in their own Hazelcast cluster (TCP-IP on 127.0.0.1, the failure-detection properties
 * microshop uses):
 *
 * <ul>
 *   <li>{@code back}: one consumer of {@code bench.forward} answering with a product-sized JSON
 *       object;
 *   <li>{@code front}: a vertx-web Router on {@code GET /fwd/:id} that requests {@code
 *       bench.forward} with the id and writes the reply; it probes the back before it prints {@code
 *       BENCH-READY http://127.0.0.1:PORT}.
 * </ul>
 *
 * <pre>
 * java -cp launcher.jar:classes BareForward back|front CLUSTER_NAME FIRST_PORT MEMBERS [front instances]
 * </pre>
 *
 * MEMBERS is a comma-separated list of host:port.
 */
public final class BareForward {
  static final String ADDRESS = "bench.forward";
  static final long SEND_TIMEOUT_MS = 2000;

  /** What the back answers; about the size of a catalog product. */
  static final JsonObject PRODUCT =
      new JsonObject()
          .put("id", "00000000-0000-0000-0000-000000000000")
          .put("sku", "BENCH-0001")
          .put("name", "Benchmark product")
          .put(
              "description",
              "A product-sized reply, so the bytes on the wire resemble a catalog read.")
          .put("priceMinor", 1999)
          .put("currency", "EUR")
          .put("available", 42)
          .put("version", 1)
          .put("createdAt", "2025-01-01T00:00:00Z")
          .put("updatedAt", "2025-01-01T00:00:00Z");

  private BareForward() {}

  static final class Back extends VerticleBase {
    @Override
    public Future<?> start() {
      return vertx
          .eventBus()
          .<JsonObject>consumer(
              ADDRESS, msg -> msg.reply(PRODUCT.copy().put("id", msg.body().getString("id"))))
          .completion();
    }
  }

  static final class Front extends VerticleBase {
    static final Set<Integer> PORTS = ConcurrentHashMap.newKeySet();

    @Override
    public Future<?> start() {
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS);
      Router router = Router.router(vertx);
      router
          .get("/fwd/:id")
          .handler(
              ctx ->
                  vertx
                      .eventBus()
                      .<JsonObject>request(
                          ADDRESS, new JsonObject().put("id", ctx.pathParam("id")), options)
                      .onSuccess(
                          reply ->
                              ctx.response()
                                  .putHeader("Content-Type", "application/json")
                                  .end(reply.body().encode()))
                      .onFailure(
                          e ->
                              ctx.response()
                                  .setStatusCode(
                                      e instanceof ReplyException r
                                              && r.failureType() == ReplyFailure.TIMEOUT
                                          ? 504
                                          : 503)
                                  .end()));
      // Every instance listens on the same port: Vert.x then shares one server socket among their
      // event loops.
      return vertx
          .createHttpServer()
          .requestHandler(router)
          .listen(config().getInteger("port"), "127.0.0.1")
          .onSuccess(server -> PORTS.add(server.actualPort()));
    }
  }

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Exception e) {
      // Vert.x's threads would keep a failed JVM alive: the script would wait for its ready line in
      // vain.
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: BareForward back|front CLUSTER_NAME FIRST_PORT MEMBERS [front instances]");
      System.exit(2);
    }
    System.setProperty("hazelcast.logging.type", "slf4j");
    String role = args[0];
    int instances = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    HazelcastClusterManager cluster =
        new HazelcastClusterManager(
            hazelcast(args[1], Integer.parseInt(args[2]), List.of(args[3].split(","))));
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    Vertx vertx =
        Vertx.builder()
            .with(options)
            .withClusterManager(cluster)
            .buildClustered()
            .await(90, TimeUnit.SECONDS);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    vertx.close().await(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    // exiting anyway
                  }
                }));
    switch (role) {
      case "back" -> {
        vertx.deployVerticle(new Back()).await(30, TimeUnit.SECONDS);
        System.out.println("BENCH-READY back");
      }
      case "front" -> {
        vertx
            .deployVerticle(
                Front::new,
                new DeploymentOptions()
                    .setInstances(instances)
                    .setConfig(new JsonObject().put("port", freePort())))
            .await(30, TimeUnit.SECONDS);
        if (Front.PORTS.size() != 1) {
          throw new IllegalStateException(
              "the front instances listen on several ports: " + Front.PORTS);
        }
        awaitBack(vertx);
        System.out.println(
            "BENCH-READY http://127.0.0.1:"
                + Front.PORTS.iterator().next()
                + " ("
                + instances
                + " instance(s))");
      }
      default -> {
        System.err.println("unknown role " + role);
        System.exit(2);
      }
    }
  }

  /** The back's subscription reaches this JVM through Hazelcast a moment after the join. */
  private static void awaitBack(Vertx vertx) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        vertx
            .eventBus()
            .request(
                ADDRESS,
                new JsonObject().put("id", "probe"),
                new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS))
            .await(5, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("the back never answered on " + ADDRESS, e);
        }
        Thread.sleep(100);
      }
    }
  }

  private static Config hazelcast(String name, int port, List<String> members) {
    Config hz = new Config();
    hz.setClusterName(name);
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    hz.setProperty("hazelcast.wait.seconds.before.join", "1");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(true).setPortCount(members.size());
    network.getInterfaces().setEnabled(true).setInterfaces(List.of("127.0.0.1"));
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(members));
    hz.addMultiMapConfig(
        new MultiMapConfig("__vertx.subs")
            .setBackupCount(1)
            .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    hz.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    hz.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return hz;
  }

  /**
   * A port nothing listens on right now (Vert.x 5 gives each instance its own port for a listen on
   * 0).
   */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
