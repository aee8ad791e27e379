package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.Api;
import dev.microshop.launcher.support.Browser;
import dev.microshop.launcher.support.ConsolePage;
import dev.microshop.launcher.support.Db;
import dev.microshop.launcher.support.Http;
import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.TestEnv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user does on day one with {@code up --tracing}: look at an order's trace in Zipkin,
 * start it again in the same directory, or start a service from another directory. Neither of the
 * last two may harm the running system, and each says why it is refused.
 */
class FirstRunIT {
  @TempDir static Path dataDir;
  @TempDir Path otherDir;

  private static TestEnv env;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ANY_UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern SUMMARY_ROW =
      Pattern.compile("^\\s+(\\w+)\\s+\\d+\\s+(http://\\S+)$");
  private static ServiceProcess up;
  private static String gateway;
  private static int zipkinPort;
  private static long zipkinPid;

  @BeforeAll
  static void startUp() {
    zipkinPort = TestEnv.freePortRange(1);
    // Few, quick outbox retries: the console test turns a message to a killed service into a dead
    // letter before up has restarted it.
    env =
        TestEnv.in(dataDir)
            .with("MICROSHOP_UP_ZIPKIN_PORT", Integer.toString(zipkinPort))
            .with("MICROSHOP_OUTBOX_MAX_ATTEMPTS", "2")
            .with("MICROSHOP_OUTBOX_BASE_BACKOFF_MS", "100")
            .with("MICROSHOP_OUTBOX_MAX_BACKOFF_MS", "200");
    up = ServiceProcess.start(env.env(), "up", "--tracing");
    up.awaitLine(l -> l.startsWith("microshop is up in"), Duration.ofSeconds(170));
    gateway =
        up.awaitLine(l -> l.trim().startsWith("gateway: http://"), Duration.ofSeconds(5))
            .trim()
            .split("\\s+")[1];
    String[] zipkin =
        up.awaitLine(l -> l.trim().startsWith("zipkin "), Duration.ofSeconds(5))
            .trim()
            .split("\\s+");
    zipkinPid = Long.parseLong(zipkin[1]);
    assertThat(zipkin[2]).isEqualTo("http://127.0.0.1:" + zipkinPort + "/zipkin/");
  }

  @AfterAll
  static void stopUp() {
    up.terminate();
    int code = up.awaitExit(Duration.ofSeconds(45));
    up.close();
    assertThat(code).as("exit code of the first up").isZero();
    assertThat(up.output())
        .contains("microshop: stopping Zipkin", "microshop: stopped")
        .doesNotContain("Could not stop postmaster");
    assertThat(ProcessHandle.of(zipkinPid).map(ProcessHandle::isAlive).orElse(false))
        .as("Zipkin (pid %d) after up stopped", zipkinPid)
        .isFalse();
    assertThat(dataDir.resolve("pg").resolve("postmaster.pid"))
        .as("the database stopped cleanly")
        .doesNotExist();
  }

