package dev.microshop.platform.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The management URL a JVM advertises (ready line, discovery, Prometheus targets). */
class ManagementAddressTest {
  private static JsonObject config(String managementHost) {
    return new JsonObject()
        .put("management", new JsonObject().put("host", managementHost))
        .put("cluster", new JsonObject().put("host", "10.1.2.3"));
  }

  @Test
  void aSpecificAddressIsAdvertisedAsItIs() {
    assertThat(Management.advertisedHost(config("127.0.0.1"))).isEqualTo("127.0.0.1");
    assertThat(Management.advertisedHost(config("192.168.7.9"))).isEqualTo("192.168.7.9");
  }

  @Test
  void everyInterfaceIsAdvertisedAsTheJvmsClusterAddress() {
    assertThat(Management.advertisedHost(config("0.0.0.0"))).isEqualTo("10.1.2.3");
    assertThat(Management.advertisedHost(config("::"))).isEqualTo("10.1.2.3");
    assertThat(Management.advertisedHost(config(" "))).isEqualTo("10.1.2.3");
  }
}
