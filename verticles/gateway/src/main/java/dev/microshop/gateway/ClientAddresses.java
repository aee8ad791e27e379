package dev.microshop.gateway;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The client address every per-IP limit keys on (anonymous requests, status, invalid tokens, login
 * failures, password checks): the TCP peer, unless that peer is one of {@code http.trustedProxies}.
 * Then the hops the proxies recorded in {@code http.forwardedHeader} are walked from the right (the
 * newest, written by the proxy nearest to us), skipping trusted proxies: the first address that is
 * not one is the client. Everything left of it was written by the client and is never read.
 *
 * <p>Only one header is read. A proxy appends to the header it maintains and passes any other
 * through as the client wrote it, so reading both would let a client forge its address in the one
 * the proxy leaves alone. A value that cannot be read, or a hop that names no address ({@code
 * unknown}), gives the peer's address: a bad header never fails a request, and never picks a bucket
 * of the sender's choosing.
 */
final class ClientAddresses {
  static final String X_FORWARDED_FOR = "X-Forwarded-For";
  static final String FORWARDED = "Forwarded";
  private static final String KEY = "microshop.clientAddress";

  private final List<IpRange> trusted;
  private final boolean rfc7239;

  private ClientAddresses(List<IpRange> trusted, boolean rfc7239) {
    this.trusted = trusted;
    this.rfc7239 = rfc7239;
  }

  /** From {@code http.trustedProxies} and {@code http.forwardedHeader}; fails naming the key. */
  static ClientAddresses from(JsonObject http) {
    String header = http.getString("forwardedHeader");
    if (!X_FORWARDED_FOR.equals(header) && !FORWARDED.equals(header)) {
      throw new ConfigException(
          "http.forwardedHeader",
          "\"" + header + "\" is not one of [" + X_FORWARDED_FOR + ", " + FORWARDED + "]");
    }
    List<IpRange> trusted = new ArrayList<>();
    JsonArray entries = http.getJsonArray("trustedProxies", new JsonArray());
    for (Object entry : entries) {
      try {
        trusted.add(IpRange.parse(String.valueOf(entry)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("http.trustedProxies", e.getMessage());
      }
    }
    return new ClientAddresses(List.copyOf(trusted), FORWARDED.equals(header));
  }

  /** The client address of the request, worked out once per request. */
  String of(RoutingContext ctx) {
    String known = ctx.get(KEY);
    if (known == null) {
      HttpServerRequest request = ctx.request();
      known =
          resolve(
              request.remoteAddress().hostAddress(),
              trusted.isEmpty() ? List.of() : request.headers().getAll(header()));
      ctx.put(KEY, known);
    }
    return known;
  }

  /** The header proxies record hops in. */
  String header() {
    return rfc7239 ? FORWARDED : X_FORWARDED_FOR;
  }

  /** The client behind {@code peer}, given the lines of the forwarding header it sent. */
  String resolve(String peer, List<String> lines) {
    byte[] peerAddress = IpLiteral.parse(peer);
    if (peerAddress == null) {
      return peer; // not an IP literal (a Unix-domain socket): nothing to compare
    }
    String fallback = IpLiteral.text(peerAddress);
    if (!trusted(peerAddress) || lines.isEmpty()) {
      return fallback;
    }
    List<String> hops =
        rfc7239 ? ForwardedHops.forwarded(lines) : ForwardedHops.xForwardedFor(lines);
    if (hops == null) {
      return fallback;
    }
    byte[] client = peerAddress;
    for (int i = hops.size() - 1; i >= 0 && trusted(client); i--) {
      client = ForwardedHops.address(hops.get(i));
      if (client == null) {
        return fallback;
      }
    }
    // Every hop trusted: the request started at a trusted address (a proxy's own health check).
    return IpLiteral.text(client);
  }

  private boolean trusted(byte[] address) {
    for (IpRange range : trusted) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
