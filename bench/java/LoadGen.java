import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A closed-loop HTTP/1.1 load generator: N keep-alive connections, each with exactly one request in
 * flight (no pipelining), like wrk. Latency is the time from sending a request to having its whole
 * response; percentiles come from the sorted latencies of every request that completed inside the
 * measured window (no histogram bucketing). Being closed-loop, it reports service time under load,
 * not latency at a fixed arrival rate.
 *
 * <p>It measures several targets, interleaved: for each round, for each connection count, each
 * target gets a warm-up and then a measured window, so slow drift of a shared machine hits every
 * target alike. It also samples the CPU time of each target's processes (with their descendants,
 * e.g. PostgreSQL backends), of itself, and of the whole host, so a figure can be read against what
 * else was running.
 *
 * <pre>
 * java -cp launcher.jar:classes LoadGen --prewarm 30 --warmup 5 --duration 10 --connections 16,64 --rounds 3 \
 *     --target 'hello|http://127.0.0.1:8081/hello|server=1234' \
 *     --target 'catalog|http://127.0.0.1:8080/v1/products/ID|gateway=2345,inventory=3456' \
 *     --ratio catalog/hello --goal catalog/hello=0.6
 * </pre>
 *
 * A target is {@code name|url|process=pid,...}; the processes are optional, and a process's CPU
 * time includes its descendants' (PostgreSQL's backends). {@code --prewarm S} first drives each
 * target for S seconds at the largest connection count: a JVM with as much code as a microshop
 * service keeps its C2 compiler busy for a minute or more under load, so a few seconds of warm-up
 * would measure the compiler. Exit code 0 when every run completed (errors are counted and printed,
 * not fatal); 1 when a target answered nothing in some window.
 */
public final class LoadGen {
  private static final long REQUEST_TIMEOUT_MS = 5000;

  record Target(String name, URI uri, Map<String, Long> processes) {}

  record Ratio(String numerator, String denominator) {}

