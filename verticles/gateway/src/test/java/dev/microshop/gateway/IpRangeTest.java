package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** IP literals read without DNS, and the blocks of {@code http.trustedProxies}. */
class IpRangeTest {

  @Test
  void literalsOfBothFamiliesHaveOneCanonicalText() {
    assertThat(text("192.0.2.1")).isEqualTo("192.0.2.1");
    assertThat(text("::1")).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(text("2001:DB8::0:1")).isEqualTo(text("2001:db8:0:0:0:0:0:1"));
    assertThat(text("::")).isEqualTo("0:0:0:0:0:0:0:0");
    assertThat(text("1:2:3:4:5:6:7::")).isEqualTo("1:2:3:4:5:6:7:0");
    assertThat(text("64:ff9b::192.0.2.33")).isEqualTo("64:ff9b:0:0:0:0:c000:221");
  }

  @Test
  void anIpv4MappedAddressIsItsIpv4Address() {
    assertThat(text("::ffff:192.0.2.1")).isEqualTo("192.0.2.1");
    assertThat(text("0:0:0:0:0:ffff:c000:0201")).isEqualTo("192.0.2.1");
  }

  @Test
  void anythingButALiteralIsRefusedWithoutALookup() {
    for (String bad :
        new String[] {
          "",
          "localhost",
          "example.com",
          "192.0.2",
          "192.0.2.1.5",
          "192.0.2.256",
          "192.0.2.-1",
          "010.0.0.1",
          "192.0.2.1 ",
          "１９２.0.2.1",
          "192.0.2.١",
          "1::2::3",
          ":::",
          "1:2:3:4:5:6:7:8:9",
          "1:2:3:4:5:6:7::8",
          "12345::",
          "fe80::1%eth0",
          "::1.2.3.4:5",
          ":1::",
          "g::1"
        }) {
      assertThat(IpLiteral.parse(bad)).as("\"%s\"", bad).isNull();
    }
  }

  @Test
  void aBlockHoldsTheAddressesUnderItsPrefixOnly() {
    IpRange ten = IpRange.parse("10.0.0.0/8");
    assertThat(ten.contains(IpLiteral.parse("10.255.1.2"))).isTrue();
    assertThat(ten.contains(IpLiteral.parse("11.0.0.1"))).isFalse();
    assertThat(ten.contains(IpLiteral.parse("::ffff:10.1.2.3"))).isTrue();
    assertThat(ten.contains(IpLiteral.parse("::a01:203"))).isFalse();

    IpRange odd = IpRange.parse("192.0.2.64/26");
    assertThat(odd.contains(IpLiteral.parse("192.0.2.127"))).isTrue();
    assertThat(odd.contains(IpLiteral.parse("192.0.2.128"))).isFalse();
    assertThat(odd.contains(IpLiteral.parse("192.0.2.63"))).isFalse();

    IpRange one = IpRange.parse(" 192.0.2.7 ");
    assertThat(one.contains(IpLiteral.parse("192.0.2.7"))).isTrue();
    assertThat(one.contains(IpLiteral.parse("192.0.2.8"))).isFalse();

    IpRange ula = IpRange.parse("fd00::/8");
    assertThat(ula.contains(IpLiteral.parse("fd12:3456::1"))).isTrue();
    assertThat(ula.contains(IpLiteral.parse("fe80::1"))).isFalse();
    assertThat(ula.contains(IpLiteral.parse("10.0.0.1"))).isFalse();

    assertThat(IpRange.parse("::ffff:10.0.0.0/104")).isEqualTo(ten);
    assertThat(IpRange.parse("10.1.2.3/8")).as("host bits ignored").isEqualTo(ten);
  }

  @Test
  void aBadEntrySaysWhatIsWrongWithIt() {
    assertThatThrownBy(() -> IpRange.parse("proxy.internal"))
        .hasMessageContaining("\"proxy.internal\" is not an IP address or CIDR block");
    assertThatThrownBy(() -> IpRange.parse("10.0.0.0/33"))
        .hasMessageContaining("prefix length outside 0..32");
    assertThatThrownBy(() -> IpRange.parse("fd00::/129"))
        .hasMessageContaining("prefix length outside 0..128");
    assertThatThrownBy(() -> IpRange.parse("10.0.0.0/")).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> IpRange.parse("10.0.0.0/x8")).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> IpRange.parse("0.0.0.0/0")).hasMessageContaining("trusts every");
    assertThatThrownBy(() -> IpRange.parse("::/0")).hasMessageContaining("trusts every");
    assertThatThrownBy(() -> IpRange.parse("::ffff:0:0/80")).hasMessageContaining("IPv4-mapped");
  }

  private static String text(String literal) {
    byte[] address = IpLiteral.parse(literal);
    assertThat(address).as("\"%s\" parses", literal).isNotNull();
    return IpLiteral.text(address);
  }
}
