package dev.microshop.launcher.load;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** The final figures of a run: a table for people, JSON for machines. */
final class Report {
  private static final double[] PERCENTILES = {50, 90, 99, 99.9};

  private Report() {}

  /** What a run measured. {@code outbox} is null without an admin login. */
  record Result(
      LoadOptions options,
      Stats measured,
      Stats warmup,
      Map<String, OutboxLag.Figures> outbox,
      Map<String, Double> cores,
      long unfinished) {

    double seconds() {
      return options.duration().toMillis() / 1000.0;
    }

    /** Every request answered (429s aside) and every acknowledged order final. */
    boolean clean() {
      return measured.errors() + warmup.errors() == 0
          && measured.notFinal.get() + warmup.notFinal.get() == 0
          && unfinished == 0;
    }
  }

  static void table(Result r, PrintStream out) {
    out.println();
    out.println(r.options().describe());
    out.printf(
        Locale.ROOT,
        "%-12s %8s %9s %7s %6s %9s %9s %9s %9s %9s%n",
        "",
        "count",
        "per s",
        "errors",
        "429s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms");
    for (Series s : r.measured().all()) {
      if (s.count() + s.errors() + s.limitedCount() == 0) {
        continue;
      }
      out.printf(
          Locale.ROOT,
          "%-12s %8d %9.1f %7d %6d %9.1f %9.1f %9.1f %9.1f %9.1f%n",
          s.name,
          s.count(),
          s.count() / r.seconds(),
          s.errors(),
          s.limitedCount(),
          s.ms(50),
          s.ms(90),
          s.ms(99),
          s.ms(99.9),
          s.maxMs());
    }
    Stats m = r.measured();
    if (r.options().scenario() != LoadOptions.Scenario.BROWSE) {
      out.printf(
          Locale.ROOT,
          "orders: %d acknowledged (202), %d confirmed (%.1f/s), %d cancelled, %d not final%n",
          m.acknowledged.get(),
          m.confirmed.get(),
          m.confirmed.get() / r.seconds(),
          m.cancelled.get(),
          m.notFinal.get());
    }
    if (r.outbox() != null) {
      StringBuilder line = new StringBuilder("outbox lag max/mean s (most pending):");
      r.outbox()
          .forEach(
              (s, f) ->
                  line.append(
                      String.format(
                          Locale.ROOT,
                          " %s %.2f/%.2f (%d)",
                          s,
                          f.maxLagS(),
                          f.meanLagS(),
                          f.maxPending())));
      out.println(line);
    }
    if (!r.cores().isEmpty()) {
      StringBuilder line = new StringBuilder("cores busy during the window:");
      r.cores().forEach((p, c) -> line.append(String.format(Locale.ROOT, " %s %.2f", p, c)));
      out.println(
          line.append(" (of ").append(Runtime.getRuntime().availableProcessors()).append(')'));
    }
    for (Series s : r.measured().all()) {
      if (!s.errorKinds().isEmpty()) {
        out.println("errors, " + s.name + ": " + s.errorKinds());
      }
    }
    if (r.warmup().errors() > 0 || r.warmup().notFinal.get() > 0) {
      out.printf(
          Locale.ROOT,
          "warm-up: %d errors, %d orders not final%n",
          r.warmup().errors(),
          r.warmup().notFinal.get());
    }
    if (r.unfinished() > 0) {
      out.printf(Locale.ROOT, "%d operations still unfinished at the end%n", r.unfinished());
    }
    out.println(
        r.options().openLoop()
            ? "latency from each operation's intended start (open loop: queueing in the client counts)"
            : "latency from each operation's actual start (closed loop: service time)");
  }

  static JsonObject json(Result r) {
    LoadOptions o = r.options();
    JsonObject series = new JsonObject();
    for (Series s : r.measured().all()) {
      JsonObject ms = new JsonObject();
      for (double p : PERCENTILES) {
        ms.put("p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)), s.ms(p));
      }
      ms.put("max", s.maxMs());
      series.put(
          s.name.replace(' ', '_'),
          new JsonObject()
              .put("count", s.count())
              .put("perSecond", s.count() / r.seconds())
              .put("errors", s.errors())
              .put("rateLimited", s.limitedCount())
              .put("errorKinds", new JsonObject(Map.copyOf(s.errorKinds())))
              .put("latencyMs", ms));
    }
    Stats m = r.measured();
    JsonObject out =
        new JsonObject()
            .put("scenario", o.scenario().name().toLowerCase(Locale.ROOT))
            .put("gateway", o.gateway().toString())
            .put("loop", o.openLoop() ? "open" : "closed")
            .put("rate", o.openLoop() ? o.rate() : null)
            .put("concurrency", o.openLoop() ? null : o.concurrency())
            .put("durationSeconds", r.seconds())
            .put("warmupSeconds", o.warmup().toMillis() / 1000.0)
            .put(
                "requests",
                m.all().stream()
                    .mapToLong(s -> s == m.toFinal ? 0 : s.count() + s.errors() + s.limitedCount())
                    .sum())
            .put("errors", m.errors())
            .put("rateLimited", m.limited())
            .put("series", series)
            .put(
                "orders",
                new JsonObject()
                    .put("acknowledged", m.acknowledged.get())
                    .put("confirmed", m.confirmed.get())
                    .put("cancelled", m.cancelled.get())
                    .put("notFinal", m.notFinal.get())
                    .put("confirmedPerSecond", m.confirmed.get() / r.seconds()))
            .put(
                "warmup",
                new JsonObject()
                    .put("errors", r.warmup().errors())
                    .put("acknowledged", r.warmup().acknowledged.get())
                    .put("notFinal", r.warmup().notFinal.get()))
            .put("unfinished", r.unfinished())
            .put("clean", r.clean());
    if (!r.cores().isEmpty()) {
      out.put("cores", new JsonObject(new java.util.LinkedHashMap<String, Object>(r.cores())));
    }
    if (r.outbox() != null) {
      JsonObject lag = new JsonObject();
      r.outbox()
          .forEach(
              (s, f) ->
                  lag.put(
                      s,
                      new JsonObject()
                          .put("maxLagSeconds", f.maxLagS())
                          .put("meanLagSeconds", f.meanLagS())
                          .put("maxPending", f.maxPending())
                          .put("maxDead", f.maxDead())));
      out.put("outbox", lag);
    }
    return out;
  }
}
