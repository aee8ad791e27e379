import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The floor of an HTTP request on this machine: a vertx-web Router answering {@code GET /hello}
 * with a constant, nothing else (no metrics, no tracing). Prints {@code BENCH-READY
 * http://127.0.0.1:PORT} once listening.
 *
 * <pre>java -cp launcher.jar:classes BareHello [instances]</pre>
 */
public final class BareHello extends VerticleBase {
  static final Set<Integer> PORTS = ConcurrentHashMap.newKeySet();

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router
        .get("/hello")
        .handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("hello"));
    // Every instance listens on the same port: Vert.x then shares one server socket among their
    // event loops.
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(config().getInteger("port"), "127.0.0.1")
        .onSuccess(server -> PORTS.add(server.actualPort()));
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
    int instances = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    Vertx vertx = Vertx.vertx();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    vertx.close().await(5, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    // exiting anyway
                  }
                }));
    vertx
        .deployVerticle(
            BareHello::new,
            new DeploymentOptions()
                .setInstances(instances)
                .setConfig(new JsonObject().put("port", freePort())))
        .await(30, TimeUnit.SECONDS);
    if (PORTS.size() != 1) {
      throw new IllegalStateException("the instances listen on several ports: " + PORTS);
    }
    System.out.println(
        "BENCH-READY http://127.0.0.1:"
            + PORTS.iterator().next()
            + " ("
            + instances
            + " instance(s))");
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
