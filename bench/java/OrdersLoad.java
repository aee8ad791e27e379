import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end order load (issue 4): closed-loop clients, each places {@code POST /v1/orders} as its
 * own customer, waits for the order's final state, and places the next one. Latency is POST sent ->
 * final state seen.
 *
 * <p>Two ways to see the final state: {@code --mode poll} polls {@code GET /v1/orders/{id}} every
 * {@code --poll-ms} (the primary figure; the polls are extra load on the gateway and orders),
 * {@code --mode sse} keeps one {@code /v1/notifications/stream} per customer and takes the
 * ORDER_CONFIRMED/CANCELLED notification (one outbox hop after the order became final, so it
 * overstates the saga's latency by that hop).
 *
 * <p>Per concurrency level: warm-up, then a measured window; only orders whose POST was sent inside
 * the window and that reached a final state count; then the clients stop and in-flight orders
 * drain. During the window it samples {@code GET /v1/admin/outbox/{service}} every second and the
 * CPU time of the given processes.
 */
public final class OrdersLoad {
  private static final String[] OUTBOXES = {"orders", "inventory", "payments", "notifications"};
  private static final long ORDER_TIMEOUT_MS = 30_000;

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http;
  private final URI gateway;
  private final String mode;
  private final long pollMs;
  private final Map<String, Long> pids;
  private String adminToken;

  /**
   * The products orders are spread over (uniformly at random); one makes a hot row of its stock.
   */
  private final List<String> productIds = new ArrayList<>();

  private final List<String> customerTokens = new ArrayList<>();

  /** orderId -> waiter, completed by the SSE streams with (kind, arrival nanos). */
  private final Map<String, Promise<Object[]>> sseWaiters = new ConcurrentHashMap<>();

  private final Map<String, Object[]> sseEarly = new ConcurrentHashMap<>();

  OrdersLoad(URI gateway, String mode, long pollMs, int maxConnections, Map<String, Long> pids) {
    this.gateway = gateway;
    this.mode = mode;
    this.pollMs = pollMs;
    this.pids = pids;
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost(gateway.getHost())
                .setDefaultPort(gateway.getPort())
                .setKeepAlive(true)
                .setConnectTimeout(5000),
            new PoolOptions().setHttp1MaxSize(maxConnections));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    List<Integer> levels =
        Arrays.stream(o.getOrDefault("levels", "16,32,64").split(","))
            .map(String::trim)
            .map(Integer::parseInt)
            .toList();
    int customers =
        Integer.parseInt(
            o.getOrDefault(
                "customers",
                String.valueOf(levels.stream().mapToInt(Integer::intValue).max().orElse(64))));
    Map<String, Long> pids = new LinkedHashMap<>();
    for (String p : o.getOrDefault("pids", "").split(",")) {
      if (p.contains("=")) {
        pids.put(p.substring(0, p.indexOf('=')), Long.parseLong(p.substring(p.indexOf('=') + 1)));
      }
    }
    OrdersLoad load =
        new OrdersLoad(
            URI.create(o.get("gateway")),
            o.getOrDefault("mode", "poll"),
            Long.parseLong(o.getOrDefault("poll-ms", "5")),
            customers * 2 + 8,
            pids);
    try {
      load.setup(
          Path.of(o.get("data-dir")), customers, Integer.parseInt(o.getOrDefault("products", "1")));
      int prewarm = Integer.parseInt(o.getOrDefault("prewarm", "0"));
      if (prewarm > 0) {
        // JIT warm-up of every JVM on the order path; not reported.
        System.out.print("prewarm:");
        load.level(Integer.parseInt(o.getOrDefault("target-c", "32")), 0, prewarm);
      }
      List<Result> results = new ArrayList<>();
      for (int c : levels) {
        results.add(
            load.level(
                c,
                Integer.parseInt(o.getOrDefault("warmup", "10")),
                Integer.parseInt(o.getOrDefault("duration", "20"))));
      }
      load.print(
          results,
          Double.parseDouble(o.getOrDefault("target-rate", "500")),
          Double.parseDouble(o.getOrDefault("target-p99", "150")),
          Integer.parseInt(o.getOrDefault("target-c", "32")));
    } finally {
      load.vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  // ---- HTTP
  // ---------------------------------------------------------------------------------------------------

  record Reply(int status, JsonObject body) {}

  private Future<Reply> call(
      HttpMethod method, String path, String token, JsonObject body, String idemKey) {
    RequestOptions ro = new RequestOptions().setMethod(method).setURI(path).setTimeout(10_000);
    if (token != null) {
      ro.putHeader("Authorization", "Bearer " + token);
    }
    if (idemKey != null) {
      ro.putHeader("Idempotency-Key", idemKey);
    }
    if (body != null) {
      ro.putHeader("Content-Type", "application/json");
    }
    return http.request(ro)
        .compose(req -> body == null ? req.send() : req.send(body.toBuffer()))
        .compose(
            resp ->
                resp.body()
                    .map(
                        b ->
                            new Reply(
                                resp.statusCode(),
                                b.length() > 0 && b.getByte(0) == '{'
                                    ? b.toJsonObject()
                                    : new JsonObject())));
  }

  private Reply sync(Future<Reply> f, String what, int... ok) throws Exception {
    Reply r = f.await(60, TimeUnit.SECONDS);
    for (int s : ok) {
      if (r.status() == s) {
        return r;
      }
    }
    throw new IllegalStateException(what + " answered " + r.status() + ": " + r.body().encode());
  }

  // ---- setup
  // --------------------------------------------------------------------------------------------------

  private void setup(Path dataDir, int customers, int products) throws Exception {
    String password = Files.readString(dataDir.resolve("secrets").resolve("admin-password")).trim();
    adminToken =
        sync(
                call(
                    HttpMethod.POST,
                    "/v1/auth/token",
                    null,
                    new JsonObject()
                        .put("email", "admin@microshop.local")
                        .put("password", password),
                    null),
                "admin login",
                200)
            .body()
            .getString("accessToken");
    String sku = "BENCH-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
    for (int i = 0; i < products; i++) {
      productIds.add(
          sync(
                  call(
                      HttpMethod.POST,
                      "/v1/products",
                      adminToken,
                      new JsonObject()
                          .put("sku", sku + "-" + i)
                          .put("name", "Bench item " + i)
                          .put("priceMinor", 1)
                          .put("currency", "EUR")
                          .put("available", 1_000_000),
                      null),
                  "create product",
                  201,
                  200)
              .body()
              .getString("id"));
    }
    long t0 = System.nanoTime();
    String run = UUID.randomUUID().toString().substring(0, 8);
    // Argon2 takes ~100 ms of CPU per hash: 4 at a time keeps 2 cores busy without timeouts.
    for (int start = 0; start < customers; start += 4) {
      List<Future<String>> batch = new ArrayList<>();
      for (int i = start; i < Math.min(customers, start + 4); i++) {
        String email = "bench-" + run + "-" + i + "@example.com";
        String pw = "bench-password-" + i;
        batch.add(
            call(
                    HttpMethod.POST,
                    "/v1/users",
                    null,
                    new JsonObject()
                        .put("email", email)
                        .put("displayName", "Bench " + i)
                        .put("password", pw),
                    null)
                .compose(
                    r ->
                        call(
                            HttpMethod.POST,
                            "/v1/auth/token",
                            null,
                            new JsonObject().put("email", email).put("password", pw),
                            null))
                .map(
                    r -> {
                      if (r.status() != 200) {
                        throw new IllegalStateException(
                            "customer login answered " + r.status() + ": " + r.body());
                      }
                      return r.body().getString("accessToken");
                    }));
      }
      for (Future<String> f : batch) {
        customerTokens.add(f.await(60, TimeUnit.SECONDS));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "setup: %d product(s) %s-* (price 1, stock 1000000 each; every order takes one"
            + " unit of one of them at random); %d customers registered and logged in in %.1f s; completion seen by %s%n",
        products,
        sku,
        customers,
        (System.nanoTime() - t0) / 1e9,
        mode.equals("poll")
            ? "polling GET /v1/orders/{id} every " + pollMs + " ms"
            : "the customer's SSE stream (ORDER_CONFIRMED/ORDER_CANCELLED)");
    // Each customer places one order untimed: wallets open, connections and SSE streams get
    // established.
    if (mode.equals("sse")) {
      for (String token : customerTokens) {
        openStream(token).await(30, TimeUnit.SECONDS);
      }
    }
    List<Future<Sample>> first = new ArrayList<>();
    for (String token : customerTokens) {
      first.add(placeAndWait(token, new AtomicLong()));
    }
    // All customers order at once on JVMs that are still compiling: a few of those untimed
    // orders may time out (504). Each is retried alone, up to three times, before the run fails.
    int retried = 0;
    for (int i = 0; i < first.size(); i++) {
      Sample s = first.get(i).await(60, TimeUnit.SECONDS);
      for (int attempt = 0; s.error() != null && attempt < 3; attempt++) {
        retried++;
        s = placeAndWait(customerTokens.get(i), new AtomicLong()).await(60, TimeUnit.SECONDS);
      }
      if (s.error() != null) {
        throw new IllegalStateException("first order failed (after 3 retries): " + s.error());
      }
    }
    if (retried > 0) {
      System.out.printf(Locale.ROOT, "setup: %d untimed first order(s) retried%n", retried);
    }
  }

  private Future<Void> openStream(String token) {
    Promise<Void> connected = Promise.promise();
    RequestOptions ro =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setURI("/v1/notifications/stream")
            .putHeader("Authorization", "Bearer " + token)
            .putHeader("Accept", "text/event-stream");
    http.request(ro)
        .compose(req -> req.send())
        .onSuccess(
            resp -> {
              if (resp.statusCode() != 200) {
                connected.tryFail("stream answered " + resp.statusCode());
                return;
              }
              StringBuilder pending = new StringBuilder();
              resp.handler(
                  chunk -> {
                    long now = System.nanoTime();
                    pending.append(chunk.toString(StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = pending.indexOf("\n")) >= 0) {
                      String line = pending.substring(0, nl);
                      pending.delete(0, nl + 1);
                      if (line.startsWith(": connected")) {
                        connected.tryComplete();
                      } else if (line.startsWith("data:")) {
                        onNotification(new JsonObject(line.substring(5).trim()), now);
                      }
                    }
                  });
            })
        .onFailure(connected::tryFail);
    return connected.future();
  }

  private void onNotification(JsonObject n, long now) {
    String kind = n.getString("kind");
    JsonObject body = n.getJsonObject("body", new JsonObject());
    String orderId = body.getString("orderId", n.getString("orderId"));
    if (orderId == null || kind == null) {
      return;
    }
    String status =
        kind.equals("ORDER_CONFIRMED")
            ? "CONFIRMED"
            : kind.equals("ORDER_CANCELLED") ? "CANCELLED" : null;
    if (status == null) {
      return;
    }
    Object[] event = {status, now};
    Promise<Object[]> waiter = sseWaiters.remove(orderId);
    if (waiter != null) {
      waiter.tryComplete(event);
    } else {
      sseEarly.put(orderId, event);
    }
  }

  // ---- one order
  // ----------------------------------------------------------------------------------------------

  /**
   * One order: when its POST was sent, how long the POST and the whole trip took, and how it ended.
   */
  record Sample(long sentNs, long postNs, long totalNs, String status, String error) {}

  private Future<Sample> placeAndWait(String token, AtomicLong polls) {
    long sent = System.nanoTime();
    JsonObject order =
        new JsonObject()
            .put(
                "lines",
                new io.vertx.core.json.JsonArray()
                    .add(
                        new JsonObject()
                            .put(
                                "productId",
                                productIds.get(
                                    ThreadLocalRandom.current().nextInt(productIds.size())))
                            .put("quantity", 1)));
    return call(HttpMethod.POST, "/v1/orders", token, order, UUID.randomUUID().toString())
        .compose(
            r -> {
              long posted = System.nanoTime();
              if (r.status() != 202) {
                return Future.succeededFuture(
                    new Sample(
                        sent,
                        posted - sent,
                        0,
                        null,
                        "POST " + r.status() + " " + r.body().getString("type", "")));
              }
              String id = r.body().getString("id");
              String status = r.body().getString("status");
              if ("CONFIRMED".equals(status) || "CANCELLED".equals(status)) {
                return Future.succeededFuture(
                    new Sample(sent, posted - sent, posted - sent, status, null));
              }
              Future<Object[]> end =
                  mode.equals("poll") ? poll(token, id, sent, polls) : awaitNotification(id, sent);
              return end.map(
                  e -> new Sample(sent, posted - sent, (Long) e[1] - sent, (String) e[0], null));
            })
        .recover(
            f ->
                Future.succeededFuture(
                    new Sample(
                        sent,
                        System.nanoTime() - sent,
                        0,
                        null,
                        f.getClass().getSimpleName() + ": " + f.getMessage())));
  }

  private Future<Object[]> poll(String token, String id, long sent, AtomicLong polls) {
    Promise<Object[]> done = Promise.promise();
    pollOnce(token, id, sent, polls, done);
    return done.future();
  }

  private void pollOnce(
      String token, String id, long sent, AtomicLong polls, Promise<Object[]> done) {
    vertx.setTimer(
        pollMs,
        t -> {
          polls.incrementAndGet();
          call(HttpMethod.GET, "/v1/orders/" + id, token, null, null)
              .onComplete(
                  ar -> {
                    long now = System.nanoTime();
                    if (ar.succeeded() && ar.result().status() == 200) {
                      String status = ar.result().body().getString("status");
                      if ("CONFIRMED".equals(status) || "CANCELLED".equals(status)) {
                        done.complete(new Object[] {status, now});
                        return;
                      }
                    }
                    if (now - sent > TimeUnit.MILLISECONDS.toNanos(ORDER_TIMEOUT_MS)) {
                      done.fail("not final after " + ORDER_TIMEOUT_MS + " ms");
                    } else {
                      pollOnce(token, id, sent, polls, done);
                    }
                  });
        });
  }

  private Future<Object[]> awaitNotification(String id, long sent) {
    Object[] early = sseEarly.remove(id);
    if (early != null) {
      return Future.succeededFuture(early);
    }
    Promise<Object[]> p = Promise.promise();
    sseWaiters.put(id, p);
    early = sseEarly.remove(id);
    if (early != null) {
      sseWaiters.remove(id);
      p.tryComplete(early);
    }
    vertx.setTimer(
        ORDER_TIMEOUT_MS,
        t -> {
          if (sseWaiters.remove(id) != null) {
            p.tryFail("no notification after " + ORDER_TIMEOUT_MS + " ms");
          }
        });
    return p.future();
  }

  // ---- one level
  // ----------------------------------------------------------------------------------------------

  record Lag(double max, double avg, long maxPending, long maxDead) {}

  record Result(
      int clients,
      double seconds,
      long confirmed,
      long cancelled,
      long errors,
      Map<String, Long> errorKinds,
      long[] totalMs,
      long[] postMs,
      double polls,
      Map<String, Lag> lag,
      Map<String, Double> cores,
      double hostCores) {}

  private Result level(int clients, int warmupS, int durationS) throws Exception {
    long start = System.nanoTime();
    long windowStart = start + TimeUnit.SECONDS.toNanos(warmupS);
    long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(durationS);
    List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicLong polls = new AtomicLong();
    AtomicLong windowPolls = new AtomicLong();
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      String token = customerTokens.get(i % customerTokens.size());
      Promise<Void> loopDone = Promise.promise();
      vertx.runOnContext(
          v -> loop(token, windowStart, windowEnd, samples, polls, windowPolls, loopDone));
      loops.add(loopDone.future());
    }
    // Sample outbox lag and CPU during the measured window only.
    sleepUntil(windowStart);
    Map<String, List<JsonObject>> outbox = new LinkedHashMap<>();
    for (String s : OUTBOXES) {
      outbox.put(s, new ArrayList<>());
    }
    Map<String, Long> cpu0 = cpu();
    long[] host0 = hostJiffies();
    long t0 = System.nanoTime();
    while (System.nanoTime() < windowEnd) {
      List<Future<Reply>> fs = new ArrayList<>();
      for (String s : OUTBOXES) {
        fs.add(call(HttpMethod.GET, "/v1/admin/outbox/" + s, adminToken, null, null));
      }
      for (int i = 0; i < OUTBOXES.length; i++) {
        try {
          Reply r = fs.get(i).await(5, TimeUnit.SECONDS);
          if (r.status() == 200) {
            outbox.get(OUTBOXES[i]).add(r.body());
          }
        } catch (Exception e) {
          // a missed sample; the others still count
        }
      }
      sleepUntil(Math.min(windowEnd, System.nanoTime() + TimeUnit.SECONDS.toNanos(1)));
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Map<String, Long> cpu1 = cpu();
    long[] host1 = hostJiffies();
    Map<String, Double> cores = new LinkedHashMap<>();
    for (String k : cpu1.keySet()) {
      cores.put(k, (cpu1.get(k) - cpu0.getOrDefault(k, 0L)) / 1e9 / secs);
    }
    double hostCores =
        host1[0] - host0[0] == 0
            ? 0
            : Runtime.getRuntime().availableProcessors()
                * (1 - (double) (host1[1] - host0[1]) / (host1[0] - host0[0]));
    Future.join(loops)
        .await(ORDER_TIMEOUT_MS + 15_000, TimeUnit.MILLISECONDS); // drain in-flight orders
    List<Sample> in;
    synchronized (samples) {
      in = new ArrayList<>(samples);
    }
    long confirmed = 0, cancelled = 0, errors = 0;
    Map<String, Long> kinds = new LinkedHashMap<>();
    List<Long> total = new ArrayList<>();
    List<Long> post = new ArrayList<>();
    for (Sample s : in) {
      if (s.error() != null) {
        errors++;
        kinds.merge(
            s.error().length() > 60 ? s.error().substring(0, 60) : s.error(), 1L, Long::sum);
        continue;
      }
      if ("CONFIRMED".equals(s.status())) {
        confirmed++;
      } else {
        cancelled++;
      }
      total.add(s.totalNs());
      post.add(s.postNs());
    }
    Map<String, Lag> lag = new LinkedHashMap<>();
    outbox.forEach(
        (s, list) ->
            lag.put(
                s,
                new Lag(
                    list.stream()
                        .mapToDouble(j -> j.getDouble("lagSeconds", 0.0))
                        .max()
                        .orElse(Double.NaN),
                    list.stream()
                        .mapToDouble(j -> j.getDouble("lagSeconds", 0.0))
                        .average()
                        .orElse(Double.NaN),
                    list.stream().mapToLong(j -> j.getLong("pending", 0L)).max().orElse(-1),
                    list.stream().mapToLong(j -> j.getLong("dead", 0L)).max().orElse(-1))));
    long finished = confirmed + cancelled;
    Result r =
        new Result(
            clients,
            durationS,
            confirmed,
            cancelled,
            errors,
            kinds,
            percentiles(total),
            percentiles(post),
            finished == 0 ? 0 : (double) windowPolls.get() / finished,
            lag,
            cores,
            hostCores);
    System.out.printf(
        Locale.ROOT,
        "  c=%d done: %.0f confirmed/s, p99 %d ms%n",
        clients,
        confirmed / (double) durationS,
        r.totalMs()[1]);
    return r;
  }

  private void loop(
      String token,
      long windowStart,
      long windowEnd,
      List<Sample> samples,
      AtomicLong polls,
      AtomicLong windowPolls,
      Promise<Void> done) {
    long now = System.nanoTime();
    if (now >= windowEnd) {
      done.complete();
      return;
    }
    boolean counted = now >= windowStart;
    AtomicLong myPolls = new AtomicLong();
    placeAndWait(token, myPolls)
        .onComplete(
            ar -> {
              polls.addAndGet(myPolls.get());
              if (counted) {
                samples.add(ar.result());
                windowPolls.addAndGet(myPolls.get());
              }
              loop(token, windowStart, windowEnd, samples, polls, windowPolls, done);
            });
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long ms = TimeUnit.NANOSECONDS.toMillis(nanos - System.nanoTime());
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  /** p50, p99, max in ms. */
  private static long[] percentiles(List<Long> ns) {
    if (ns.isEmpty()) {
      return new long[] {0, 0, 0};
    }
    long[] a = ns.stream().mapToLong(Long::longValue).sorted().toArray();
    return new long[] {
      a[(int) Math.ceil(a.length * 0.50) - 1] / 1_000_000,
      a[(int) Math.ceil(a.length * 0.99) - 1] / 1_000_000,
      a[a.length - 1] / 1_000_000
    };
  }

  // ---- CPU
  // ----------------------------------------------------------------------------------------------------

  private Map<String, Long> cpu() {
    Map<String, Long> out = new LinkedHashMap<>();
    pids.forEach(
        (name, pid) ->
            out.put(
                name,
                ProcessHandle.of(pid)
                    .map(p -> cpuNs(p) + p.descendants().mapToLong(OrdersLoad::cpuNs).sum())
                    .orElse(0L)));
    out.put("loadgen", cpuNs(ProcessHandle.current()));
    return out;
  }

  private static long cpuNs(ProcessHandle p) {
    try {
      String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12]))
          * 10_000_000L; // utime + stime, 100 Hz ticks
    } catch (Exception e) {
      return 0;
    }
  }

  private static long[] hostJiffies() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    } catch (Exception e) {
      return new long[] {0, 0};
    }
  }

  // ---- report
  // -------------------------------------------------------------------------------------------------

  private void print(List<Result> results, double targetRate, double targetP99, int targetC) {
    System.out.println();
    System.out.printf(
        "%-4s %10s %6s %6s %9s %9s %9s %9s %9s %7s  %s%n",
        "c",
        "confirmed/s",
        "cancl",
        "errors",
        "p50 ms",
        "p99 ms",
        "max ms",
        "POST p50",
        "POST p99",
        "GET/ord",
        "outbox lag max/avg s (max pending) orders | inventory | payments | notifications");
    for (Result r : results) {
      StringBuilder lag = new StringBuilder();
      for (String s : OUTBOXES) {
        Lag l = r.lag().get(s);
        lag.append(
            String.format(
                Locale.ROOT,
                "%s%.2f/%.2f (%d)",
                lag.length() == 0 ? "" : " | ",
                l.max(),
                l.avg(),
                l.maxPending()));
      }
      System.out.printf(
          Locale.ROOT,
          "%-4d %10.1f %6d %6d %9d %9d %9d %9d %9d %7.1f  %s%n",
          r.clients(),
          r.confirmed() / r.seconds(),
          r.cancelled(),
          r.errors(),
          r.totalMs()[0],
          r.totalMs()[1],
          r.totalMs()[2],
          r.postMs()[0],
          r.postMs()[1],
          r.polls(),
          lag);
    }
    System.out.println();
    System.out.println(
        "cores busy during the window (process + descendants; host = all processes):");
    for (Result r : results) {
      StringBuilder sb = new StringBuilder();
      r.cores().forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.2f", k, v)));
      double ours = r.cores().values().stream().mapToDouble(Double::doubleValue).sum();
      System.out.printf(
          Locale.ROOT,
          "  c=%-3d%s; other processes %.2f; host %.2f of %d%n",
          r.clients(),
          sb,
          Math.max(0, r.hostCores() - ours),
          r.hostCores(),
          Runtime.getRuntime().availableProcessors());
      if (!r.errorKinds().isEmpty()) {
        System.out.println("        errors: " + r.errorKinds());
      }
    }
    System.out.println();
    for (Result r : results) {
      if (r.clients() == targetC) {
        double rate = r.confirmed() / r.seconds();
        System.out.printf(
            Locale.ROOT,
            "target at c=%d: >= %.0f confirmed/s with p99 < %.0f ms%n",
            targetC,
            targetRate,
            targetP99);
        System.out.printf(
            Locale.ROOT,
            "  measured %.1f confirmed/s = %.2fx the target rate; p99 %d ms = %.2fx the"
                + " p99 budget (%s)%n",
            rate,
            rate / targetRate,
            r.totalMs()[1],
            r.totalMs()[1] / targetP99,
            rate >= targetRate && r.totalMs()[1] < targetP99 ? "MET" : "NOT MET");
      }
    }
  }
}
