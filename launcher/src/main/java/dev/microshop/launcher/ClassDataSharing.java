package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Application class-data sharing for the JVMs {@code up} starts. Each service JVM otherwise parses,
 * verifies and lays out the same 15,000-odd classes (Vert.x, Netty, Hazelcast, the PostgreSQL
 * client, OpenTelemetry, ours) in its own metaspace: about 80 MiB per JVM, six times. With one
 * archive, the six map the same read-only file, so the page cache holds those pages once, and each
 * JVM starts faster.
 *
 * <p>The build makes the archive ({@code launcher.jsa}, beside the jar) by running every service in
 * one dev JVM with {@code -XX:ArchiveClassesAtExit}, serving a customer's first order, and stopping
 * it: the classes a real run loads are the ones archived. The JVM checks at start that the archive
 * was made from this very jar (its size and time): a stale or missing archive only means no
 * sharing, never a failure, so {@code up} passes it whenever the file is there.
 */
final class ClassDataSharing {
  static final String ARCHIVE = "launcher.jsa";

  private static final Duration READY = Duration.ofSeconds(180);
  private static final Duration STOP = Duration.ofSeconds(60);

  private ClassDataSharing() {}

  /** The archive beside the launcher jar. */
  static Path archive() {
    return Path.of(Child.ownJar()).resolveSibling(ARCHIVE);
  }

  /**
   * The options that give a child JVM the archive: none when it is off, missing, or older than the
   * jar (rebuilt without one: said once on the console). The JVM's own warnings about an archive it
   * cannot use (a jar moved elsewhere) are kept out of the services' output: it then runs without,
   * as it would with none.
   */
  static List<String> options(boolean enabled) {
    Path archive = archive();
    if (!enabled || !Files.isRegularFile(archive)) {
      return List.of();
    }
    try {
      if (Files.getLastModifiedTime(archive)
              .compareTo(Files.getLastModifiedTime(Path.of(Child.ownJar())))
          < 0) {
        System.out.println(
            "microshop: "
                + archive
                + " is older than the jar; the JVMs run without class-data sharing (./mvnw package"
                + " makes a new one)");
        return List.of();
      }
    } catch (IOException e) {
      return List.of();
    }
    return List.of(
        "-XX:SharedArchiveFile=" + archive,
        "-Xshare:auto",
        "-Xlog:cds*=off",
        // Mapped where it was made, not moved: a moved archive has every pointer rewritten, which
        // makes each JVM's copy of its pages private (61 of its 72 MiB were, measured), and the six
        // share nothing. Debian's JDK 17 moves archives by default, for address randomization.
        "-XX:+UnlockDiagnosticVMOptions",
        "-XX:ArchiveRelocationMode=0",
        // A JDK without that diagnostic option runs without it rather than not at all.
        "-XX:+IgnoreUnrecognizedVMOptions");
  }

  /**
   * {@code launcher.jar cds <archive> <repo>}, what the build runs after packaging: the JVM options
   * are up's ({@code up.jvmOptions} from the repository's config), so the archive fits the JVMs
   * that will use it.
   */
  static int command(String[] args, Map<String, String> env) {
    if (args.length != 2) {
      System.err.println("microshop: usage: cds <archive file> <repository directory>");
      return Main.USAGE;
    }
    Path repo = Path.of(args[1]);
    if (!Files.isDirectory(repo.resolve("config"))) {
      System.err.println("microshop: cds: " + repo + " has no config directory");
      return Main.USAGE;
    }
    Map<String, String> withConfig = new HashMap<>(env);
    withConfig.put(Settings.CONFIG_DIR_ENV, repo.resolve("config").toString());
    List<String> jvmOptions =
        Settings.load("up", withConfig).getJsonObject("up").getJsonArray("jvmOptions").stream()
            .map(String::valueOf)
            .toList();
    return build(Path.of(args[0]).toAbsolutePath(), repo.toAbsolutePath(), jvmOptions);
  }

