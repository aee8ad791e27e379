package dev.microshop.platform.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.hazelcast.config.JoinConfig;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.SettingsRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * How {@link ClusterFactory} tells Hazelcast to find the other members: the listed ones, or the
 * addresses of a DNS name (Kubernetes' headless Service). Members meeting by DNS for real: the
 * lab's Kubernetes-join scenario in LabClusterIT.
 */
class ClusterJoinTest {
  // The repository's own file (the module runs from verticles/platform).
  private static final String REPO_CLUSTER_XML =
      Path.of("../../cluster.xml").toAbsolutePath().normalize().toString();

  private static JsonObject config(String join, String serviceDns) {
    return new JsonObject()
        .put("service", "orders")
        .put(
            "cluster",
            new JsonObject()
                .put("name", "join-test")
                .put("host", "127.0.0.1")
                .put("allowPublicHost", false)
                .put("port", 5801)
                .put("members", new JsonArray().add("127.0.0.1:5801").add("127.0.0.1:5802"))
                .put("join", join)
                .put("serviceDns", serviceDns)
                .put("configFile", REPO_CLUSTER_XML));
  }

  private static JoinConfig joinOf(JsonObject config) {
    return ClusterFactory.create(config).getConfig().getNetworkConfig().getJoin();
  }

  @Test
  void membersJoinsTheListOverTcpIpAndNothingElse() {
    JoinConfig join = joinOf(config("members", ""));

    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers())
        .containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  void dnsLooksUpTheServiceNameOnTheClusterPortAndIgnoresTheList() {
    JoinConfig join = joinOf(config("dns", "microshop-cluster.shop.svc.cluster.local"));

    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns"))
        .isEqualTo("microshop-cluster.shop.svc.cluster.local");
    assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5801");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
  }

  @Test
  void dnsWithoutANameIsAStartupErrorNamingTheSetting() {
    Throwable thrown = catchThrowable(() -> SettingsRules.validate(config("dns", " ")));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).key()).isEqualTo("cluster.serviceDns");
    assertThat(thrown.getMessage()).contains("cluster.join is dns");
  }

  @Test
  void anUnknownJoinIsAStartupErrorListingTheChoices() {
    Throwable thrown = catchThrowable(() -> SettingsRules.validate(config("multicast", "")));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).key()).isEqualTo("cluster.join");
    assertThat(thrown.getMessage()).contains("[members, dns]");
  }
}
