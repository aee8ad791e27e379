package dev.microshop.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hops a request passed, as proxies record them: {@code X-Forwarded-For: client, proxy1} or RFC
 * 7239 {@code Forwarded: for=client, for="[2001:db8::1]:4711"}. Several header lines are one list,
 * in order. Every method answers null for a value it cannot read: the caller then trusts nothing in
 * it.
 */
final class ForwardedHops {
  private ForwardedHops() {}

  /** The node of each hop of {@code X-Forwarded-For}, oldest first; null when malformed. */
  static List<String> xForwardedFor(List<String> lines) {
    List<String> hops = new ArrayList<>();
    for (String line : lines) {
      for (String hop : line.split(",", -1)) {
        String node = hop.trim();
        if (node.isEmpty()) {
          return null;
        }
        hops.add(node);
      }
    }
    return hops;
  }

  /**
   * The {@code for=} node of each element of {@code Forwarded}, oldest first; null when malformed.
   */
  static List<String> forwarded(List<String> lines) {
    List<String> hops = new ArrayList<>();
    for (String line : lines) {
      List<String> elements = split(line, ',');
      if (elements == null) {
        return null;
      }
      for (String element : elements) {
        if (element.isEmpty()) {
          continue; // an empty list element: allowed, and no hop
        }
        String node = forNode(element);
        if (node == null) {
          return null;
        }
        hops.add(node);
      }
    }
    return hops;
  }

  /**
   * The address a node names: {@code 192.0.2.1}, {@code 192.0.2.1:8080}, {@code [2001:db8::1]},
   * {@code [2001:db8::1]:8080} or a bare IPv6 address. Null for anything else, {@code unknown} and
   * RFC 7239's obfuscated {@code _names} included: they identify no address.
   */
  static byte[] address(String node) {
    if (node.startsWith("[")) {
      int close = node.indexOf(']');
      if (close < 0 || !portOrNothing(node.substring(close + 1))) {
        return null;
      }
      return IpLiteral.parse(node.substring(1, close));
    }
    int colon = node.indexOf(':');
    if (colon >= 0 && colon == node.lastIndexOf(':')) { // one colon: IPv4 and a port
      return portOrNothing(node.substring(colon))
          ? IpLiteral.parse(node.substring(0, colon))
          : null;
    }
    return IpLiteral.parse(node);
  }

  /** "" or ":port", the port as digits or RFC 7239's obfuscated {@code _name}. */
  private static boolean portOrNothing(String rest) {
    if (rest.isEmpty()) {
      return true;
    }
    String port = rest.substring(1);
    if (rest.charAt(0) != ':' || port.isEmpty()) {
      return false;
    }
    return port.charAt(0) == '_'
        ? port.length() <= 64 && port.chars().allMatch(ForwardedHops::tokenChar)
        : port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** The unquoted value of the one {@code for} pair of an element; null when there is none. */
  private static String forNode(String element) {
    List<String> pairs = split(element, ';');
    if (pairs == null) {
      return null;
    }
    String node = null;
    for (String pair : pairs) {
      if (pair.isEmpty()) {
        continue; // "for=x;" is allowed: an empty pair
      }
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        return null;
      }
      if (pair.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("for")) {
        if (node != null) {
          return null; // two for= in one element: which one?
        }
        node = unquoted(pair.substring(equals + 1).trim());
        if (node == null) {
          return null;
        }
      }
    }
    return node;
  }

  /** A token as is, a quoted-string without its quotes and escapes; null otherwise. */
  private static String unquoted(String value) {
    if (!value.startsWith("\"")) {
      return !value.isEmpty() && value.chars().allMatch(c -> tokenChar(c) || c == '[' || c == ']')
          ? value
          : null;
    }
    if (value.length() < 2 || !value.endsWith("\"")) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        i++;
        if (i == value.length() - 1) {
          return null; // the escape took the closing quote
        }
        c = value.charAt(i);
      } else if (c == '"') {
        return null;
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * {@code text} cut at each {@code separator} outside quoted strings, each part trimmed; null when
   * a quote is left open.
   */
  private static List<String> split(String text, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted && c == '\\' && i + 1 < text.length()) {
        part.append(c).append(text.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == separator && !quoted) {
        parts.add(part.toString().trim());
        part.setLength(0);
      } else {
        part.append(c);
      }
    }
    parts.add(part.toString().trim());
    return quoted ? null : parts;
  }

  /** RFC 9110 tchar, plus ':' for an unquoted IPv4 node with a port (common, if not strict). */
  private static boolean tokenChar(int c) {
    return (c >= '0' && c <= '9')
        || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || "!#$%&'*+-.^_`|~:".indexOf(c) >= 0;
  }
}
