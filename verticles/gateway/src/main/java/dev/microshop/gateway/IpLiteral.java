package dev.microshop.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * IP address literals, parsed by hand: {@code InetAddress.getByName} would resolve anything that is
 * not a literal through DNS, and a forwarding header is written by whoever sends the request.
 * Strict: ASCII digits only, no leading zeros in IPv4 (some parsers read them as octal), no zone
 * ids. An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) is its IPv4 address, so both
 * spellings of one client share its buckets.
 */
final class IpLiteral {
  private static final int MAX_TEXT = 45; // the longest IPv6 text, with an IPv4 tail

  private IpLiteral() {}

  /** The address's 4 or 16 bytes, or null when {@code text} is not an IP literal. */
  static byte[] parse(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
      return null;
    }
    byte[] bytes = text.indexOf(':') >= 0 ? ipv6(text) : ipv4(text);
    return bytes == null ? null : unmapped(bytes);
  }

  /** One canonical text per address: the key a client's buckets are found under. */
  static String text(byte[] address) {
    try {
      return InetAddress.getByAddress(address).getHostAddress(); // no lookup: bytes given
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not 4 or 16 bytes", e);
    }
  }

  /** {@code ::ffff:a.b.c.d} as {@code a.b.c.d}; anything else unchanged. */
  static byte[] unmapped(byte[] bytes) {
    if (bytes.length != 16 || bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
      return bytes;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return bytes;
      }
    }
    return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
  }

  private static byte[] ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      int value = decimal(parts[i]);
      if (value < 0 || value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  /** 0..999 from 1 to 3 ASCII digits without a leading zero; -1 otherwise. */
  private static int decimal(String part) {
    if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
      return -1;
    }
    int value = 0;
    for (char c : part.toCharArray()) {
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** Up to eight 16-bit groups, one "::" for a run of zeros, an IPv4 tail in the last two. */
  private static byte[] ipv6(String text) {
    int gap = text.indexOf("::");
    if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    List<Integer> head = groups(gap >= 0 ? text.substring(0, gap) : text, gap < 0);
    List<Integer> tail = gap >= 0 ? groups(text.substring(gap + 2), true) : List.of();
    if (head == null || tail == null) {
      return null;
    }
    int count = head.size() + tail.size();
    if (gap < 0 ? count != 8 : count > 7) {
      return null;
    }
    byte[] bytes = new byte[16];
    for (int i = 0; i < head.size(); i++) {
      put(bytes, i, head.get(i));
    }
    for (int i = 0; i < tail.size(); i++) {
      put(bytes, 8 - tail.size() + i, tail.get(i));
    }
    return bytes;
  }

  private static void put(byte[] bytes, int group, int value) {
    bytes[2 * group] = (byte) (value >> 8);
    bytes[2 * group + 1] = (byte) value;
  }

  /**
   * The 16-bit groups of one side of "::" (empty for an empty side); {@code last}: the side that
   * ends the address, where an IPv4 tail may stand. Null when malformed.
   */
  private static List<Integer> groups(String side, boolean last) {
    List<Integer> groups = new ArrayList<>();
    if (side.isEmpty()) {
      return groups;
    }
    String[] parts = side.split(":", -1);
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (last && i == parts.length - 1 && part.indexOf('.') >= 0) {
        byte[] v4 = ipv4(part);
        if (v4 == null) {
          return null;
        }
        groups.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
        groups.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
      } else {
        int value = hex(part);
        if (value < 0) {
          return null;
        }
        groups.add(value);
      }
    }
    return groups;
  }

  /** 0..0xffff from 1 to 4 ASCII hex digits; -1 otherwise. */
  private static int hex(String part) {
    if (part.isEmpty() || part.length() > 4) {
      return -1;
    }
    int value = 0;
    for (char c : part.toCharArray()) {
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return -1;
      }
      value = value * 16 + digit;
    }
    return value;
  }
}
