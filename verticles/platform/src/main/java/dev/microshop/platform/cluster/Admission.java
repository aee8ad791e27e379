package dev.microshop.platform.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.microshop.contracts.BusPolicy;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which nodes of the Hazelcast cluster the event bus may route to. Hazelcast OSS admits any process
 * that knows the cluster name, and Vert.x would then send such a node its round-robin share of
 * requests, which mutual TLS makes fail: a black hole. So every member publishes a card: its
 * certificate and its event-bus address, signed with the certificate's key over its node id. A node
 * is admitted once its card verifies against the cluster CA; nothing else in Hazelcast is trusted.
 * A card that fails to verify (a foreign one, or a forged overwrite) is ignored and never replaces
 * a good one.
 */
public final class Admission {
  /** The Hazelcast map of cards, by node id. */
  public static final String MAP = "microshop.admission";

  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

  /**
   * What a verified card says about a node: the services its certificate names (the common name,
   * several joined by '+'), the key it certifies, and the event-bus address the node signed.
   */
  public record Member(
      String service, String host, int port, PublicKey key, List<String> services) {
    public Member(String service, String host, int port, PublicKey key) {
      // Split once: every message a member sends or receives is checked against its services.
      this(service, host, port, key, BusPolicy.servicesOf(service));
    }
  }

  /** This member's own card, once published: what it puts back when the map lost it. */
  private record Own(String nodeId, String card) {}

  private final ClusterTls tls;
  private final Map<String, Member> admitted = new ConcurrentHashMap<>();
  private volatile Own own;
  // Nodes whose card did not verify: not read again on every check (their next card still is).
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private volatile Runnable onAdmitted = () -> {};

  public Admission(ClusterTls tls) {
    this.tls = tls;
  }

  /** Called (on a Hazelcast thread) after a node is newly admitted. */
  void onAdmitted(Runnable listener) {
    onAdmitted = listener;
  }

  public ClusterTls tls() {
    return tls;
  }

  public boolean admits(String nodeId) {
    return admitted.containsKey(nodeId);
  }

  /** Whether the last card this JVM read for {@code nodeId} did not verify. */
  boolean refuses(String nodeId) {
    return refused.contains(nodeId);
  }

  public Member member(String nodeId) {
    return admitted.get(nodeId);
  }

  /** Every admitted node (this one included), by node id; a live view. */
  public Map<String, Member> members() {
    return java.util.Collections.unmodifiableMap(admitted);
  }

  /** Reads the cards already published and follows new ones. Blocking (Hazelcast calls). */
  void follow(HazelcastInstance hazelcast) {
    IMap<String, String> cards = hazelcast.getMap(MAP);
    cards.addEntryListener(new Listener(), true);
    cards.forEach(this::consider);
  }

  /**
   * The member {@code nodeId} proves to be, reading its card now if its publication has not reached
   * this member yet (a reply to a node that just started must not wait for the listener). Blocking
   * (a Hazelcast get); null when it proves nothing.
   */
  public Member lookup(HazelcastInstance hazelcast, String nodeId) {
    Member known = admitted.get(nodeId);
    if (known != null) {
      return known;
    }
    String card = hazelcast.<String, String>getMap(MAP).get(nodeId);
    if (card != null) {
      consider(nodeId, card);
    }
    return admitted.get(nodeId);
  }

  /** Publishes this member's card. Blocking (a Hazelcast put). */
  void publish(HazelcastInstance hazelcast, String nodeId, String host, int port) {
    String card = card(nodeId, host, port).encode();
    admitted.put(nodeId, new Member(tls.service(), host, port, tls.cert().getPublicKey()));
    hazelcast.<String, String>getMap(MAP).put(nodeId, card);
    own = new Own(nodeId, card);
  }

  /**
   * Puts this member's card back when the map no longer holds it, and says whether it had to.
   * Hazelcast keeps one backup of each partition: when two members die before it has copied their
   * partitions again, the cards they held are gone, and every member that joins afterwards refuses
   * their owners as strangers. In an 11-minute chaos run (a kill every 5 s) that cut the gateway
   * off from every restarted service for good. Blocking (a Hazelcast get, and a put if lost).
   */
  boolean republishIfLost(HazelcastInstance hazelcast) {
    Own mine = own;
    if (mine == null) {
      return false;
    }
    IMap<String, String> cards = hazelcast.getMap(MAP);
    if (mine.card().equals(cards.get(mine.nodeId()))) {
      return false;
    }
    cards.put(mine.nodeId(), mine.card());
    return true;
  }

  /** A node that left the cluster is admitted no more (it would need a new card to come back). */
  void forget(String nodeId) {
    admitted.remove(nodeId);
    refused.remove(nodeId);
  }

  JsonObject card(String nodeId, String host, int port) {
    try {
      Signature signer = Signature.getInstance(algorithm(tls.key().getAlgorithm()));
      signer.initSign(tls.key());
      signer.update(signed(nodeId, host, port));
      return new JsonObject()
          .put("cert", Base64.getEncoder().encodeToString(tls.cert().getEncoded()))
          .put("host", host)
          .put("port", port)
          .put("sig", Base64.getEncoder().encodeToString(signer.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign this member's admission card", e);
    }
  }

  /** The member a card proves, or null when it proves nothing. */
  Member verify(String nodeId, JsonObject card) {
    try {
      X509Certificate cert =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new ByteArrayInputStream(Base64.getDecoder().decode(card.getString("cert"))));
      cert.verify(tls.ca().getPublicKey());
      cert.checkValidity();
      String host = card.getString("host");
      int port = card.getInteger("port");
      PublicKey key = cert.getPublicKey();
      Signature verifier = Signature.getInstance(algorithm(key.getAlgorithm()));
      verifier.initVerify(key);
      verifier.update(signed(nodeId, host, port));
      if (!verifier.verify(Base64.getDecoder().decode(card.getString("sig")))) {
        return null;
      }
      String service = commonName(cert);
      return service == null ? null : new Member(service, host, port, key);
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  private void consider(String nodeId, String text) {
    Member member;
    try {
      member = verify(nodeId, new JsonObject(text));
    } catch (RuntimeException e) {
      member = null;
    }
    if (member == null) {
      refused.add(nodeId);
      LOG.warn(
          "node {} published an admission card that does not verify: not routing to it", nodeId);
      return;
    }
    refused.remove(nodeId);
    // The first card that verifies wins: a member with another valid certificate could sign a
    // card for a node id it does not own, and must not take that node's place.
    Member first = admitted.putIfAbsent(nodeId, member);
    if (first != null && !first.equals(member)) {
      LOG.warn("node {} published a second, different admission card: keeping the first", nodeId);
      return;
    }
    if (first == null) {
      LOG.debug(
          "admitted node {} ({} at {}:{})", nodeId, member.service(), member.host(), member.port());
      onAdmitted.run();
    }
  }

  private static byte[] signed(String nodeId, String host, int port) {
    return ("microshop-admission|" + nodeId + "|" + host + "|" + port)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String algorithm(String keyAlgorithm) {
    return keyAlgorithm.equals("EC") ? "SHA256withECDSA" : "SHA256with" + keyAlgorithm;
  }

  static String commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  private final class Listener
      implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      consider(event.getKey(), event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      consider(event.getKey(), event.getValue());
    }
  }
}