  /** One measured window of one target at one connection count. */
  record Run(
      int round,
      String target,
      int connections,
      double seconds,
      long completed,
      double reqPerSec,
      long p50Ns,
      long p90Ns,
      long p99Ns,
      long maxNs,
      long errors,
      Map<String, Long> errorKinds,
      long warmupErrors,
      double targetCores,
      double loadgenCores,
      double hostCores,
      Map<String, Double> cpuUsPerRequest) {

    /**
     * Cores busy on the host outside the target and the load generator: other work on a shared
     * machine.
     */
    double otherCores() {
      return Math.max(0, hostCores - targetCores - loadgenCores);
    }

    double totalCpuUs() {
      return cpuUsPerRequest.values().stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, List<String>> opts = parse(args);
    int warmupS = Integer.parseInt(one(opts, "warmup", "5"));
    int durationS = Integer.parseInt(one(opts, "duration", "10"));
    int rounds = Integer.parseInt(one(opts, "rounds", "1"));
    int prewarmS = Integer.parseInt(one(opts, "prewarm", "0"));
    int threads = Integer.parseInt(one(opts, "threads", "2"));
    List<Integer> levels =
        Arrays.stream(one(opts, "connections", "16,64").split(","))
            .map(String::trim)
            .map(Integer::parseInt)
            .toList();
    List<Target> targets =
        opts.getOrDefault("target", List.of()).stream().map(LoadGen::target).toList();
    List<Ratio> ratios =
        opts.getOrDefault("ratio", List.of()).stream()
            .map(
                r -> {
                  String[] p = r.split("/");
                  return new Ratio(p[0], p[1]);
                })
            .toList();
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no --target given");
    }

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads));
    List<Run> runs = new ArrayList<>();
    int most = levels.stream().mapToInt(Integer::intValue).max().getAsInt();
    System.out.printf(
        Locale.ROOT,
        "load: %d round(s); per target and connection count %d s warm-up, %d s measured;"
            + " %d client event-loop thread(s); HTTP/1.1 keep-alive, one request in flight per connection%n",
        rounds,
        warmupS,
        durationS,
        threads);
    if (prewarmS > 0) {
      System.out.printf(
          Locale.ROOT,
          "first, each target is driven for %d s at %d connections so the JIT compilers"
              + " settle (round 'warm': its last 5 s, not used below)%n",
          prewarmS,
          most);
    }
    System.out.println();
    header();
    try {
      if (prewarmS > 0) {
        for (Target target : targets) {
          row(
              measure(
                  vertx,
                  0,
                  target,
                  most,
                  threads,
                  Math.max(0, prewarmS - 5),
                  Math.min(5, prewarmS)));
        }
      }
      for (int round = 1; round <= rounds; round++) {
        for (int connections : levels) {
          for (int i = 0; i < targets.size(); i++) {
            // Rotated per round, so no target always runs right after the same neighbour.
            Target target = targets.get((i + round - 1) % targets.size());
            Run run = measure(vertx, round, target, connections, threads, warmupS, durationS);
            runs.add(run);
            row(run);
          }
        }
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    Ratio goal = null;
    double goalRatio = 0;
    if (opts.containsKey("goal")) {
      String[] g = one(opts, "goal", "").split("=");
      String[] p = g[0].split("/");
      goal = new Ratio(p[0], p[1]);
      goalRatio = Double.parseDouble(g[1]);
    }
    summary(runs, targets, levels, ratios, goal, goalRatio, rounds);
    boolean silent = runs.stream().anyMatch(r -> r.completed() == r.errors());
    System.exit(silent ? 1 : 0);
  }

  private static Run measure(
      Vertx vertx,
      int round,
      Target target,
      int connections,
      int threads,
      int warmupS,
      int durationS)
      throws Exception {
    long start = System.nanoTime();
    long warmupEnd = start + TimeUnit.SECONDS.toNanos(warmupS);
    long measureEnd = warmupEnd + TimeUnit.SECONDS.toNanos(durationS);
    int workers = Math.min(threads, connections);
    List<Worker> all = new ArrayList<>();
    List<Future<String>> deployed = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int share = connections / workers + (w < connections % workers ? 1 : 0);
      Worker worker = new Worker(target.uri(), share, warmupEnd, measureEnd);
      all.add(worker);
      deployed.add(vertx.deployVerticle(worker, new DeploymentOptions()));
    }
    Future.all(deployed).await(30, TimeUnit.SECONDS);

    sleepUntil(warmupEnd);
    Cpu before = Cpu.sample(target.processes());
    sleepUntil(measureEnd);
    Cpu after = Cpu.sample(target.processes());
    Future.all(all.stream().map(Worker::finished).toList())
        .await(REQUEST_TIMEOUT_MS + 5000, TimeUnit.MILLISECONDS);
    for (Future<String> id : deployed) {
      vertx.undeploy(id.result()).await(10, TimeUnit.SECONDS); // closes the connections
    }

    long errors = 0;
    long warmupErrors = 0;
    Map<String, Long> kinds = new TreeMap<>();
    int n = 0;
    for (Worker w : all) {
      n += w.count;
    }
    long[] latencies = new long[n];
    int at = 0;
    for (Worker w : all) {
      System.arraycopy(w.latencies, 0, latencies, at, w.count);
      at += w.count;
      errors += w.errors;
      warmupErrors += w.warmupErrors;
      w.errorKinds.forEach((k, v) -> kinds.merge(k, v, Long::sum));
    }
    long completed = n + errors;
    Arrays.sort(latencies);
    double seconds = (measureEnd - warmupEnd) / 1e9;
    double wall = (after.wallNs - before.wallNs) / 1e9;
    return new Run(
        round,
        target.name(),
        connections,
        seconds,
        completed,
        n / seconds,
        percentile(latencies, 0.50),
        percentile(latencies, 0.90),
        percentile(latencies, 0.99),
        latencies.length == 0 ? 0 : latencies[latencies.length - 1],
        errors,
        kinds,
        warmupErrors,
        (after.targetNs() - before.targetNs()) / 1e9 / wall,
        (after.selfNs - before.selfNs) / 1e9 / wall,
        after.hostBusyCores(before),
        after.usPerRequest(before, n));
  }

  /** Nearest rank: the smallest latency with at least q of all latencies at or below it. */
  private static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  /**
   * The connections of one event-loop thread. A minimal HTTP/1.1 client on raw sockets: the request
   * is bytes encoded once, and a response is framed by its Content-Length (or chunked encoding), so
   * the generator spends a few microseconds of CPU per request (Vert.x's HttpClient spent about
   * twice wrk's CPU per request here, CPU that the servers on this 2-core box then lack).
   */
  static final class Worker extends VerticleBase {
    private final URI uri;
    private final int connections;
    private final long warmupEnd;
    private final long measureEnd;
    private final Promise<Void> done = Promise.promise();
    private final List<Conn> conns = new ArrayList<>();
    private NetClient client;
    private Buffer request;
    private long watchdog;
    private int running;
    long[] latencies = new long[1 << 16];
    int count;
    long errors;
    long warmupErrors;
    final Map<String, Long> errorKinds = new TreeMap<>();

    Worker(URI uri, int connections, long warmupEnd, long measureEnd) {
      this.uri = uri;
      this.connections = connections;
      this.warmupEnd = warmupEnd;
      this.measureEnd = measureEnd;
    }

    Future<Void> finished() {
      return done.future();
    }

    @Override
    public Future<?> start() {
      client =
          vertx.createNetClient(
              new NetClientOptions()
                  .setTcpNoDelay(true)
                  .setConnectTimeout((int) REQUEST_TIMEOUT_MS));
      String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      request =
          Buffer.buffer(
              "GET "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + uri.getHost()
                  + ":"
                  + uri.getPort()
                  + "\r\n\r\n");
      running = connections;
      for (int i = 0; i < connections; i++) {
        Conn conn = new Conn();
        conns.add(conn);
        conn.connect();
      }
      watchdog =
          vertx.setPeriodic(
              250,
              t -> {
                long now = System.nanoTime();
                for (Conn conn : conns) {
                  if (conn.sentAt != 0
                      && now - conn.sentAt > TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS)) {
                    conn.fail("timeout after " + REQUEST_TIMEOUT_MS + " ms");
                  }
                }
              });
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      vertx.cancelTimer(watchdog);
      return client.close();
    }

    private void error(String kind) {
      long now = System.nanoTime();
      if (now >= warmupEnd && now < measureEnd) {
        errors++;
        errorKinds.merge(kind, 1L, Long::sum);
      } else if (now < warmupEnd) {
        warmupErrors++;
      }
    }

    private void record(long ns) {
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = ns;
    }

    /** One keep-alive connection with at most one request in flight; reconnects after a failure. */
    final class Conn {
      private NetSocket socket;
      private Buffer pending;
      long sentAt;
      private boolean finished;

      void connect() {
        if (finish()) {
          return;
        }
        client
            .connect(uri.getPort(), uri.getHost())
            .onComplete(
                ar -> {
                  if (ar.failed()) {
                    error(describe(ar.cause()));
                    vertx.setTimer(
                        10, t -> connect()); // a refused connect fails in microseconds: do not spin
                    return;
                  }
                  socket = ar.result();
                  socket.handler(this::received);
                  socket.closeHandler(v -> closed());
                  socket.exceptionHandler(
                      e -> {}); // reported by closeHandler, which always follows
                  send();
                });
      }

      private boolean finish() {
        if (!finished && System.nanoTime() >= measureEnd) {
          finished = true;
          if (socket != null) {
            socket.close();
          }
          if (--running == 0) {
            done.tryComplete();
          }
        }
        return finished;
      }

      private void send() {
        if (finish()) {
          return;
        }
        pending = null;
        sentAt = System.nanoTime();
        socket.write(request);
      }

      private void received(Buffer data) {
        if (sentAt == 0) {
          fail("bytes received with no request in flight");
          return;
        }
        if (pending == null) {
          pending = data;
        } else {
          pending = pending.copy().appendBuffer(data);
        }
        long framed = frame(pending);
        if (framed == INCOMPLETE) {
          return;
        }
        if (framed < 0) {
          fail(
              framed == UNFRAMED
                  ? "response without Content-Length or chunked encoding"
                  : "malformed response");
          return;
        }
        long end = System.nanoTime();
        long latency = end - sentAt;
        sentAt = 0;
        int status = (int) (framed >>> 32) & 0xffff;
        int length = (int) framed;
        boolean extra = pending.length() > length;
        boolean close = (framed & CLOSE) != 0;
        if (status == 200 && !extra) {
          if (end >= warmupEnd && end < measureEnd) {
            record(latency);
          }
        } else {
          error(extra ? "bytes beyond the response" : "HTTP " + status);
        }
        if (extra || close) {
          socket.closeHandler(null);
          socket.close();
          socket = null;
          connect();
        } else {
          send();
        }
      }

      void fail(String kind) {
        error(kind);
        sentAt = 0;
        if (socket != null) {
          NetSocket s = socket;
          socket = null;
          s.closeHandler(null);
          s.close();
        }
        vertx.setTimer(10, t -> connect());
      }

      private void closed() {
        socket = null;
        if (sentAt != 0) {
          error("connection closed with a request in flight");
          sentAt = 0;
        }
        if (!finished) {
          vertx.setTimer(10, t -> connect());
        }
      }
    }
  }

  private static final long INCOMPLETE = -1;
  private static final long MALFORMED = -2;
  private static final long UNFRAMED = -3;

  /** Set in a framed result when the server asked to close the connection after this response. */
  private static final long CLOSE = 1L << 48;

  /**
   * Frames one HTTP/1.1 response at the start of {@code b}: {@code status << 32 | length in bytes},
   * plus CLOSE when it carries {@code Connection: close}; or INCOMPLETE, MALFORMED or UNFRAMED.
   */
  static long frame(Buffer b) {
    int n = b.length();
    int headerEnd = -1;
    for (int i = 3; i < n; i++) {
      if (b.getByte(i) == '\n'
          && b.getByte(i - 1) == '\r'
          && b.getByte(i - 2) == '\n'
          && b.getByte(i - 3) == '\r') {
        headerEnd = i + 1;
        break;
      }
    }
    if (headerEnd < 0) {
      return INCOMPLETE;
    }
    if (headerEnd < 16 || b.getByte(0) != 'H' || b.getByte(8) != ' ') {
      return MALFORMED;
    }
    int status = (b.getByte(9) - '0') * 100 + (b.getByte(10) - '0') * 10 + (b.getByte(11) - '0');
    String head = b.getString(0, headerEnd, "ISO-8859-1").toLowerCase(Locale.ROOT);
    long flags = (long) status << 32 | (head.contains("\r\nconnection: close") ? CLOSE : 0);
    int cl = head.indexOf("\r\ncontent-length:");
    if (cl >= 0) {
      int from = cl + 17;
      int to = head.indexOf('\r', from);
      long length = headerEnd + Long.parseLong(head.substring(from, to).trim());
      return n < length ? INCOMPLETE : flags | length;
    }
    if (head.contains("\r\ntransfer-encoding: chunked")) {
      int at = headerEnd;
      while (true) {
        int lineEnd = -1;
        for (int i = at + 1; i < n; i++) {
          if (b.getByte(i) == '\n' && b.getByte(i - 1) == '\r') {
            lineEnd = i + 1;
            break;
          }
        }
        if (lineEnd < 0) {
          return INCOMPLETE;
        }
        String size = b.getString(at, lineEnd - 2, "ISO-8859-1");
        int semi = size.indexOf(';');
        int chunk;
        try {
          chunk = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        } catch (NumberFormatException e) {
          return MALFORMED;
        }
        at = lineEnd + chunk + 2; // no trailers are expected after the last chunk
        if (n < at) {
          return INCOMPLETE;
        }
        if (chunk == 0) {
          return flags | at;
        }
      }
    }
    return status == 204 || status == 304 || status / 100 == 1 ? flags | headerEnd : UNFRAMED;
  }

  private static String describe(Throwable e) {
    String message = String.valueOf(e.getMessage());
    return e.getClass().getSimpleName()
        + ": "
        + (message.length() > 60 ? message.substring(0, 60) : message);
  }

  /**
   * CPU time of the target's processes (and descendants), of this JVM, and busy time of the whole
   * host.
   */
  record Cpu(long wallNs, Map<String, Long> processNs, long selfNs, long hostTotal, long hostIdle) {
    static Cpu sample(Map<String, Long> processes) {
      Map<String, Long> ns = new LinkedHashMap<>();
      processes.forEach(
          (name, pid) ->
              ns.put(
                  name,
                  ProcessHandle.of(pid)
                      .map(root -> cpu(root) + root.descendants().mapToLong(Cpu::cpu).sum())
                      .orElse(0L)));
      long[] host = host();
      return new Cpu(System.nanoTime(), ns, cpu(ProcessHandle.current()), host[0], host[1]);
    }

    long targetNs() {
      return processNs.values().stream().mapToLong(Long::longValue).sum();
    }

    /** CPU microseconds per successful request, per process. */
    Map<String, Double> usPerRequest(Cpu before, long requests) {
      Map<String, Double> us = new LinkedHashMap<>();
      processNs.forEach(
          (name, ns) ->
              us.put(
                  name,
                  requests == 0 ? Double.NaN : (ns - before.processNs.get(name)) / 1e3 / requests));
      return us;
    }

    private static long cpu(ProcessHandle p) {
      return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** Jiffies from the first line of /proc/stat: total, and idle + iowait. */
    private static long[] host() {
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

    double hostBusyCores(Cpu before) {
      long total = hostTotal - before.hostTotal;
      return total <= 0
          ? Double.NaN
          : (double) (total - (hostIdle - before.hostIdle))
              / total
              * Runtime.getRuntime().availableProcessors();
    }
  }

  private static void header() {
    System.out.printf(
        Locale.ROOT,
        "%-5s %-10s %5s %10s %9s %9s %9s %9s %8s %20s%n",
        "round",
        "target",
        "conns",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "errors",
        "CPU tgt/load/other");
  }

  private static void row(Run r) {
    System.out.printf(
        Locale.ROOT,
        "%-5s %-10s %5d %10.0f %9.2f %9.2f %9.2f %9.1f %8d %20s%n",
        r.round() == 0 ? "warm" : Integer.toString(r.round()),
        r.target(),
        r.connections(),
        r.reqPerSec(),
        ms(r.p50Ns()),
        ms(r.p90Ns()),
        ms(r.p99Ns()),
        ms(r.maxNs()),
        r.errors(),
        String.format(
            Locale.ROOT, "%.2f/%.2f/%.2f", r.targetCores(), r.loadgenCores(), r.otherCores()));
    if (!r.cpuUsPerRequest().isEmpty()) {
      System.out.println("      CPU per request: " + cpu(r.cpuUsPerRequest(), r.totalCpuUs()));
    }
    if (r.errors() > 0) {
      System.out.println("      errors: " + r.errorKinds());
    }
    if (r.warmupErrors() > 0) {
      System.out.println("      (" + r.warmupErrors() + " errors during the warm-up, not counted)");
    }
  }

  private static void summary(
      List<Run> runs,
      List<Target> targets,
      List<Integer> levels,
      List<Ratio> ratios,
      Ratio goal,
      double goalRatio,
      int rounds) {
    System.out.println();
    System.out.println(rounds > 1 ? "median of " + rounds + " rounds:" : "summary:");
    System.out.printf(
        Locale.ROOT,
        "%-10s %5s %10s %9s %9s %8s %14s%n",
        "target",
        "conns",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "CPU us/req");
    for (int c : levels) {
      for (Target t : targets) {
        List<Run> rs = select(runs, t.name(), c);
        System.out.printf(
            Locale.ROOT,
            "%-10s %5d %10.0f %9.2f %9.2f %8d %14.0f%n",
            t.name(),
            c,
            median(rs.stream().mapToDouble(Run::reqPerSec).toArray()),
            median(rs.stream().mapToDouble(r -> ms(r.p50Ns())).toArray()),
            median(rs.stream().mapToDouble(r -> ms(r.p99Ns())).toArray()),
            rs.stream().mapToLong(Run::errors).sum(),
            median(rs.stream().mapToDouble(Run::totalCpuUs).toArray()));
      }
    }
    double other =
        median(runs.stream().filter(r -> r.round() > 0).mapToDouble(Run::otherCores).toArray());
    double worst =
        runs.stream().filter(r -> r.round() > 0).mapToDouble(Run::otherCores).max().orElse(0);
    if (worst > 0.25) {
      System.out.printf(
          Locale.ROOT,
          "WARNING: other processes kept %.2f cores busy in the median window (%.2f at"
              + " worst) of %d: those windows measured a machine shared with other work%n",
          other,
          worst,
          Runtime.getRuntime().availableProcessors());
    }
    System.out.println();
    if (ratios.isEmpty()) {
      return;
    }
    System.out.println(
        "ratios (throughput: req/s of the first / req/s of the second; p50, p99 and CPU per request:"
            + " first / second"
            + (rounds > 1 ? "; median of the per-round ratios, range in brackets)" : ")"));
    Map<Integer, Double> goalValues = new TreeMap<>();
    for (Ratio ratio : ratios) {
      for (int c : levels) {
        List<Run> num = select(runs, ratio.numerator(), c);
        List<Run> den = select(runs, ratio.denominator(), c);
        double[] tput = new double[Math.min(num.size(), den.size())];
        double[] p50 = new double[tput.length];
        double[] p99 = new double[tput.length];
        double[] cpu = new double[tput.length];
        for (int i = 0; i < tput.length; i++) {
          tput[i] = num.get(i).reqPerSec() / den.get(i).reqPerSec();
          p50[i] = (double) num.get(i).p50Ns() / den.get(i).p50Ns();
          p99[i] = (double) num.get(i).p99Ns() / den.get(i).p99Ns();
          cpu[i] = num.get(i).totalCpuUs() / den.get(i).totalCpuUs();
        }
        System.out.printf(
            Locale.ROOT,
            "  %-18s %3d conns: throughput %s   p50 %s   p99 %s   CPU/req %s%n",
            ratio.numerator() + " / " + ratio.denominator(),
            c,
            fmt(tput, "%.2f"),
            fmt(p50, "%.1fx"),
            fmt(p99, "%.1fx"),
            fmt(cpu, "%.1fx"));
        if (ratio.equals(goal)) {
          goalValues.put(c, median(tput));
        }
      }
    }
    if (goal != null) {
      boolean met = goalValues.values().stream().allMatch(v -> v >= goalRatio);
      System.out.printf(
          Locale.ROOT,
          "%ngoal: %s throughput >= %.2f x %s at every connection count: %s (%s)%n",
          goal.numerator(),
          goalRatio,
          goal.denominator(),
          met ? "MET" : "NOT MET",
          goalValues.entrySet().stream()
              .map(e -> String.format(Locale.ROOT, "%.2f at %d", e.getValue(), e.getKey()))
              .collect(Collectors.joining(", ")));
    }
  }

  private static String cpu(Map<String, Double> us, double total) {
    StringBuilder out = new StringBuilder();
    us.forEach((name, v) -> out.append(name).append(String.format(Locale.ROOT, " %.0f us, ", v)));
    return out.append(String.format(Locale.ROOT, "total %.0f us", total)).toString();
  }

  private static List<Run> select(List<Run> runs, String target, int connections) {
    return runs.stream()
        .filter(r -> r.round() > 0 && r.target().equals(target) && r.connections() == connections)
        .sorted((a, b) -> Integer.compare(a.round(), b.round()))
        .toList();
  }

  private static String fmt(double[] values, String format) {
    String m = String.format(Locale.ROOT, format, median(values));
    if (values.length < 2) {
      return m;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    return m
        + String.format(Locale.ROOT, " [" + format + "-" + format + "]", s[0], s[s.length - 1]);
  }

  private static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int mid = s.length / 2;
    return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  }

  private static double ms(long ns) {
    return ns / 1e6;
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000));
    }
  }

  private static Target target(String spec) {
    String[] parts = spec.split("\\|", -1);
    Map<String, Long> processes = new LinkedHashMap<>();
    if (parts.length > 2 && !parts[2].isBlank()) {
      for (String process : parts[2].split(",")) {
        String[] kv = process.trim().split("=");
        processes.put(kv[0], Long.parseLong(kv[1]));
      }
    }
    return new Target(parts[0], URI.create(parts[1]), processes);
  }

  private static Map<String, List<String>> parse(String[] args) {
    Map<String, List<String>> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      opts.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[++i]);
    }
    return opts;
  }

  private static String one(Map<String, List<String>> opts, String name, String fallback) {
    List<String> values = opts.get(name);
    return values == null ? fallback : values.get(values.size() - 1);
  }
}
