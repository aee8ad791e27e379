package dev.microshop.platform.cluster;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Hazelcast cluster manager from cluster.xml. The file is loaded strictly: Vert.x's own
 * loader falls back silently to a multicast "dev" cluster on the first NIC when a path is wrong
 * (VERTX5-NOTES §7).
 */
public final class ClusterFactory {
  private static final String BUNDLED = "microshop/cluster.xml";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterFactory.class);

  private ClusterFactory() {}

  public static HazelcastClusterManager create(JsonObject config) {
    ClusterHost.requirePrivate(config);
    JsonObject cluster = config.getJsonObject("cluster");
    Config hz = load(cluster.getString("configFile"));
    hz.setClusterName(cluster.getString("name"));
    hz.setProperty("hazelcast.logging.type", "slf4j");
    ServiceLoader.load(MemberConfigContributor.class, ClusterFactory.class.getClassLoader())
        .forEach(contributor -> contributor.contribute(hz));
    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(cluster.getInteger("port")).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).setInterfaces(List.of(cluster.getString("host")));
    join(network.getJoin(), cluster);
    return new HazelcastClusterManager(hz);
  }

  /**
   * How a member finds the others: the listed members (TCP-IP), or on Kubernetes the addresses a
   * DNS lookup of a headless Service returns, each tried on {@code cluster.port}. The DNS lookup is
   * built into Hazelcast and needs no API permissions; it uses the JVM's resolver, so a hosts file
   * ({@code -Djdk.net.hosts.file}) can stand in for cluster DNS in a test.
   */
  private static void join(JoinConfig join, JsonObject cluster) {
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if ("dns".equals(cluster.getString("join"))) {
      LOG.info(
          "joining cluster {} by the addresses DNS gives for {}, each on port {}",
          cluster.getString("name"),
          cluster.getString("serviceDns"),
          cluster.getInteger("port"));
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", cluster.getString("serviceDns"))
          .setProperty("service-port", String.valueOf(cluster.getInteger("port")));
    } else {
      join.getKubernetesConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(members(cluster));
    }
  }

  private static List<String> members(JsonObject cluster) {
    return cluster.getJsonArray("members").stream().map(String::valueOf).toList();
  }

  private static Config load(String file) {
    Path path = Path.of(file);
    try {
      if (Files.exists(path)) {
        return Config.loadFromFile(path.toFile());
      }
      if (!file.equals("cluster.xml")) {
        throw new ConfigException(
            "cluster.configFile", "file " + path.toAbsolutePath() + " does not exist");
      }
      return new ClasspathXmlConfig(BUNDLED);
    } catch (FileNotFoundException e) {
      throw new ConfigException(
          "cluster.configFile", "file " + path.toAbsolutePath() + " does not exist");
    } catch (InvalidConfigurationException | IllegalArgumentException e) {
      throw new ConfigException(
          "cluster.configFile", file + " is not a valid Hazelcast config: " + e.getMessage());
    }
  }
}
