package dev.microshop.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.BusPolicy;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.platform.cluster.Admission;
import dev.microshop.platform.cluster.PeerKeys;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Seals between real P-256 key pairs: the receiver a seal was made for accepts it, and a change of
 * sender, receiver, address, reply address, nonce or caller makes it fail.
 */
class SealsTest {
  private final KeyPair orders = pair();
  private final KeyPair payments = pair();
  private final KeyPair notifications = pair();
  private final Admission.Member ordersMember = member("orders", orders);
  private final Admission.Member paymentsMember = member("payments", payments);
  private final Admission.Member notificationsMember = member("notifications", notifications);
  private final Seals fromOrders = new Seals("n-orders", new PeerKeys(orders.getPrivate()));
  private final Seals atPayments = new Seals("n-payments", new PeerKeys(payments.getPrivate()));
  private final Map<String, Admission.Member> members = new LinkedHashMap<>();

  {
    members.put("n-orders", ordersMember);
    members.put("n-payments", paymentsMember);
    members.put("n-notifications", notificationsMember);
  }

  private final Seals.Envelope charge =
      new Seals.Envelope(PaymentsApi.CHARGE, "__vertx.reply.7", "nonce-1", null, null);

  @Test
  void theReceiverAcceptsWhatItsSenderSealedForIt() {
    String seal = fromOrders.seal(BusPolicy.of(PaymentsApi.CHARGE), members, charge);

    assertThat(seal).startsWith("n-payments=").doesNotContain("n-notifications");
    assertThat(atPayments.verify("n-orders", ordersMember, charge, seal)).isTrue();
  }

  @Test
  void anyChangeBreaksTheSeal() {
    String seal = fromOrders.seal(BusPolicy.of(PaymentsApi.CHARGE), members, charge);

    // Claimed by another sender: its key, not orders', is used to check.
    assertThat(atPayments.verify("n-notifications", notificationsMember, charge, seal)).isFalse();
    assertThat(atPayments.verify("n-orders", ordersMember, with(PaymentsApi.REFUND, null), seal))
        .isFalse();
    assertThat(
            atPayments.verify(
                "n-orders",
                ordersMember,
                new Seals.Envelope(PaymentsApi.CHARGE, "__vertx.reply.8", "nonce-1", null, null),
                seal))
        .isFalse();
    assertThat(
            atPayments.verify(
                "n-orders",
                ordersMember,
                new Seals.Envelope(PaymentsApi.CHARGE, "__vertx.reply.7", "nonce-2", null, null),
                seal))
        .isFalse();
    assertThat(atPayments.verify("n-orders", ordersMember, with(PaymentsApi.CHARGE, "u1"), seal))
        .isFalse();
    assertThat(atPayments.verify("n-orders", ordersMember, charge, tampered(seal))).isFalse();
    assertThat(atPayments.verify("n-orders", ordersMember, charge, null)).isFalse();
  }

  @Test
  void aMemberCannotCheckOrForgeASealMadeForAnother() {
    Seals atNotifications = new Seals("n-notifications", new PeerKeys(notifications.getPrivate()));
    String seal = fromOrders.seal(BusPolicy.of(PaymentsApi.CHARGE), members, charge);

    assertThat(atNotifications.verify("n-orders", ordersMember, charge, seal)).isFalse();
    // notifications sealing "as orders" uses its own key: payments computes orders' and refuses.
    Seals forger = new Seals("n-orders", new PeerKeys(notifications.getPrivate()));
    String forged = forger.seal(BusPolicy.of(PaymentsApi.CHARGE), members, charge);
    assertThat(atPayments.verify("n-orders", ordersMember, charge, forged)).isFalse();
  }

  @Test
  void aSealMadeBeforeTheSenderKnewAMemberHasNoEntryForIt() {
    Map<String, Admission.Member> before = new LinkedHashMap<>(members);
    before.remove("n-payments");
    String early = fromOrders.seal(BusPolicy.of(PaymentsApi.CHARGE), before, charge);
    String known = fromOrders.seal(BusPolicy.of(PaymentsApi.CHARGE), members, charge);

    assertThat(atPayments.addressedToMe(early)).isFalse();
    assertThat(atPayments.verify("n-orders", ordersMember, charge, early)).isFalse();
    assertThat(atPayments.addressedToMe(known)).isTrue();
    // A tampered entry is still addressed to it, and still refused as a seal that does not verify.
    assertThat(atPayments.addressedToMe(tampered(known))).isTrue();
    assertThat(atPayments.verify("n-orders", ordersMember, charge, tampered(known))).isFalse();
  }

  @Test
  void noncesDoNotRepeat() {
    assertThat(Seals.nonce()).hasSize(22).isNotEqualTo(Seals.nonce());
  }

  /** The seal with the first character of its MAC changed. */
  private static String tampered(String seal) {
    int at = seal.indexOf('=') + 1;
    char first = seal.charAt(at);
    return seal.substring(0, at) + (first == 'A' ? 'B' : 'A') + seal.substring(at + 1);
  }

  private static Seals.Envelope with(String address, String userId) {
    return new Seals.Envelope(address, "__vertx.reply.7", "nonce-1", userId, null);
  }

  private static Admission.Member member(String service, KeyPair pair) {
    return new Admission.Member(service, "127.0.0.1", 1, pair.getPublic());
  }

  private static KeyPair pair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
