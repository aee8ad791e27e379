package dev.microshop.platform.cluster;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.NetworkConfig;
import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Builds the Hazelcast cluster manager from cluster.xml. The file is loaded strictly: Vert.x's own
 * loader falls back silently to a multicast "dev" cluster on the first NIC when a path is wrong
 * (VERTX5-NOTES §7).
 */
public final class ClusterFactory {
  private static final String BUNDLED = "microshop/cluster.xml";

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
    network.getJoin().getMulticastConfig().setEnabled(false);
    network.getJoin().getTcpIpConfig().setEnabled(true).setMembers(members(cluster));
    return new HazelcastClusterManager(hz);
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
