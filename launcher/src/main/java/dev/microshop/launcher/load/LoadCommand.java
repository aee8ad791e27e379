package dev.microshop.launcher.load;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar launcher.jar load <scenario> ...}: drives a running system through its gateway
 * at a rate or a concurrency, prints a progress line each second and the figures at the end (see
 * {@link LoadOptions#USAGE}).
 */
public final class LoadCommand {
  private LoadCommand() {}

  /** The exit code: 0 clean, 1 errors or an unreachable gateway, 2 bad arguments. */
  public static int run(String[] args, Map<String, String> env) {
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (LoadOptions.BadArgument e) {
      System.err.println("load: " + e.getMessage());
      return 2;
    }
    if (options == null) {
      System.out.print(LoadOptions.USAGE);
      return 0;
    }
    PrintStream progress = options.json() ? System.err : System.out;
    try {
      Report.Result result = execute(options, progress);
      if (options.json()) {
        System.out.println(Report.json(result).encode());
      } else {
        Report.table(result, System.out);
      }
      return result.clean() ? 0 : 1;
    } catch (SetupFailed e) {
      System.err.println("load: " + e.getMessage());
      return 1;
    }
  }

  /** Prepares, drives and measures one run; progress lines go to {@code progress}. */
  static Report.Result execute(LoadOptions o, PrintStream progress) {
    Vertx vertx = Vertx.vertx();
    boolean ordering = o.scenario() != LoadOptions.Scenario.BROWSE;
    int streams = ordering && o.follow() == LoadOptions.Follow.SSE ? o.customers() : 1;
    Gateway gateway =
        new Gateway(
            vertx, o.gateway(), o.connections(), streams, !o.openLoop() && o.honorRetryAfter());
    try (Acknowledged acknowledged = Acknowledged.to(ordering ? o.acknowledged() : null)) {
      progress.println(o.describe());
      Browse browse =
          o.scenario() != LoadOptions.Scenario.ORDER ? Browse.prepare(gateway, o.path()) : null;
      String admin =
          o.adminPasswordFile() == null
              ? null
              : Setup.adminToken(gateway, o.adminPasswordFile(), o.adminEmail());
      Orders orders = null;
      FinalStates finals = null;
      if (ordering) {
        long t0 = System.nanoTime();
        List<String> products = Orders.products(gateway, admin, o.products());
        List<String> customers =
            Customers.tokens(gateway, o.customers(), o.customerPrefix(), o.customerPassword());
        finals = new FinalStates(vertx, gateway, o);
        finals.open(customers);
        orders = new Orders(gateway, products, customers, finals, acknowledged);
        progress.printf(
            Locale.ROOT,
            "setup: %d product(s) %s, %d customers %s-<i>@example.com, final state by %s; %.1f s%n",
            products.size(),
            o.products() > 0 ? "created (price 1, stock 1000000)" : "from the catalog",
            customers.size(),
            o.customerPrefix(),
            o.follow() == LoadOptions.Follow.SSE
                ? "the notification stream"
                : "polling every " + o.pollInterval().toMillis() + " ms",
            (System.nanoTime() - t0) / 1e9);
      }
      Driver.Operation operation = operation(o, browse, orders);
      OutboxLag lag = ordering && admin != null ? new OutboxLag(gateway, admin) : null;
      Stats warmup = new Stats();
      Stats measured = new Stats();
      Driver driver = new Driver(vertx, operation, warmup, measured);
      driver.start(o);
      long drainNs =
          TimeUnit.MILLISECONDS.toNanos(
              o.finalTimeout().toMillis() + Gateway.REQUEST_TIMEOUT_MS + 5000);
      ProcessCpu cpu = o.pids().isEmpty() ? null : new ProcessCpu(o.pids());
      ProcessCpu.Sample cpuFrom = null;
      ProcessCpu.Sample cpuTo = null;
      long startNs = System.nanoTime();
      long tick = startNs;
      long last = startNs;
      while (true) {
        tick += TimeUnit.SECONDS.toNanos(1);
        sleepUntil(tick);
        long now = System.nanoTime();
        boolean inWindow = now <= driver.windowEndNs() && now > driver.windowStartNs();
        if (cpu != null && now >= driver.windowStartNs() && cpuFrom == null) {
          cpuFrom = cpu.sample();
        } else if (cpu != null && inWindow) {
          cpuTo = cpu.sample();
        }
        if (lag != null && inWindow) {
          lag.sample();
        }
        acknowledged.flush();
        Stats shown = now < driver.windowStartNs() ? warmup : measured;
        String phase =
            now < driver.windowStartNs()
                ? "warm-up"
                : now <= driver.windowEndNs() ? "measure" : "drain";
        progress.println(line(now - startNs, phase, shown, warmup, measured, now - last, driver));
        last = now;
        if (now > driver.windowEndNs() && driver.inFlight() == 0) {
          break;
        }
        if (now > driver.windowEndNs() + drainNs) {
          break;
        }
      }
      if (finals != null) {
        finals.close();
      }
      return new Report.Result(
          o,
          measured,
          warmup,
          lag == null ? null : lag.figures(),
          cpuFrom == null || cpuTo == null ? Map.of() : ProcessCpu.cores(cpuFrom, cpuTo),
          driver.inFlight());
    } finally {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing is best effort: the figures are already taken
      }
    }
  }

  private static Driver.Operation operation(LoadOptions o, Browse browse, Orders orders) {
    return switch (o.scenario()) {
      case BROWSE -> browse::once;
      case ORDER -> orders::once;
      case MIXED ->
          (intended, stats) ->
              ThreadLocalRandom.current().nextDouble() < o.orderShare()
                  ? orders.once(intended, stats)
                  : browse.once(intended, stats);
    };
  }

  /** {@code [ 7 s] measure | browse 98.0/s p50 1.9 p99 7.4 ms | errors 0 | 429s 0 | in flight 3} */
  private static String line(
      long elapsedNs,
      String phase,
      Stats shown,
      Stats warmup,
      Stats measured,
      long sinceNs,
      Driver driver) {
    StringJoiner out = new StringJoiner(" | ");
    out.add(String.format(Locale.ROOT, "[%3d s] %-7s", Math.round(elapsedNs / 1e9), phase));
    for (Stats stats : List.of(warmup, measured)) {
      for (Series s : stats.all()) {
        long since = s.roll();
        if (stats == shown && s.count() + s.errors() + s.limitedCount() > 0) {
          out.add(
              String.format(
                  Locale.ROOT,
                  "%s %.1f/s p50 %.1f p99 %.1f ms",
                  s.name,
                  since * 1e9 / sinceNs,
                  s.ms(50),
                  s.ms(99)));
        }
      }
    }
    out.add("errors " + shown.errors());
    out.add("429s " + shown.limited());
    out.add("in flight " + driver.inFlight());
    return out.toString();
  }

  private static void sleepUntil(long nanoTime) {
    long ms = TimeUnit.NANOSECONDS.toMillis(nanoTime - System.nanoTime());
    if (ms > 0) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SetupFailed("interrupted");
      }
    }
  }
}
