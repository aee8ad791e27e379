package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which address a request's limits key on: the peer, or behind trusted proxies the first hop from
 * the right that is not one of them.
 */
class ClientAddressesTest {
  private static final String PROXY = "10.0.0.5";
  private static final ClientAddresses NONE = addresses(ClientAddresses.X_FORWARDED_FOR);
  private static final ClientAddresses XFF =
      addresses(ClientAddresses.X_FORWARDED_FOR, "10.0.0.0/24", "fd00::/8");
  private static final ClientAddresses RFC7239 =
      addresses(ClientAddresses.FORWARDED, "10.0.0.0/24", "fd00::/8");

  @Test
  void withNoTrustedProxyTheHeaderIsNeverRead() {
    assertThat(NONE.resolve("198.51.100.7", List.of("203.0.113.9"))).isEqualTo("198.51.100.7");
    assertThat(NONE.resolve(PROXY, List.of("203.0.113.9"))).isEqualTo(PROXY);
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItForwards() {
    assertThat(XFF.resolve("198.51.100.7", List.of("203.0.113.9"))).isEqualTo("198.51.100.7");
    assertThat(RFC7239.resolve("198.51.100.7", List.of("for=203.0.113.9")))
        .isEqualTo("198.51.100.7");
  }

  @Test
  void behindATrustedProxyTheFirstUntrustedHopFromTheRightIsTheClient() {
    assertThat(XFF.resolve(PROXY, List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
    // What the client wrote itself is left of its own hop, and is never read.
    assertThat(XFF.resolve(PROXY, List.of("1.1.1.1, 203.0.113.9"))).isEqualTo("203.0.113.9");
    assertThat(XFF.resolve(PROXY, List.of("not an address, 203.0.113.9, 10.0.0.9")))
        .isEqualTo("203.0.113.9");
    // Several lines are one list, in order.
    assertThat(XFF.resolve(PROXY, List.of("1.1.1.1", "203.0.113.9", "10.0.0.9")))
        .isEqualTo("203.0.113.9");
  }

  @Test
  void portsBracketsAndIpv6FormsOfAHopAreRead() {
    assertThat(XFF.resolve(PROXY, List.of("203.0.113.9:4711"))).isEqualTo("203.0.113.9");
    assertThat(XFF.resolve(PROXY, List.of("2001:db8::17"))).isEqualTo("2001:db8:0:0:0:0:0:17");
    assertThat(XFF.resolve(PROXY, List.of("[2001:db8::17]:4711")))
        .isEqualTo("2001:db8:0:0:0:0:0:17");
    assertThat(XFF.resolve(PROXY, List.of("::ffff:203.0.113.9"))).isEqualTo("203.0.113.9");
    assertThat(XFF.resolve("fd00::1", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
    assertThat(XFF.resolve("::ffff:10.0.0.5", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
  }

  @Test
  void rfc7239ElementsAreReadForTheirForPair() {
    assertThat(
            RFC7239.resolve(
                PROXY, List.of("for=192.0.2.60;proto=http;by=203.0.113.43, For=\"10.0.0.9\"")))
        .isEqualTo("192.0.2.60");
    assertThat(RFC7239.resolve(PROXY, List.of("for=\"[2001:db8:cafe::17]:4711\";proto=https")))
        .isEqualTo("2001:db8:cafe:0:0:0:0:17");
    assertThat(RFC7239.resolve(PROXY, List.of("proto=https;for=192.0.2.60;")))
        .isEqualTo("192.0.2.60");
    assertThat(RFC7239.resolve(PROXY, List.of("for=\"_hidden\", for=192.0.2.60")))
        .isEqualTo("192.0.2.60");
    assertThat(RFC7239.resolve(PROXY, List.of("for=192.0.2.60", "for=10.0.0.9;by=\"x,y\"")))
        .isEqualTo("192.0.2.60");
    assertThat(RFC7239.resolve(PROXY, List.of("for=\"192.0.2.\\60\"")))
        .as("a quoted-pair is the character it escapes")
        .isEqualTo("192.0.2.60");
  }

  @Test
  void aHopInTheOtherHeadersSyntaxGivesThePeer() {
    assertThat(XFF.resolve(PROXY, List.of("for=203.0.113.9"))).isEqualTo(PROXY);
    assertThat(RFC7239.resolve(PROXY, List.of("203.0.113.9"))).isEqualTo(PROXY);
  }

  @Test
  void whenEveryHopIsTrustedTheOldestIsTheClient() {
    assertThat(XFF.resolve(PROXY, List.of("10.0.0.7, 10.0.0.8"))).isEqualTo("10.0.0.7");
  }

  @Test
  void aHopThatCannotBeReadGivesThePeerNeverAFailure() {
    for (String bad :
        new String[] {
          "",
          "203.0.113.9,",
          "203.0.113.9,,10.0.0.9",
          "unknown",
          "example.com",
          "203.0.113.9:port",
          "203.0.113.9:123456",
          "[2001:db8::17",
          "[2001:db8::17]x",
          "fe80::1%eth0",
          "999.0.113.9",
          "203.0.113.9 10.0.0.9"
        }) {
      assertThat(XFF.resolve(PROXY, List.of(bad))).as("X-Forwarded-For: %s", bad).isEqualTo(PROXY);
    }
    for (String bad :
        new String[] {
          "for=unknown",
          "for=\"_hidden\"",
          "for=\"203.0.113.9",
          "for=203.0.113.9\"",
          "for=\"203.0.113.9\\\"",
          "proto=https",
          "for=203.0.113.9;for=198.51.100.7",
          "for",
          "=203.0.113.9",
          "for=203.0.113.9 x",
          "for=\"203.0.113.9\"x"
        }) {
      assertThat(RFC7239.resolve(PROXY, List.of(bad))).as("Forwarded: %s", bad).isEqualTo(PROXY);
    }
  }

  @Test
  void thePeerItselfIsInOneCanonicalForm() {
    assertThat(NONE.resolve("0:0:0:0:0:0:0:1", List.of())).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(NONE.resolve("::1", List.of())).isEqualTo("0:0:0:0:0:0:0:1");
  }

  @Test
  void aBadSettingIsRefusedNamingIt() {
    assertThatThrownBy(() -> addresses(ClientAddresses.X_FORWARDED_FOR, "10.0.0.0/8", "lb.local"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad setting http.trustedProxies: \"lb.local\" is not an IP");
    assertThatThrownBy(() -> addresses(ClientAddresses.X_FORWARDED_FOR, "0.0.0.0/0"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.trustedProxies");
    assertThatThrownBy(() -> addresses("X-Real-IP", "10.0.0.0/8"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "bad setting http.forwardedHeader: \"X-Real-IP\" is not one of [X-Forwarded-For,"
                + " Forwarded]");
  }

  private static ClientAddresses addresses(String header, String... trusted) {
    return ClientAddresses.from(
        new JsonObject()
            .put("forwardedHeader", header)
            .put("trustedProxies", new JsonArray(List.of((Object[]) trusted))));
  }
}
