package dev.microshop.launcher.support;

import dev.microshop.launcher.DevCluster;
import dev.microshop.launcher.DevTls;
import dev.microshop.platform.cluster.Admission;
import dev.microshop.platform.cluster.AdmittingClusterManager;
import dev.microshop.platform.cluster.ClusterFactory;
import dev.microshop.platform.cluster.ClusterTls;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.messaging.BusGuard;
import dev.microshop.platform.messaging.InvalidRequest;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The test JVM itself as a member of a test's cluster: a real clustered event bus to send requests
 * on, with a certificate of the installation's dev CA like every service JVM.
 */
public final class ClusterMember {
  private ClusterMember() {}

  /** Joins as the gateway would: what the tests send here, the gateway sends. */
  public static Vertx join(TestEnv env) throws Exception {
    return join(env, "gateway");
  }

  /**
   * Joins with a certificate of the dev CA whose common name is {@code service}: a member of that
   * service, held to what {@link dev.microshop.contracts.BusPolicy} lets it do.
   */
  public static Vertx join(TestEnv env, String service) throws Exception {
    JsonObject loaded = Settings.load("gateway", env.env());
    // The same cluster name and CA the service JVMs of this data directory use.
    JsonObject config =
        DevCluster.isDev(loaded)
            ? DevTls.bind(DevCluster.bind(loaded), Path.of(loaded.getString("dataDir")), service)
            : loaded;
    ClusterTls tls = ClusterTls.load(config);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    tls.applyTo(options.getEventBusOptions());
    AdmittingClusterManager cluster =
        new AdmittingClusterManager(ClusterFactory.create(config), new Admission(tls));
    Vertx vertx =
        Vertx.builder()
            .with(options)
            .withClusterManager(cluster)
            .buildClustered()
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    // Services answer a bad request with field errors in this codec; without it the reply
    // could not be decoded here.
    InvalidRequest.register(vertx.eventBus());
    BusGuard.install(vertx, cluster);
    return vertx;
  }
}
