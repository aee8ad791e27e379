package dev.microshop.launcher.load;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The outbox of each service the saga crosses, sampled once a second during the measured window
 * through {@code GET /v1/admin/outbox/{service}}: how far behind each relay fell (age of the oldest
 * undelivered message) and how many messages waited. Needs an admin login.
 */
final class OutboxLag {
  static final List<String> SERVICES = List.of("orders", "inventory", "payments", "notifications");

  /** One service's figures over the window: lag max and mean in seconds, most pending and dead. */
  record Figures(double maxLagS, double meanLagS, long maxPending, long maxDead, int samples) {}

  private final Gateway gateway;
  private final String adminToken;
  private final Map<String, double[]> lag = new LinkedHashMap<>();
  private final Map<String, long[]> counts = new LinkedHashMap<>();

  OutboxLag(Gateway gateway, String adminToken) {
    this.gateway = gateway;
    this.adminToken = adminToken;
    for (String s : SERVICES) {
      lag.put(s, new double[] {0, 0}); // max, sum
      counts.put(s, new long[] {0, 0, 0}); // max pending, max dead, samples
    }
  }

  /** One sample of every outbox; a sample that fails is skipped. Called by the printing thread. */
  void sample() {
    Map<String, Future<Gateway.Reply>> replies = new LinkedHashMap<>();
    for (String s : SERVICES) {
      replies.put(s, gateway.get("/v1/admin/outbox/" + s, adminToken));
    }
    replies.forEach(
        (s, f) -> {
          try {
            Gateway.Reply r = f.await(2, TimeUnit.SECONDS);
            if (r.status() == 200) {
              JsonObject b = r.body();
              double l = b.getDouble("lagSeconds", 0.0);
              double[] lags = lag.get(s);
              lags[0] = Math.max(lags[0], l);
              lags[1] += l;
              long[] c = counts.get(s);
              c[0] = Math.max(c[0], b.getLong("pending", 0L));
              c[1] = Math.max(c[1], b.getLong("dead", 0L));
              c[2]++;
            }
          } catch (Exception e) {
            // a missed sample: the others still count
          }
        });
  }

  Map<String, Figures> figures() {
    Map<String, Figures> out = new LinkedHashMap<>();
    for (String s : SERVICES) {
      long[] c = counts.get(s);
      double[] l = lag.get(s);
      out.put(s, new Figures(l[0], c[2] == 0 ? 0 : l[1] / c[2], c[0], c[1], (int) c[2]));
    }
    return out;
  }
}
