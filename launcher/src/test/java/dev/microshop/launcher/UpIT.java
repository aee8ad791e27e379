package dev.microshop.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.launcher.support.Api;
import dev.microshop.launcher.support.Db;
import dev.microshop.launcher.support.Http;
import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.TestEnv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar launcher.jar up} as a user runs it: everything comes up and says so, a crashed
 * service is restarted, SIGTERM stops every JVM and the database, and the data survives for the
 * next start.
 */
class UpIT {
  private static final Pattern ROW = Pattern.compile("^\\s+(\\w+)\\s+(\\d+)\\s+(\\S+).*$");

  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dataDir;
  private String adminToken;

  /** Each secret given to up, with the service whose JVM may hold it ("up": none may). */
  private final Map<String, String> secretOwners = new LinkedHashMap<>();

  @Test
  void upStartsEverythingRestartsACrashedServiceAndStopsCleanlyKeepingTheData() throws Exception {
    TestEnv env = withSecrets(TestEnv.in(dataDir).with("MICROSHOP_DB_DURABLE", "true"));
    Map<String, Integer> managementPorts = withManagementPorts(env);
    Map<String, Long> pids = new LinkedHashMap<>();
    String gateway;
    String userEmail = "kept-" + UUID.randomUUID() + "@example.com";
    try (ServiceProcess up = ServiceProcess.start(env.env(), "up")) {
      up.awaitLine(l -> l.startsWith("microshop is up in"), Duration.ofSeconds(170));
      // A clean start says nothing alarming: a warning a user learns to ignore hides the one that
      // matters. Only what a loaded machine makes Vert.x or Hazelcast report (a slow event loop, a
      // late heartbeat) and Hazelcast's notes on members joining at the same moment (a seed port
      // already taken, a partition table that came before the member finished starting, a master
      // already known, a packet briefly addressed to itself while its address settles) are
      // allowed.
      assertThat(linesBefore(up.lines(), "microshop is up in"))
          .filteredOn(l -> l.contains(" WARN ") || l.contains(" ERROR "))
          .filteredOn(
              l ->
                  !l.contains("BlockedThreadChecker")
                      && !l.contains("ClusterHeartbeatManager")
                      && !l.contains("SlowOperationDetector")
                      && !l.contains("Some of the ports seem occupied")
                      && !l.contains("Ignoring received partition table, startup is not completed")
                      && !l.contains("Cannot set master address to null because node is already")
                      && !l.contains("Packet send task is rejected. Target is this node!"))
          .as("warnings and errors while starting")
          .isEmpty();
      gateway =
          up.awaitLine(l -> l.trim().startsWith("gateway: http://"), Duration.ofSeconds(5))
              .trim()
              .split("\\s+")[1];
      for (String line : up.lines()) {
        Matcher row = ROW.matcher(line);
        if (row.matches()
            && (Services.ALL.contains(row.group(1)) || row.group(1).equals("postgres"))) {
          pids.put(row.group(1), Long.parseLong(row.group(2)));
        }
      }
      assertThat(pids.keySet()).containsAll(Services.ALL).contains("postgres");
      assertThat(awaitAllUp(gateway).getJsonObject("services").fieldNames())
          .containsAll(Services.ALL);
      for (String service : Services.ALL) {
        assertHoldsOnlyItsOwnSecrets(service, pids.get(service));
      }
      assertSecretsAreOwnerOnly();
      assertEveryServiceMapsTheClassArchive(pids);
      assertHeapCapsAndNativeTrim(pids);
      assertHazelcastRunsItsSmallThreadPools(pids.get(Services.ORDERS));
      Path targetsFile = dataDir.resolve("prometheus").resolve("targets.json");
      assertThat(up.output()).contains("Prometheus targets (file_sd): " + targetsFile);
      Map<String, JsonObject> targets = assertTargetsAnswer(targetsFile, managementPorts);
      assertThat(targets).allSatisfy((s, t) -> assertThat(pid(t)).as(s).isEqualTo(pids.get(s)));
      assertEachServiceHasItsOwnLogFile(up.output(), pids);

      insertUser(userEmail);

      ProcessHandle.of(pids.get(Services.PAYMENTS)).orElseThrow().destroyForcibly();
      up.awaitLine(
          l -> l.contains("payments (pid " + pids.get(Services.PAYMENTS) + ") exited"),
          Duration.ofSeconds(10));
      up.awaitLine(l -> l.contains("restarting it"), Duration.ofSeconds(5));
      JsonObject recovered = awaitAllUp(gateway);
      assertThat(
              recovered
                  .getJsonObject("services")
                  .getJsonObject(Services.PAYMENTS)
                  .getJsonArray("instances")
                  .getJsonObject(0)
                  .getLong("pid"))
          .isNotEqualTo(pids.get(Services.PAYMENTS));
      long restarted =
          recovered
              .getJsonObject("services")
              .getJsonObject(Services.PAYMENTS)
              .getJsonArray("instances")
              .getJsonObject(0)
              .getLong("pid");
      assertHoldsOnlyItsOwnSecrets(Services.PAYMENTS, restarted);
      assertThat(Files.readString(dataDir.resolve("logs").resolve("payments.log")))
          .as("the killed JVM's end and its successor's start, in the service's one file")
          .containsPattern(
              "microshop: payments \\(pid "
                  + pids.get(Services.PAYMENTS)
                  + "\\) exited with code \\d+")
          .contains("microshop: payments started (pid " + restarted + ")");
      // The restarted instance replaces the dead one, on the same port: the same scrape target.
      Map<String, JsonObject> after =
          awaitTargets(targetsFile, t -> t.size() == Services.ALL.size() && pidOf(t) == restarted);
      assertThat(after.get(Services.PAYMENTS).getJsonObject("labels").getString("instance_id"))
          .isNotEqualTo(
              targets.get(Services.PAYMENTS).getJsonObject("labels").getString("instance_id"));
      assertTargetsAnswer(targetsFile, managementPorts);

      up.terminate();
      assertThat(up.awaitExit(Duration.ofSeconds(45))).as("exit code of up").isZero();
      assertThat(up.output()).contains("microshop: stopped");
      assertThat(new JsonArray(Files.readString(targetsFile))).as("targets once stopped").isEmpty();
    }
    for (Map.Entry<String, Long> pid : pids.entrySet()) {
      assertThat(ProcessHandle.of(pid.getValue()).map(ProcessHandle::isAlive).orElse(false))
          .as("%s (pid %d) still running", pid.getKey(), pid.getValue())
          .isFalse();
    }
    try (EmbeddedDatabase again = EmbeddedDatabase.start(dataDir, false, Services.WITH_DATABASE)) {
      assertThat(
              Db.of(dataDir, again.port())
                  .count(Services.USERS, "SELECT count(*) FROM users WHERE email = ?", userEmail))
          .as("the row written before the restart")
          .isEqualTo(1);
    }
  }

