package dev.microshop.platform.service;

import com.hazelcast.core.HazelcastInstance;
import dev.microshop.platform.cluster.Discovery;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * What a JVM shares with the service verticles it runs: the management endpoint (for readiness
 * checks), service discovery, and the identity of the node.
 *
 * @param config the JVM-level config (cluster, management, tracing)
 * @param clustered false in the single-JVM modular monolith ({@code all})
 * @param endpoints public URLs verticles announce (the gateway's), reported in the node's ready
 *     line
 * @param hazelcast the cluster's Hazelcast instance (for cluster-wide rate limits), null when not
 *     clustered
 */
public record Platform(
    JsonObject config,
    Management management,
    Discovery discovery,
    String nodeId,
    boolean clustered,
    String managementUrl,
    Map<String, String> endpoints,
    HazelcastInstance hazelcast) {

  /**
   * Delivery options with the configured short send timeout: the 30 s Vert.x default is never used.
   */
  public DeliveryOptions delivery() {
    return new DeliveryOptions()
        .setSendTimeout(config.getJsonObject("bus").getLong("requestTimeoutMs"));
  }

  public String version() {
    return config.getString("version");
  }
}
