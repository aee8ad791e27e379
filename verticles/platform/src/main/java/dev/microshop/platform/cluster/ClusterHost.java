package dev.microshop.platform.cluster;

import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonObject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Keeps Hazelcast on a private network. The open-source edition has no member authentication and no
 * encryption: whoever reaches its port joins the cluster and may read or rewrite the shared maps.
 * So a JVM whose {@code cluster.host} is public (or the wildcard, which binds the public interfaces
 * too) refuses to start unless {@code cluster.allowPublicHost} says the operator firewalls it.
 */
public final class ClusterHost {
  static final String HOST = "cluster.host";
  static final String ALLOW = "cluster.allowPublicHost";

  private ClusterHost() {}

  /**
   * Fails with a {@link ConfigException} naming both settings when {@code cluster.host} is, or
   * resolves to, an address that is not private. A host name must resolve, and every address it
   * resolves to must be private.
   */
  public static void requirePrivate(JsonObject config) {
    JsonObject cluster = config.getJsonObject("cluster");
    if (cluster.getBoolean("allowPublicHost", false)) {
      return;
    }
    String host = cluster.getString("host", "").trim();
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new ConfigException(HOST, "\"" + host + "\" does not resolve to an address");
    }
    for (InetAddress address : addresses) {
      if (!isPrivate(address)) {
        throw new ConfigException(
            HOST,
            "\""
                + host
                + "\" "
                + what(host, address)
                + "; Hazelcast has no authentication or encryption, so anyone who reaches it joins"
                + " the cluster. Give a private address (loopback, 10/8, 172.16/12, 192.168/16,"
                + " 100.64/10, link-local, fc00::/7), or set "
                + Settings.envName(null, ALLOW)
                + "=true ("
                + ALLOW
                + ") if a firewall keeps strangers off it");
      }
    }
  }

  private static String what(String host, InetAddress address) {
    if (address.isAnyLocalAddress()) {
      return "is the wildcard address, which binds every interface, public ones included";
    }
    String ip = address.getHostAddress();
    return host.equalsIgnoreCase(ip)
        ? "is a public address"
        : "resolves to the public address " + ip;
  }

  /**
   * True for loopback, RFC 1918, CGNAT (100.64/10), link-local, and IPv6 unique-local (fc00::/7)
   * addresses; false for the wildcard and for everything else.
   */
  static boolean isPrivate(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      return false;
    }
    if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
      return true; // 127/8, ::1, 169.254/16, fe80::/10
    }
    byte[] b = address.getAddress();
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    if (address instanceof Inet4Address) {
      return first == 10
          || (first == 172 && second >= 16 && second <= 31)
          || (first == 192 && second == 168)
          || (first == 100 && second >= 64 && second <= 127);
    }
    // Java already turns an IPv4-mapped IPv6 address into an Inet4Address; fec0::/10 (site-local)
    // is deprecated (RFC 3879) and not treated as private.
    return (first & 0xfe) == 0xfc;
  }
}