  /**
   * Beside the console, each service's output is in its own file under the data directory, which up
   * names: the service's start line is there, and no other service's.
   */
  private void assertEachServiceHasItsOwnLogFile(String upOutput, Map<String, Long> pids)
      throws Exception {
    Path logs = dataDir.resolve("logs");
    assertThat(upOutput).contains("tail -F " + logs.resolve("orders.log"));
    for (String service : Services.ALL) {
      Path file = logs.resolve(service + ".log");
      assertThat(file).as("log of %s", service).isRegularFile();
      String log = Files.readString(file);
      assertThat(log)
          .as("log of %s", service)
          .contains("microshop: " + service + " started (pid " + pids.get(service) + ")")
          .containsPattern("INFO .* - " + service + " instance \\S+ ready");
      for (String other : Services.ALL) {
        if (!other.equals(service)) {
          assertThat(log)
              .as("log of %s", service)
              .doesNotContainPattern(" - " + other + " instance ");
        }
      }
    }
  }

  /**
   * Gives each service a fixed management port of its own, as its default would be: up must hand it
   * to the child, list it, and give a restarted child the same one.
   */
  private static Map<String, Integer> withManagementPorts(TestEnv env) {
    int base = TestEnv.freePortRange(Services.ALL.size());
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String service : Services.ALL) {
      int port = base + ports.size();
      ports.put(service, port);
      env.with("MICROSHOP_" + service.toUpperCase(Locale.ROOT) + "_MANAGEMENT_PORT", "" + port);
    }
    return ports;
  }

  /**
   * The Prometheus targets file lists every service once, on its port, with its labels, and each
   * target answers its metrics and health URLs; returns the groups by service.
   */
  private static Map<String, JsonObject> assertTargetsAnswer(Path file, Map<String, Integer> ports)
      throws Exception {
    JsonArray groups = new JsonArray(Files.readString(file));
    Map<String, JsonObject> byService = new LinkedHashMap<>();
    for (int i = 0; i < groups.size(); i++) {
      JsonObject group = groups.getJsonObject(i);
      JsonObject labels = group.getJsonObject("labels");
      assertThat(byService.put(labels.getString("service"), group))
          .as("second group of %s", labels.getString("service"))
          .isNull();
      assertThat(labels.getString("instance_id")).as("instance_id").isNotBlank();
      assertThat(labels.getString("pid")).as("pid").containsOnlyDigits();
    }
    assertThat(byService.keySet()).containsExactlyInAnyOrderElementsOf(Services.ALL);
    for (Map.Entry<String, JsonObject> entry : byService.entrySet()) {
      String target = "127.0.0.1:" + ports.get(entry.getKey());
      assertThat(entry.getValue().getJsonArray("targets").encode())
          .as("targets of %s", entry.getKey())
          .isEqualTo(new JsonArray().add(target).encode());
      var metrics = Http.get("http://" + target + "/metrics");
      assertThat(metrics.statusCode()).as("metrics of %s", entry.getKey()).isEqualTo(200);
      assertThat(metrics.body()).contains("vertx_");
      assertThat(Http.get("http://" + target + "/health/ready").statusCode())
          .as("readiness of %s", entry.getKey())
          .isEqualTo(200);
    }
    return byService;
  }

  /** Polls the targets file (up writes it when a child is ready) until {@code done} holds. */
  private static Map<String, JsonObject> awaitTargets(
      Path file, Predicate<Map<String, JsonObject>> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Map<String, JsonObject> seen = Map.of();
    while (System.nanoTime() < deadline) {
      JsonArray groups = new JsonArray(Files.readString(file));
      seen = new LinkedHashMap<>();
      for (int i = 0; i < groups.size(); i++) {
        JsonObject group = groups.getJsonObject(i);
        seen.put(group.getJsonObject("labels").getString("service"), group);
      }
      if (done.test(seen)) {
        return seen;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("targets never as expected: " + seen);
  }

  private static long pid(JsonObject group) {
    return Long.parseLong(group.getJsonObject("labels").getString("pid"));
  }

  private static long pidOf(Map<String, JsonObject> targets) {
    JsonObject payments = targets.get(Services.PAYMENTS);
    return payments == null ? -1 : pid(payments);
  }

  /**
   * Waits until the anonymous status says UP (every instance answers its ping, so no record of a
   * dead JVM is left), then returns the admin's view, with each service's instances.
   */
  private JsonObject awaitAllUp(String gateway) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonObject status = null;
    while (System.nanoTime() < deadline) {
      var response = Http.get(gateway + "/v1/status");
      assertThat(response.statusCode()).isEqualTo(200);
      status = new JsonObject(response.body());
      if ("UP".equals(status.getString("status"))) {
        JsonObject detailed = adminStatus(gateway);
        JsonObject services = detailed.getJsonObject("services");
        assertThat(Services.ALL)
            .allSatisfy(
                s ->
                    assertThat(services.getJsonObject(s).getJsonArray("instances"))
                        .as(s)
                        .hasSize(1));
        return detailed;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("system never reported UP: " + status);
  }

  private JsonObject adminStatus(String gateway) {
    if (adminToken == null) {
      adminToken = new Api(gateway, dataDir).admin();
    }
    var response =
        Http.get(gateway + "/v1/status", Map.of("Authorization", "Bearer " + adminToken));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private void insertUser(String email) throws Exception {
    int port =
        new JsonObject(Files.readString(dataDir.resolve("postgres.json"))).getInteger("port");
    Db.of(dataDir, port)
        .update(
            Services.USERS,
            "INSERT INTO users (id, email, display_name, password_hash) VALUES (?, ?, 'Kept', 'x')",
            UUID.randomUUID(),
            email);
  }

  /**
   * Gives up every kind of secret there is, each known to the service that owns it: a database
   * password per service (also in its dev file, so the roles are provisioned with it), the signing
   * key and the admin password for users, the superuser's password for nobody but up, and a
   * variable nothing of microshop reads. Their files and directories start loose (0644, 0755), as
   * an older build or a loose umask leaves them.
   */
  private TestEnv withSecrets(TestEnv env) throws Exception {
    Path secrets = Files.createDirectories(dataDir.resolve("secrets"));
    for (String service : Services.WITH_DATABASE) {
      String password = looseSecret(secrets.resolve(service + "-db-password"), random());
      env.with("MICROSHOP_" + service.toUpperCase(Locale.ROOT) + "_DB_PASSWORD", password);
      secretOwners.put(password, service);
    }
    secretOwners.put(looseSecret(secrets.resolve("postgres-password"), random()), "up");
    String admin = looseSecret(secrets.resolve("admin-password"), random());
    env.with("MICROSHOP_USERS_ADMIN_PASSWORD", admin);
    secretOwners.put(admin, Services.USERS);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    String body =
        Base64.getMimeEncoder(64, new byte[] {'\n'})
            .encodeToString(generator.generateKeyPair().getPrivate().getEncoded());
    env.with(
        "MICROSHOP_USERS_AUTH_SIGNING_KEY",
        "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
    // The second line holds the private scalar; the first is the same for every P-256 key.
    secretOwners.put(body.split("\n")[1], Services.USERS);
    String unrelated = random();
    env.with("UPIT_CLOUD_TOKEN", unrelated);
    secretOwners.put(unrelated, "up");
    looseSecret(Files.createDirectories(dataDir.resolve("keys")).resolve("old-key.pem"), random());
    Files.setPosixFilePermissions(
        dataDir.resolve("keys"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxr-xr-x"));
    return env;
  }

  /**
   * What the kernel shows of a child service JVM: its environment and command line hold its own
   * secrets only, and its own cluster certificate's key, never the CA's or another service's.
   */
  /**
   * The build makes a class-data archive beside the jar and up gives it to every service JVM: each
   * has it mapped (a JVM that could not use it would run without, silently).
   */
  private static void assertEveryServiceMapsTheClassArchive(Map<String, Long> pids)
      throws Exception {
    Path archive = TestEnv.jar().toAbsolutePath().normalize().resolveSibling("launcher.jsa");
    assertThat(archive)
        .as("the build's class-data archive (its 'cds:' line says why it is missing)")
        .isRegularFile();
    for (String service : Services.ALL) {
      String maps = Files.readString(Path.of("/proc/" + pids.get(service) + "/maps"));
      assertThat(maps).as("%s maps %s", service, archive).contains(archive.toString());
    }
  }

  /**
   * up.serviceJvmOptions: users' -Xmx comes after the common one (the JVM takes the last); the
   * others keep the common cap. And every JVM trims its native heap, where the JDK can.
   */
  private static void assertHeapCapsAndNativeTrim(Map<String, Long> pids) throws Exception {
    for (String service : Services.ALL) {
      List<String> arguments =
          Arrays.asList(
              Files.readString(Path.of("/proc/" + pids.get(service) + "/cmdline")).split("\0"));
      List<String> caps = arguments.stream().filter(a -> a.startsWith("-Xmx")).toList();
      assertThat(arguments)
          .as("%s returns freed native memory (up.trimNativeHeap)", service)
          .containsAll(NativeHeapTrim.options(true));
      assertThat(caps)
          .as("heap caps of %s, in order", service)
          .isEqualTo(
              service.equals(Services.USERS)
                  ? List.of("-Xmx192m", "-Xmx96m")
                  : List.of("-Xmx192m"));
    }
  }

  /**
   * cluster.xml trims Hazelcast's pools, which start with the member: one I/O thread each way (not
   * three), two event threads (not five), no health monitor. Read from a thread dump of the JVM.
   */
  private static void assertHazelcastRunsItsSmallThreadPools(long pid) throws Exception {
    Path jcmd =
        Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
    Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print").start();
    String threads = new String(dump.getInputStream().readAllBytes(), UTF_8);
    assertThat(dump.waitFor()).as("jcmd Thread.print").isZero();
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String pool : List.of(".IO.thread-in-", ".IO.thread-out-", ".event-", ".HealthMonitor")) {
      counts.put(
          pool,
          Pattern.compile("^\"hz\\.[^\"]*" + Pattern.quote(pool), Pattern.MULTILINE)
              .matcher(threads)
              .results()
              .count());
    }
    assertThat(counts)
        .as("Hazelcast threads of orders")
        .isEqualTo(
            Map.of(
                ".IO.thread-in-", 1L, ".IO.thread-out-", 1L, ".event-", 2L, ".HealthMonitor", 0L));
  }

  private void assertHoldsOnlyItsOwnSecrets(String service, long pid) throws Exception {
    String environ = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), UTF_8);
    String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), UTF_8);
    assertThat(cmdline).as("command line of %s", service).contains(service);
    for (Map.Entry<String, String> secret : secretOwners.entrySet()) {
      String owner = secret.getValue();
      assertThat(cmdline)
          .as("command line of %s holds a secret of %s", service, owner)
          .doesNotContain(secret.getKey());
      if (owner.equals(service)) {
        assertThat(environ)
            .as("environment of %s holds its own secret", service)
            .contains(secret.getKey());
      } else {
        assertThat(environ)
            .as("environment of %s holds a secret of %s", service, owner)
            .doesNotContain(secret.getKey());
      }
    }
    assertThat(environ)
        .as("environment of %s", service)
        .doesNotContain("ca-key.pem")
        .contains("/" + service + "-key.pem");
    for (String other : Services.ALL) {
      if (!other.equals(service)) {
        assertThat(environ)
            .as("environment of %s", service)
            .doesNotContain("/" + other + "-key.pem", "/" + other + "-db-password");
      }
    }
  }

  /** Every directory under the data directory that holds secrets is 0700, every file in it 0600. */
  private void assertSecretsAreOwnerOnly() throws Exception {
    for (String dir : List.of("secrets", "secrets/cluster-tls", "keys")) {
      assertThat(dataDir.resolve(dir)).isDirectory();
      try (Stream<Path> tree = Files.walk(dataDir.resolve(dir))) {
        for (Path path : tree.toList()) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
              .as(path.toString())
              .isEqualTo(Files.isDirectory(path) ? "rwx------" : "rw-------");
        }
      }
    }
  }

  private static String looseSecret(Path file, String value) throws Exception {
    Files.writeString(file, value);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    return value;
  }

  private static String random() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static List<String> linesBefore(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return lines.subList(0, i);
      }
    }
    throw new AssertionError("no line starts with '" + prefix + "'");
  }
}
