package dev.microshop.platform.observability;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.NotificationsApi;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.Map;

/**
 * The metrics of a JVM, scraped at {@code /metrics}: JVM, HTTP (by route), pools, and the event bus
 * by address.
 *
 * <p>Event-bus series carry their address, so a stuck consumer or a noisy sender shows up by name.
 * Addresses with a per-user or per-instance segment are folded into one name each ({@link
 * #PER_ENTITY}): a series per user would grow without bound. Counters of a folded family add up,
 * and so do its gauges (handlers, pending): Vert.x keeps one adder per registered gauge id, which
 * is the folded one.
 */
public final class Metrics {
  /** Regular expression of each family of per-entity addresses, and the name its series get. */
  static final Map<String, String> PER_ENTITY =
      Map.of(
          NotificationsApi.STREAM_PATTERN, NotificationsApi.STREAM_METRIC_NAME,
          Addresses.PING_PATTERN, Addresses.PING_METRIC_NAME,
          Addresses.ALIVE_PATTERN, Addresses.ALIVE_METRIC_NAME);

  public static MicrometerMetricsOptions options() {
    MicrometerMetricsOptions options =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .addLabels(Label.HTTP_ROUTE, Label.EB_ADDRESS)
            .setPrometheusOptions(
                new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true));
    PER_ENTITY.forEach(
        (pattern, name) ->
            options.addLabelMatch(
                new Match()
                    .setDomain(MetricsDomain.EVENT_BUS)
                    .setLabel(Label.EB_ADDRESS.toString())
                    .setType(MatchType.REGEX)
                    .setValue(pattern)
                    .setAlias(name)));
    return options;
  }

  private Metrics() {}
}
