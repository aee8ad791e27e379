package dev.microshop.platform.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterHostTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.20",
        "169.254.10.1",
        "100.64.0.1",
        "100.127.255.255",
        "::1",
        "fc00::1",
        "fd12:3456:789a::1",
        "fe80::1",
        "febf::1",
        "::ffff:10.1.2.3"
      })
  void loopbackRfc1918LinkLocalCgnatAndUniqueLocalArePrivate(String ip) throws Exception {
    assertThat(ClusterHost.isPrivate(InetAddress.getByName(ip))).as(ip).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "8.8.8.8",
        "1.1.1.1",
        "9.255.255.255",
        "11.0.0.1",
        "172.15.255.255",
        "172.32.0.1",
        "192.167.1.1",
        "192.169.0.1",
        "100.63.255.255",
        "100.128.0.1",
        "169.253.0.1",
        "0.0.0.0",
        "::",
        "2001:4860:4860::8888",
        "fec0::1",
        "fbff::1",
        "fe00::1",
        "::ffff:8.8.8.8"
      })
  void publicAndWildcardAddressesAreNot(String ip) throws Exception {
    assertThat(ClusterHost.isPrivate(InetAddress.getByName(ip))).as(ip).isFalse();
  }

  @Test
  void aPublicHostIsRefusedNamingTheHostAndTheSettingThatAllowsIt() {
    ConfigException refused = refusal(config("8.8.8.8", false));
    assertThat(refused.key()).isEqualTo("cluster.host");
    assertThat(refused.getMessage())
        .startsWith("bad setting cluster.host: \"8.8.8.8\" is a public address")
        .contains("MICROSHOP_CLUSTER_ALLOW_PUBLIC_HOST=true", "cluster.allowPublicHost")
        .doesNotContain("\n");
  }

  @Test
  void theWildcardIsRefusedBecauseItBindsThePublicInterfacesToo() {
    for (String wildcard : new String[] {"0.0.0.0", "::"}) {
      ConfigException refused = refusal(config(wildcard, false));
      assertThat(refused.getMessage()).as(wildcard).contains("the wildcard address");
    }
  }

  @Test
  void aHostNameMustResolveAndEveryAddressMustBePrivate() {
    assertThatCode(() -> ClusterHost.requirePrivate(config("localhost", false)))
        .doesNotThrowAnyException();
    ConfigException unresolved = refusal(config("no-such-host.invalid", false));
    assertThat(unresolved.getMessage())
        .isEqualTo(
            "bad setting cluster.host: \"no-such-host.invalid\" does not resolve to an address");
  }

  @Test
  void thePrivateDefaultAndAnExplicitlyAllowedPublicHostStart() {
    assertThatCode(() -> ClusterHost.requirePrivate(config("127.0.0.1", false)))
        .doesNotThrowAnyException();
    assertThatCode(() -> ClusterHost.requirePrivate(config("8.8.8.8", true)))
        .doesNotThrowAnyException();
    assertThatCode(() -> ClusterHost.requirePrivate(config("0.0.0.0", true)))
        .doesNotThrowAnyException();
  }

  private static ConfigException refusal(JsonObject config) {
    Throwable thrown = catchThrowable(() -> ClusterHost.requirePrivate(config));
    assertThat(thrown).isInstanceOf(ConfigException.class);
    return (ConfigException) thrown;
  }

  private static JsonObject config(String host, boolean allow) {
    return new JsonObject()
        .put("cluster", new JsonObject().put("host", host).put("allowPublicHost", allow));
  }
}
