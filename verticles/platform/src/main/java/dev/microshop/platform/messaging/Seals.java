package dev.microshop.platform.messaging;

import dev.microshop.contracts.BusPolicy;
import dev.microshop.contracts.Identity;
import dev.microshop.platform.cluster.Admission;
import dev.microshop.platform.cluster.PeerKeys;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.Message;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The seal of a message for each of its possible receivers: {@code node=mac,node=mac}, each MAC the
 * first 128 bits of an HMAC-SHA256 keyed by the secret the sender shares with that receiver. The
 * possible receivers are the admitted members whose services {@link BusPolicy} lets consume the
 * address; the cluster manager routes to no one else.
 */
final class Seals {
  private static final int MAC_BYTES = 16;
  private static final byte[] NONE = new byte[0];
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final int KEYED_PER_THREAD = 256;
  private static final ThreadLocal<Map<SecretKeySpec, Mac>> KEYED =
      ThreadLocal.withInitial(IdentityHashMap::new);
  private static final ThreadLocal<SecureRandom> RANDOM =
      ThreadLocal.withInitial(Seals::secureRandom);

  private final String self;
  private final PeerKeys keys;
  private final String mine;

  Seals(String self, PeerKeys keys) {
    this.self = self;
    this.keys = keys;
    this.mine = self + "=";
  }

  String self() {
    return self;
  }

  /** 128 random bits: a request's nonce, which its reply must echo. */
  static String nonce() {
    byte[] bytes = new byte[16];
    RANDOM.get().nextBytes(bytes);
    return B64.encodeToString(bytes);
  }

  /**
   * What a seal covers: everything of a message that says what to do and for whom, but its body.
   */
  record Envelope(String address, String replyAddress, String nonce, String userId, String roles) {
    static Envelope of(Message<?> msg, String nonce) {
      MultiMap headers = msg.headers();
      return new Envelope(
          msg.address(),
          msg.replyAddress(),
          nonce,
          headers.get(Identity.USER_ID_HEADER),
          headers.get(Identity.ROLES_HEADER));
    }
  }

  String seal(BusPolicy.Rule rule, Map<String, Admission.Member> members, Envelope envelope) {
    StringBuilder seal = new StringBuilder();
    members.forEach(
        (node, member) -> {
          if (rule.receiver(member.services())) {
            if (!seal.isEmpty()) {
              seal.append(',');
            }
            byte[] mac = mac(keys.with(node, member.key()), self, node, envelope);
            seal.append(node).append('=').append(B64.encodeToString(mac));
          }
        });
    return seal.toString();
  }

  /** Whether {@code seal}, put on {@code envelope} by {@code from}, is right for this member. */
  boolean verify(String from, Admission.Member sender, Envelope envelope, String seal) {
    String mine = sealFor(seal);
    if (mine == null) {
      return false;
    }
    byte[] expected = mac(keys.with(from, sender.key()), from, self, envelope);
    try {
      return MessageDigest.isEqual(expected, B64D.decode(mine));
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }

  /**
   * Whether {@code seal} has an entry for this member at all. An admitted sender whose seal has
   * none did not know this member when it sealed: a member that joined a moment before, which the
   * sender's event bus chose after the seal was made. Not a forgery, but a race to be retried.
   */
  boolean addressedToMe(String seal) {
    return sealFor(seal) != null;
  }

  void retain(Predicate<String> admitted) {
    keys.retain(admitted);
  }

  private String sealFor(String seal) {
    if (seal == null) {
      return null;
    }
    int at = seal.startsWith(mine) ? 0 : seal.indexOf("," + mine);
    if (at < 0) {
      return null;
    }
    int start = at == 0 ? mine.length() : at + 1 + mine.length();
    int end = seal.indexOf(',', start);
    return seal.substring(start, end < 0 ? seal.length() : end);
  }

  private static byte[] mac(SecretKeySpec key, String from, String to, Envelope envelope) {
    Mac hmac = keyed(key);
    for (String field :
        new String[] {
          from,
          to,
          envelope.address(),
          envelope.replyAddress(),
          envelope.nonce(),
          envelope.userId(),
          envelope.roles()
        }) {
      // Length-prefixed, so no two different field lists give the same bytes.
      byte[] bytes = field == null ? NONE : field.getBytes(StandardCharsets.UTF_8);
      int length = field == null ? -1 : bytes.length;
      hmac.update((byte) (length >>> 24));
      hmac.update((byte) (length >>> 16));
      hmac.update((byte) (length >>> 8));
      hmac.update((byte) length);
      hmac.update(bytes);
    }
    return Arrays.copyOf(hmac.doFinal(), MAC_BYTES); // doFinal leaves it keyed for the next
  }

  /**
   * This thread's HMAC already keyed with {@code key}: keying one (padding the key, hashing the
   * inner pad) was a third of a seal's hashing. PeerKeys hands out one key object per peer, so
   * identity finds it; a few hundred peers' worth are kept per thread.
   */
  private static Mac keyed(SecretKeySpec key) {
    Map<SecretKeySpec, Mac> macs = KEYED.get();
    Mac mac = macs.get(key);
    if (mac == null) {
      mac = hmac();
      try {
        mac.init(key);
      } catch (java.security.InvalidKeyException e) {
        throw new IllegalStateException(e);
      }
      if (macs.size() >= KEYED_PER_THREAD) {
        macs.clear();
      }
      macs.put(key, mac);
    }
    return mac;
  }

  private static Mac hmac() {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SecureRandom secureRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (GeneralSecurityException e) {
      return new SecureRandom();
    }
  }
}