  /**
   * Runs every service in one dev JVM Runs every service in one dev JVM with the JVM options {@code
   * jvmOptions}, places an order through its gateway, stops it, and moves the archive the JVM wrote
   * at exit to {@code archive}. Exit 0 with the archive, 1 without (the build goes on: {@code up}
   * then runs without sharing).
   */
  static int build(Path archive, Path repo, List<String> jvmOptions) {
    Path work = null;
    Process jvm = null;
    try {
      work = Files.createTempDirectory("microshop-cds");
      Path written = work.resolve(ARCHIVE);
      int http = freePort();
      int cluster = freePort();
      List<String> command = new ArrayList<>();
      command.add(Child.javaBinary());
      command.addAll(jvmOptions);
      command.add("-XX:ArchiveClassesAtExit=" + written);
      command.add("-jar");
      command.add(Child.ownJar());
      command.addAll(Services.ALL);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("training.log").toFile());
      Map<String, String> env = builder.environment();
      // Only the training's own settings: a developer's or CI's MICROSHOP_ variables (a database,
      // an exporter) have no business in a run made during the build.
      env.keySet().removeIf(name -> name.startsWith("MICROSHOP_"));
      env.putAll(trainingEnv(work, repo, http, cluster));
      long started = System.nanoTime();
      jvm = builder.start();
      URI gateway = URI.create("http://127.0.0.1:" + http);
      Training.firstOrder(gateway, jvm, READY);
      jvm.destroy(); // SIGTERM: the JVM exits normally and writes the archive
      if (!jvm.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the training JVM did not stop within " + STOP);
      }
      if (!Files.isRegularFile(written)) {
        throw new IllegalStateException("the training JVM wrote no archive");
      }
      Files.move(written, archive, StandardCopyOption.REPLACE_EXISTING);
      System.out.printf(
          "cds: %s, %d MiB, from a run of every service (%.0f s)%n",
          archive, Files.size(archive) >> 20, (System.nanoTime() - started) / 1e9);
      return 0;
    } catch (IOException | RuntimeException e) {
      System.err.println(
          "cds: no class-data archive ("
              + e.getMessage()
              + "); up's JVMs will run without sharing. The training JVM's output: "
              + (work == null ? "none" : work.resolve("training.log")));
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      if (jvm != null && jvm.isAlive()) {
        jvm.destroyForcibly();
      }
      deleteDataDir(work);
    }
  }

  private static Map<String, String> trainingEnv(Path work, Path repo, int http, int cluster) {
    Map<String, String> env = new HashMap<>();
    env.put(Settings.CONFIG_DIR_ENV, repo.resolve("config").toString());
    env.put("MICROSHOP_CLUSTER_CONFIG_FILE", repo.resolve("cluster.xml").toString());
    env.put("MICROSHOP_CLUSTER_NAME", "cds-" + UUID.randomUUID());
    env.put("MICROSHOP_CLUSTER_PORT", Integer.toString(cluster));
    env.put("MICROSHOP_CLUSTER_MEMBERS", "127.0.0.1:" + cluster);
    env.put("MICROSHOP_DATA_DIR", work.resolve("data").toString());
    env.put("MICROSHOP_DEV", "true");
    env.put("MICROSHOP_DB_DURABLE", "false");
    env.put("MICROSHOP_GATEWAY_HTTP_PORT", Integer.toString(http));
    env.put("MICROSHOP_MANAGEMENT_PORT", "0");
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return env;
  }

  /** Keeps the training log (it is small) and drops the database it made. */
  private static void deleteDataDir(Path work) {
    if (work == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(work.resolve("data"))) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory: left to the system
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A customer's first visit: the catalog, an account, a token, an order until it is final. */
  static final class Training {
    private static final HttpClient HTTP =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Training() {}

    static void firstOrder(URI gateway, Process jvm, Duration ready)
        throws IOException, InterruptedException {
      String products = awaitCatalog(gateway, jvm, ready);
      String product = products.replaceFirst("(?s).*?\"items\":\\[\\{\"id\":\"([^\"]+)\".*", "$1");
      call(gateway, "GET", "/v1/products/" + product, null, null, 200);
      String email = "cds-" + UUID.randomUUID() + "@example.com";
      call(
          gateway,
          "POST",
          "/v1/users",
          "{\"email\":\""
              + email
              + "\",\"displayName\":\"Cds\",\"password\":\"correct horse battery\"}",
          null,
          201);
      String token =
          call(
                  gateway,
                  "POST",
                  "/v1/auth/token",
                  "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\"}",
                  null,
                  200)
              .replaceFirst("(?s).*\"accessToken\":\"([^\"]+)\".*", "$1");
      call(gateway, "GET", "/v1/me", null, token, 200);
      String order =
          call(
                  gateway,
                  "POST",
                  "/v1/orders",
                  "{\"lines\":[{\"productId\":\"" + product + "\",\"quantity\":1}]}",
                  token,
                  202)
              .replaceFirst("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (call(gateway, "GET", "/v1/orders/" + order, null, token, 200).contains("PENDING")) {
        if (System.nanoTime() > until) {
          throw new IllegalStateException("the training order stayed PENDING for 30 s");
        }
        Thread.sleep(100);
      }
      call(gateway, "GET", "/v1/notifications", null, token, 200);
    }

    private static String awaitCatalog(URI gateway, Process jvm, Duration ready)
        throws InterruptedException {
      long until = System.nanoTime() + ready.toNanos();
      while (System.nanoTime() < until) {
        if (!jvm.isAlive()) {
          throw new IllegalStateException("the training JVM exited with " + jvm.exitValue());
        }
        try {
          return call(gateway, "GET", "/v1/products?limit=10", null, null, 200);
        } catch (IOException | IllegalStateException e) {
          Thread.sleep(500); // not up yet
        }
      }
      throw new IllegalStateException("the training JVM's gateway did not answer within " + ready);
    }

    private static String call(
        URI gateway, String method, String path, String body, String token, int expected)
        throws IOException, InterruptedException {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(gateway.resolve(path))
              .timeout(Duration.ofSeconds(10))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        request.header("content-type", "application/json");
      }
      if (token != null) {
        request.header("authorization", "Bearer " + token);
      }
      if ("POST".equals(method) && path.equals("/v1/orders")) {
        request.header("idempotency-key", UUID.randomUUID().toString());
      }
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != expected) {
        throw new IllegalStateException(
            method + " " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    }
  }
}
