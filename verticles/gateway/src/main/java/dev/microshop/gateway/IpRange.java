package dev.microshop.gateway;

/**
 * One entry of {@code http.trustedProxies}: an address ({@code 10.0.0.7}, {@code fd00::7}) or a
 * CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}). Bits below the prefix are ignored, as routers
 * do.
 */
record IpRange(byte[] network, int prefix) {

  /**
   * Parses {@code text}; fails with the reason when it is not an address or block, or when it is a
   * block that holds every address (then any client could name its own address).
   */
  static IpRange parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    int slash = trimmed.indexOf('/');
    String literal = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] address = IpLiteral.parse(literal);
    if (address == null) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not an IP address or CIDR block (such as 10.0.0.0/8 or fd00::/8)");
    }
    int bits = literal.indexOf(':') >= 0 ? 128 : 32;
    int prefix = slash < 0 ? bits : prefixLength(trimmed.substring(slash + 1), text, bits);
    if (bits == 128 && address.length == 4) {
      // ::ffff:a.b.c.d/n is the IPv4 block a.b.c.d/(n - 96): clients are matched unmapped.
      if (prefix < 96) {
        throw new IllegalArgumentException(
            "\"" + text + "\" mixes IPv4-mapped and other IPv6 addresses; write it as IPv4");
      }
      prefix -= 96;
    }
    if (prefix <= 0) {
      throw new IllegalArgumentException(
          "\"" + text + "\" trusts every address: any client could then name its own address");
    }
    return new IpRange(masked(address, prefix), prefix);
  }

  /** True when {@code address} (4 or 16 bytes, IPv4-mapped already unmapped) is in this block. */
  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    byte[] masked = masked(address, prefix);
    for (int i = 0; i < masked.length; i++) {
      if (masked[i] != network[i]) {
        return false;
      }
    }
    return true;
  }

  private static int prefixLength(String digits, String text, int bits) {
    int value = -1;
    if (!digits.isEmpty() && digits.length() <= 3 && digits.chars().allMatch(IpRange::ascii)) {
      value = Integer.parseInt(digits);
    }
    if (value < 0 || value > bits) {
      throw new IllegalArgumentException(
          "\"" + text + "\" has a prefix length outside 0.." + bits + " after its '/'");
    }
    return value;
  }

  private static boolean ascii(int c) {
    return c >= '0' && c <= '9';
  }

  private static byte[] masked(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      out[i] &= (byte) (0xff << (8 - keep));
    }
    return out;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IpRange range
        && range.prefix == prefix
        && java.util.Arrays.equals(range.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(network) + prefix;
  }

  @Override
  public String toString() {
    return IpLiteral.text(network) + "/" + prefix;
  }
}
