package dev.microshop.launcher.support;

import dev.microshop.launcher.DevCluster;
import dev.microshop.launcher.DevTls;
import dev.microshop.platform.cluster.Admission;
import dev.microshop.platform.cluster.AdmittingClusterManager;
import dev.microshop.platform.cluster.ClusterFactory;
import dev.microshop.platform.cluster.ClusterTls;
import dev.microshop.platform.config.Settings;
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

  public static Vertx join(TestEnv env) throws Exception {
    JsonObject loaded = Settings.load("gateway", env.env());
    // The same cluster name and CA the service JVMs of this data directory use.
    JsonObject config =
        DevCluster.isDev(loaded)
            ? DevTls.bind(
                DevCluster.bind(loaded), Path.of(loaded.getString("dataDir")), "test-member")
            : loaded;
    ClusterTls tls = ClusterTls.load(config);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    tls.applyTo(options.getEventBusOptions());
    Vertx vertx =
        Vertx.builder()
            .with(options)
            .withClusterManager(
                new AdmittingClusterManager(ClusterFactory.create(config), new Admission(tls)))
            .buildClustered()
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    // Services answer a bad request with field errors in this codec; without it the reply
    // could not be decoded here.
    InvalidRequest.register(vertx.eventBus());
    return vertx;
  }
}
