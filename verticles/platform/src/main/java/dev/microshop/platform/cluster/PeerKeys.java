package dev.microshop.platform.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret this member shares with each other member, for sealing the messages between the two:
 * ECDH of its own cluster key with the public key the peer's certificate carries. Only the two
 * holders of those private keys can compute it, so a message sealed with it was sent by the one and
 * can be checked only by the other. It costs one key agreement per peer (cached); a seal is then
 * one HMAC, where a signature per message would cost the catalog read a quarter of its throughput.
 */
public final class PeerKeys {
  private static final byte[] LABEL = "microshop bus seal v1".getBytes(StandardCharsets.UTF_8);

  private record Shared(PublicKey peer, SecretKeySpec key) {}

  private final PrivateKey own;
  private final Map<String, Shared> shared = new ConcurrentHashMap<>();

  public PeerKeys(PrivateKey own) {
    this.own = own;
  }

  /** The key shared with node {@code nodeId}, whose certificate carries {@code peer}. */
  public SecretKeySpec with(String nodeId, PublicKey peer) {
    Shared known = shared.get(nodeId);
    // The same key object comes with every message of a member: compare it by identity first.
    if (known != null && (known.peer() == peer || known.peer().equals(peer))) {
      return known.key();
    }
    SecretKeySpec key = derive(peer);
    shared.put(nodeId, new Shared(peer, key));
    return key;
  }

  /** Forgets the keys of nodes that left (a node that comes back has a new id). */
  public void retain(Predicate<String> admitted) {
    shared.keySet().removeIf(admitted.negate());
  }

  private SecretKeySpec derive(PublicKey peer) {
    try {
      KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
      agreement.init(own);
      agreement.doPhase(peer, true);
      // The raw ECDH output is not uniformly random; an HMAC over a label extracts a key from it.
      Mac extract = Mac.getInstance("HmacSHA256");
      extract.init(new SecretKeySpec(agreement.generateSecret(), "HmacSHA256"));
      return new SecretKeySpec(extract.doFinal(LABEL), "HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "no shared key with a peer (cluster keys must all be EC P-256): " + e.getMessage(), e);
    }
  }
}