  /**
   * One order placed through the gateway is one trace in the Zipkin {@code up --tracing} started:
   * from the gateway through orders, inventory, payments and notifications (across the outbox hops
   * of the saga) down to the SQL each ran, found by the trace id the client sent.
   */
  @Test
  void anOrderIsOneTraceInZipkinFromTheGatewayThroughEveryServiceDownToItsSql() throws Exception {
    Api api = new Api(gateway, dataDir);
    String product = api.product(api.admin(), 1250, 5);
    String customer = api.newCustomer();
    String traceId = hex(16);
    String idempotencyKey = UUID.randomUUID().toString();
    HttpResponse<String> placed =
        Http.send(
            "POST",
            gateway + "/v1/orders",
            new JsonObject().put("lines", Api.line(product, 2)).encode(),
            "Authorization",
            "Bearer " + customer,
            "Idempotency-Key",
            idempotencyKey,
            "traceparent",
            "00-" + traceId + "-" + hex(8) + "-01");
    assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
    String orderId = new JsonObject(placed.body()).getString("id");
    assertThat(api.awaitFinal(customer, orderId, Duration.ofSeconds(60)).getString("status"))
        .isEqualTo("CONFIRMED");

    List<String> everyService =
        List.of(
            Services.GATEWAY,
            Services.ORDERS,
            Services.INVENTORY,
            Services.PAYMENTS,
            Services.NOTIFICATIONS);
    JsonArray spans =
        awaitTrace(
            zipkinPort,
            traceId,
            found -> services(found).containsAll(everyService) && !statements(found).isEmpty(),
            Duration.ofSeconds(30));

    assertThat(services(spans)).containsAll(everyService);
    assertThat(spans.stream().map(JsonObject.class::cast))
        .allSatisfy(span -> assertThat(span.getString("traceId")).isEqualTo(traceId));
    // The database as client spans with the statement's text, never its values.
    assertThat(statements(spans))
        .anySatisfy(sql -> assertThat(sql).containsIgnoringCase("INSERT INTO outbox"))
        .allSatisfy(
            sql ->
                assertThat(sql)
                    .doesNotContain(orderId)
                    .doesNotContain(product)
                    .doesNotContain(idempotencyKey));

    // The order keeps its trace id, and the operations console links it to Zipkin's page for it.
    try (Connection orders = ordersDatabase();
        Statement s = orders.createStatement();
        ResultSet rs = s.executeQuery("SELECT trace_id FROM orders WHERE id = '" + orderId + "'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(traceId);
    }
    HttpResponse<String> console =
        Http.get(gateway + "/v1/admin/ops", Map.of("Authorization", "Bearer " + api.admin()));
    assertThat(console.statusCode()).as(console.body()).isEqualTo(200);
    String link =
        new JsonObject(console.body()).getString("traceUrl").replace("{traceId}", traceId);
    assertThat(link).isEqualTo("http://127.0.0.1:" + zipkinPort + "/zipkin/traces/" + traceId);
    assertThat(Http.get(link).statusCode()).as("Zipkin's page of the trace").isEqualTo(200);
  }

  /**
   * The operations console in a headless Chromium, as an admin uses it: every service UP, a failed
   * order linked to its trace in Zipkin; notifications killed with -9 and shown DOWN within 5 s; a
   * registration's welcome, sent meanwhile, dead-lettered; notifications back (up restarts it), the
   * redrive from the page empties the list and the welcome is delivered once. A customer logging in
   * is refused, and the data behind the page answers their token 403.
   */
  @Test
  void theConsoleShowsAKilledServiceDownItsDeadLetterAndARedriveThatDeliversIt() throws Exception {
    String missing = Browser.missing();
    Assumptions.assumeTrue(missing == null, missing);
    Api api = new Api(gateway, dataDir);
    String admin = api.admin();
    String customer = api.newCustomer();
    HttpResponse<String> tooMany =
        api.order(customer, "k-" + UUID.randomUUID(), Api.line(api.product(admin, 900, 1), 5));
    assertThat(tooMany.statusCode()).as(tooMany.body()).isEqualTo(202);
    String failed = new JsonObject(tooMany.body()).getString("id");
    try (ConsolePage console = ConsolePage.open(gateway)) {
      console.logIn("admin@microshop.local", adminPassword());
      for (String service : Services.ALL) {
        console.awaitServiceStatus(service, "UP", Duration.ofSeconds(30));
      }
      assertThat(console.awaitRecentOrder(failed, "CANCELLED", Duration.ofSeconds(30)))
          .contains("OUT_OF_STOCK");
      String trace = console.traceLink(failed);
      assertThat(trace).startsWith("http://127.0.0.1:" + zipkinPort + "/zipkin/traces/");
      assertThat(Http.get(trace).statusCode()).isEqualTo(200);
      assertThat(console.ordersPerSecond()).isPositive();
      console.screenshot(Path.of("target", "console.png"));

      long killed = System.nanoTime();
      ProcessHandle.of(instancePid(admin, Services.NOTIFICATIONS)).orElseThrow().destroyForcibly();
      String email = "welcome-" + UUID.randomUUID() + "@example.com";
      api.register(email);
      console.awaitServiceStatus(Services.NOTIFICATIONS, "DOWN", Duration.ofSeconds(5));
      System.out.printf(
          "console: notifications DOWN on the page %d ms after kill -9%n",
          Duration.ofNanos(System.nanoTime() - killed).toMillis());
      assertThat(console.awaitDeadLetter(Duration.ofSeconds(30)))
          .contains("users", "notifications.on.users.user.registered");
      console.awaitServiceStatus(Services.NOTIFICATIONS, "UP", Duration.ofSeconds(90));
      console.redriveEvery();

      assertThat(console.awaitNoDeadLetters(Duration.ofSeconds(15))).isTrue();
      String welcomed = api.login(email, Api.PASSWORD);
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (api.notifications(welcomed).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(api.notifications(welcomed)).as("the redriven welcome, once").hasSize(1);

      String shopper = "shopper-" + UUID.randomUUID() + "@example.com";
      api.register(shopper);
      console.logIn(shopper, Api.PASSWORD);
      console.awaitLoginError("this operation requires the admin role", Duration.ofSeconds(10));
      assertThat(console.showsAnyData()).isFalse();
    }
    for (String path : List.of("/v1/admin/ops", "/v1/admin/ops/stream")) {
      HttpResponse<String> refused =
          Http.get(gateway + path, Map.of("Authorization", "Bearer " + customer));
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(refused.body()).doesNotContain("outboxes", "instances");
    }
  }

  /**
   * chaos, run as a user would against this up: it freezes the payments instance the status report
   * names, twice, and lets it go each time (the JVM is not left stopped); bad input is one line and
   * exit 2.
   */
  @Test
  void chaosFreezesTheInstanceTheStatusNamesAndLetsItGo() throws Exception {
    long payments = instancePid(new Api(gateway, dataDir).admin(), Services.PAYMENTS);

    ServiceProcess chaos =
        ServiceProcess.start(
            env.env(),
            "chaos",
            "--gateway",
            gateway,
            "--action",
            "freeze",
            "--service",
            Services.PAYMENTS,
            "--every",
            "1s",
            "--duration",
            "2s",
            "--freeze-for",
            "500ms");

    assertThat(chaos.awaitExit(Duration.ofSeconds(60))).as(chaos.output()).isZero();
    assertThat(chaos.output())
        .contains(
            "freeze for 500 ms payments pid " + payments,
            "thawed pid " + payments,
            "chaos: done, 2 actions");
    assertThat(Files.readString(Path.of("/proc", Long.toString(payments), "stat")).split(" ")[2])
        .as("the state of payments' JVM after chaos")
        .isNotEqualTo("T");
    ServiceProcess bad = ServiceProcess.start(env.env(), "chaos", "--action", "explode");
    assertThat(bad.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(bad.output())
        .isEqualTo("microshop: chaos: --action 'explode' is not one of kill, freeze, restart, any");
  }

  /** The pid of the one instance of {@code service}, from the admin's status report. */
  private static long instancePid(String admin, String service) {
    HttpResponse<String> status =
        Http.get(gateway + "/v1/status", Map.of("Authorization", "Bearer " + admin));
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    return new JsonObject(status.body())
        .getJsonObject("services")
        .getJsonObject(service)
        .getJsonArray("instances")
        .getJsonObject(0)
        .getLong("pid");
  }

  private static String adminPassword() throws Exception {
    return Files.readString(dataDir.resolve("secrets/admin-password")).trim();
  }

  /** What {@code db orders --url} prints: one postgresql:// URL with the login in it. */
  private static URI ordersUrl() {
    ServiceProcess urlOnly = ServiceProcess.start(env.env(), "db", Services.ORDERS, "--url");
    assertThat(urlOnly.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(urlOnly.lines()).hasSize(1);
    URI url = URI.create(urlOnly.lines().get(0));
    assertThat(url.getScheme()).isEqualTo("postgresql");
    return url;
  }

  /** The orders database, with the login {@code db orders --url} prints. */
  private static Connection ordersDatabase() throws Exception {
    URI url = ordersUrl();
    String[] login = url.getUserInfo().split(":", 2);
    return Db.connect(
        "jdbc:postgresql://" + url.getHost() + ":" + url.getPort() + url.getPath(),
        login[0],
        login[1]);
  }

  /**
   * Every metric the alert rules and the Grafana dashboards read is in a scrape of the running
   * JVMs: a renamed metric would otherwise leave an alert that never fires, a panel that stays
   * empty.
   */
  @Test
  void everyMetricTheAlertsAndDashboardsReadIsInALiveScrape() throws Exception {
    assertThat(Http.get(gateway + "/v1/products?limit=1").statusCode()).isEqualTo(200);
    Set<String> scraped = new TreeSet<>();
    List<String> microshopSamples = new ArrayList<>();
    // Each JVM's management URL from the admin's status report: a JVM up restarted (the console
    // test kills one) has a new port here, where tests give every service port 0.
    JsonObject services =
        new JsonObject(
                Http.get(
                        gateway + "/v1/status",
                        Map.of("Authorization", "Bearer " + new Api(gateway, dataDir).admin()))
                    .body())
            .getJsonObject("services");
    for (String service : Services.ALL) {
      for (Object instance : services.getJsonObject(service).getJsonArray("instances")) {
        String body =
            Http.get(((JsonObject) instance).getString("managementUrl") + "/metrics").body();
        System.out.printf("scrape of %s: %d bytes%n", service, body.length());
        // The README's bound: few buckets, route templates and no ids keep a scrape small.
        assertThat(body.length()).as("scrape of %s in bytes", service).isLessThan(100 * 1024);
        for (String sample : body.split("\n")) {
          if (!sample.startsWith("#") && !sample.isBlank()) {
            scraped.add(sample.split("[{ ]", 2)[0]);
            if (sample.startsWith("microshop_")) {
              microshopSamples.add(sample);
            }
          }
        }
      }
    }

    // microshop's own series are there before their first event, and no label carries an id.
    assertThat(scraped)
        .contains(
            "microshop_orders_finished_total",
            "microshop_saga_step_seconds_bucket",
            "microshop_inbox_duplicates_total",
            "microshop_rate_limited_total");
    assertThat(microshopSamples)
        .noneMatch(sample -> ANY_UUID.matcher(sample).find() || sample.contains("@"));

    assertThat(scraped).containsAll(MonitoringRulesTest.metricNames(MonitoringRulesTest.RULES));
    for (Path dashboard : MonitoringRulesTest.dashboards()) {
      assertThat(scraped)
          .as("metrics %s reads", dashboard.getFileName())
          .containsAll(MonitoringRulesTest.metricNames(dashboard));
    }
  }

  /**
   * {@code load browse} and {@code load order} against this up, 4 s each: the catalog read with no
   * error, every order followed to its final state, and every order the gateway acknowledged (the
   * {@code --acknowledged} file) one the API returns, final.
   */
  @Test
  void loadReadsTheCatalogAndPlacesOrdersThatAllBecomeFinalAndListsEveryAcknowledgedOne()
      throws Exception {
    // The one line of JSON load --json prints last (its progress lines go to stderr).
    java.util.function.Function<ServiceProcess, JsonObject> loadResult =
        load ->
            new JsonObject(
                load.lines().stream()
                    .filter(l -> l.startsWith("{"))
                    .reduce((a, b) -> b)
                    .orElseThrow());
    ServiceProcess browse =
        ServiceProcess.start(
            env.env(),
            "load",
            "browse",
            "--gateway",
            gateway,
            "--rate",
            "8",
            "--duration",
            "4s",
            "--warmup",
            "1s",
            "--json");
    assertThat(browse.awaitExit(Duration.ofSeconds(60))).as(browse.output()).isZero();
    JsonObject read = loadResult.apply(browse);
    assertThat(read.getLong("requests")).isGreaterThan(20);
    assertThat(read.getLong("errors")).isZero();
    assertThat(read.getJsonObject("series").getJsonObject("browse").getLong("count"))
        .isGreaterThan(20);

    Path acknowledged = otherDir.resolve("acknowledged.txt");
    String prefix = "first-run-load";
    ServiceProcess order =
        ServiceProcess.start(
            env.env(),
            "load",
            "order",
            "--gateway",
            gateway,
            "--rate",
            "4",
            "--duration",
            "4s",
            "--warmup",
            "1s",
            "--customers",
            "3",
            "--customer-prefix",
            prefix,
            "--data-dir",
            dataDir.toString(),
            "--products",
            "2",
            "--acknowledged",
            acknowledged.toString(),
            "--json");
    assertThat(order.awaitExit(Duration.ofSeconds(120))).as(order.output()).isZero();
    JsonObject placed = loadResult.apply(order);
    JsonObject orders = placed.getJsonObject("orders");
    assertThat(placed.getLong("errors")).isZero();
    assertThat(orders.getLong("acknowledged")).isGreaterThan(5);
    assertThat(orders.getLong("confirmed") + orders.getLong("cancelled"))
        .isEqualTo(orders.getLong("acknowledged"));
    assertThat(orders.getLong("notFinal")).isZero();
    assertThat(
            placed
                .getJsonObject("series")
                .getJsonObject("order_final")
                .getJsonObject("latencyMs")
                .getDouble("p99"))
        .isPositive();
    assertThat(order.output()).contains("[  2 s] measure | order POST ");

    List<String> ids = Files.readAllLines(acknowledged);
    assertThat(ids)
        .hasSize(
            (int)
                (orders.getLong("acknowledged")
                    + placed.getJsonObject("warmup").getLong("acknowledged")))
        .allMatch(id -> ANY_UUID.matcher(id).matches());
    Api api = new Api(gateway, dataDir);
    List<String> customers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      customers.add(api.login(prefix + "-" + i + "@example.com", "microshop-load-password"));
    }
    for (String id : ids) {
      assertThat(
              customers.stream()
                  .map(
                      t ->
                          Http.get(
                              gateway + "/v1/orders/" + id, Map.of("Authorization", "Bearer " + t)))
                  .filter(r -> r.statusCode() == 200)
                  .map(r -> new JsonObject(r.body()).getString("status"))
                  .findFirst())
          .as("acknowledged order %s", id)
          .hasValueSatisfying(status -> assertThat(status).isIn("CONFIRMED", "CANCELLED"));
    }
  }

  @Test
  void aSecondAndAThirdUpInTheSameDirectoryAreRefusedAndTheFirstKeepsItsDatabase()
      throws Exception {
    long firstPid = up.pid();
    for (int attempt = 2; attempt <= 3; attempt++) {
      ServiceProcess again = ServiceProcess.start(env.env(), "up");
      assertThat(again.awaitExit(Duration.ofSeconds(60)))
          .as("exit code of up #%d", attempt)
          .isEqualTo(2);
      assertThat(again.lines())
          .as("up #%d", attempt)
          .containsExactly(
              "microshop: already running from "
                  + dataDir.toAbsolutePath().normalize()
                  + " (pid "
                  + firstPid
                  + "); stop it first (Ctrl-C there, or kill "
                  + firstPid
                  + ")");
      assertThat(Files.readString(dataDir.resolve("up.pid")).trim())
          .as("the running up's pid file")
          .isEqualTo(Long.toString(firstPid));
    }
    assertThat(Http.get(gateway + "/v1/products?limit=1").statusCode()).isEqualTo(200);
    // One ping may miss its 1 s while the refused JVMs exit on a loaded machine: the first up must
    // be (back to) UP within a few seconds, not at one instant.
    assertThat(statusWithin(Duration.ofSeconds(15))).isEqualTo("UP");
    assertThat(up.output()).doesNotContain("Connection refused");
  }

  @Test
  void aServiceOrAnUpFromAnotherDataDirectoryIsRefusedAndNeverJoins() throws Exception {
    TestEnv foreign = TestEnv.copyOf(env).with("MICROSHOP_DATA_DIR", otherDir.toString());
    for (String command : new String[] {Services.ORDERS, "up"}) {
      ServiceProcess stranger = ServiceProcess.start(foreign.env(), command);

      assertThat(stranger.awaitExit(Duration.ofSeconds(60)))
          .as("exit code of %s", command)
          .isEqualTo(2);
      assertThat(stranger.lines()).as("output of %s", command).hasSize(1);
      assertThat(stranger.output())
          .startsWith("microshop: the cluster on 127.0.0.1:")
          .contains(
              "belongs to the installation in " + dataDir.toAbsolutePath().normalize(),
              "this JVM's data directory "
                  + otherDir.toAbsolutePath().normalize()
                  + " would be another database",
              "MICROSHOP_DATA_DIR=" + dataDir.toAbsolutePath().normalize());
    }
    try (var files = Files.list(otherDir)) {
      assertThat(files).as("nothing was created in the other directory").isEmpty();
    }
    assertThat(
            adminStatus()
                .getJsonObject("services")
                .getJsonObject(Services.ORDERS)
                .getJsonArray("instances"))
        .as("orders instances the running system sees")
        .hasSize(1);
  }

  @Test
  void dbPrintsAUrlThatOpensTheServicesOwnDatabaseAndNothingElse() throws Exception {
    URI url = ordersUrl();
    String[] login = url.getUserInfo().split(":", 2);
    String jdbc = "jdbc:postgresql://" + url.getHost() + ":" + url.getPort();
    try (Connection orders = Db.connect(jdbc + url.getPath(), login[0], login[1]);
        Statement s = orders.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
      assertThat(rs.next()).as("the orders table, read with the printed login").isTrue();
    }
    assertThatThrownBy(() -> Db.connect(jdbc + "/payments", login[0], login[1]).close())
        .as("the orders role reaches no other service's database")
        .isInstanceOf(SQLException.class);

    ServiceProcess described = ServiceProcess.start(env.env(), "db", Services.ORDERS);
    assertThat(described.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(described.output())
        .contains(
            "orders database: embedded PostgreSQL in " + dataDir.toAbsolutePath().normalize(),
            "jdbc:postgresql://127.0.0.1:" + url.getPort() + "/orders",
            "psql");

    ServiceProcess elsewhere =
        ServiceProcess.start(
            TestEnv.copyOf(env).with("MICROSHOP_DATA_DIR", otherDir.toString()).env(),
            "db",
            Services.ORDERS);
    assertThat(elsewhere.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
    assertThat(elsewhere.output())
        .isEqualTo(
            "microshop: the embedded PostgreSQL in "
                + otherDir.toAbsolutePath().normalize()
                + " is not running; start it with 'up'");
  }

  @Test
  void aCleanStartLogsNoConfigErrorsInPostgresAndNoUnknownSchemaVersion() throws Exception {
    assertThat(Files.readString(dataDir.resolve("postgres.log")))
        .doesNotContain("contains errors")
        .doesNotContain("cannot be changed without restarting");
    assertThat(up.output())
        .doesNotContain("version null")
        .contains(
            "settings from " + TestEnv.repoRoot().resolve("config") + " (MICROSHOP_CONFIG_DIR)");
  }

  @Test
  void theMonolithSaysWhereItsGatewayIsLikeUpDoes() throws Exception {
    try (ServiceProcess all = ServiceProcess.start(TestEnv.in(otherDir).env(), "all")) {
      all.awaitLine(l -> l.startsWith("microshop: all is up in"), Duration.ofSeconds(120));
      String url =
          all.awaitLine(l -> l.trim().startsWith("gateway:"), Duration.ofSeconds(5))
              .trim()
              .split("\\s+")[1];
      assertThat(url).isEqualTo(all.gatewayUrl());
      HttpResponse<String> products = Http.get(url + "/v1/products?limit=1");
      assertThat(products.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(products.body()).getJsonArray("items")).hasSize(1);
      all.terminate();
      assertThat(all.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  private String statusWithin(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    String seen = status().getString("status");
    while (!"UP".equals(seen) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      seen = status().getString("status");
    }
    return seen;
  }

  private JsonObject status() {
    HttpResponse<String> status = Http.get(gateway + "/v1/status");
    assertThat(status.statusCode()).isEqualTo(200);
    return new JsonObject(status.body());
  }

  /** The status with each service's instances: an admin's view. */
  private JsonObject adminStatus() {
    String token = new Api(gateway, dataDir).admin();
    HttpResponse<String> status =
        Http.get(gateway + "/v1/status", Map.of("Authorization", "Bearer " + token));
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    return new JsonObject(status.body());
  }

  private static JsonArray awaitTrace(
      int port, String traceId, Predicate<JsonArray> complete, Duration timeout)
      throws InterruptedException {
    String url = "http://127.0.0.1:" + port + "/api/v2/trace/" + traceId;
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonArray spans = new JsonArray();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> trace = Http.get(url);
      if (trace.statusCode() == 200) {
        spans = new JsonArray(trace.body());
        if (complete.test(spans)) {
          return spans;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "trace "
            + traceId
            + " incomplete after "
            + timeout
            + ": services "
            + services(spans)
            + ", "
            + statements(spans).size()
            + " SQL spans");
  }

  private static Set<String> services(JsonArray spans) {
    Set<String> names = new TreeSet<>();
    spans.stream()
        .map(JsonObject.class::cast)
        .map(span -> span.getJsonObject("localEndpoint", new JsonObject()).getString("serviceName"))
        .filter(name -> name != null)
        .forEach(names::add);
    return names;
  }

  /** The SQL of the trace's database spans (the tag's name differs between conventions). */
  private static List<String> statements(JsonArray spans) {
    return spans.stream()
        .map(JsonObject.class::cast)
        .map(span -> span.getJsonObject("tags", new JsonObject()))
        .flatMap(tags -> Stream.of(tags.getString("db.statement"), tags.getString("db.query.text")))
        .filter(sql -> sql != null)
        .toList();
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
