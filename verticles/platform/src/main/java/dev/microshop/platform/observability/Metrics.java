package dev.microshop.platform.observability;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.NotificationsApi;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Arrays;
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
          Addresses.ALIVE_PATTERN, Addresses.ALIVE_METRIC_NAME,
          InventoryApi.INVALIDATE_PATTERN, InventoryApi.INVALIDATE_METRIC_NAME);

  /**
   * The bucket bounds of every latency histogram, in seconds: enough to read a p50, p99 and an SLO
   * off, few enough that a scrape of each JVM stays small (Micrometer's default is 69 per series).
   */
  static final double[] LATENCY_BUCKETS = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  /**
   * The registry Vert.x records into, with its filters in place before the first meter: route
   * templates, small histograms. Give it to {@code Vertx.builder().withMetrics(...)}.
   */
  public static MicrometerMetricsFactory factory() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(ROUTE_TEMPLATE).meterFilter(SMALL_HISTOGRAMS);
    return new MicrometerMetricsFactory(registry);
  }

  public static MicrometerMetricsOptions options() {
    MicrometerMetricsOptions options =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .addLabels(Label.HTTP_ROUTE, Label.EB_ADDRESS)
            .setPrometheusOptions(
                new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(false));
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

  /**
   * Latency timers get {@link #LATENCY_BUCKETS}; size summaries (request and response bytes) only a
   * count and a sum.
   */
  static final MeterFilter SMALL_HISTOGRAMS =
      new MeterFilter() {
        @Override
        public DistributionStatisticConfig configure(
            Meter.Id id, DistributionStatisticConfig config) {
          DistributionStatisticConfig.Builder small =
              DistributionStatisticConfig.builder().percentilesHistogram(false).percentiles();
          if (id.getType() == Meter.Type.TIMER) {
            small.serviceLevelObjectives(
                Arrays.stream(LATENCY_BUCKETS).map(seconds -> seconds * 1e9).toArray());
          }
          return small.build().merge(config);
        }
      };

  /**
   * Vert.x labels a request by the routes it passed, joined by '>' ({@code />/v1/orders>/:id}
   * through a sub-router): the label is their concatenation, the template a person reads ({@code
   * /v1/orders/:id}). Never the raw path, so ids stay out of the series.
   */
  static final MeterFilter ROUTE_TEMPLATE =
      MeterFilter.replaceTagValues(Label.HTTP_ROUTE.toString(), Metrics::routeTemplate);

  static String routeTemplate(String route) {
    StringBuilder template = new StringBuilder();
    for (String part : route.split(">")) {
      String trimmed = part.strip();
      while (trimmed.endsWith("/")) {
        trimmed = trimmed.substring(0, trimmed.length() - 1);
      }
      if (!trimmed.isEmpty()) {
        template.append(trimmed.startsWith("/") ? "" : "/").append(trimmed);
      }
    }
    return route.isEmpty() ? route : template.isEmpty() ? "/" : template.toString();
  }

  /**
   * The registry this JVM's Vert.x records into, for microshop's own meters (outbox, breakers); a
   * registry that keeps them nowhere when Vert.x runs without metrics (unit tests).
   */
  public static MeterRegistry registry() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    return registry != null ? registry : NOWHERE;
  }

  private static final MeterRegistry NOWHERE = new SimpleMeterRegistry();

  private Metrics() {}
}
