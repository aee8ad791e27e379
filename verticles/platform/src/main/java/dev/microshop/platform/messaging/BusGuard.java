package dev.microshop.platform.messaging;

import dev.microshop.contracts.BusPolicy;
import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.platform.cluster.Admission;
import dev.microshop.platform.cluster.AdmittingClusterManager;
import dev.microshop.platform.cluster.PeerKeys;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every message inside the cluster proves who sent it, and a receiver takes from each sender only
 * what {@link BusPolicy} allows it. Mutual TLS keeps strangers off the bus; this keeps a member in
 * its lane: a JVM with a valid certificate for notifications cannot send a credit, speak for a
 * caller, or answer a question it was not asked.
 *
 * <ul>
 *   <li>A request, send or publish carries its sender's node id and a seal per possible receiver
 *       (see {@link Seals}): an HMAC keyed by the secret the two members share ({@link PeerKeys}),
 *       over sender, receiver, address, reply address, request nonce and caller headers.
 *   <li>A receiver checks that the sender's certificate names a service allowed to send to the
 *       address, that only the gateway speaks for a caller, and its own seal. A refused request is
 *       answered 403; anything else refused is dropped. Both are logged.
 *   <li>A request carries a fresh random nonce that only its one receiver sees (the bus is TLS, and
 *       members route only to allowed receivers). The reply echoes it, and the requester takes a
 *       reply only with the nonce of its pending request: Vert.x reply addresses are sequence
 *       numbers, so without it any member could answer a question it guessed.
 * </ul>
 *
 * Not bound: the body. A seal can be read only by its receiver; a message sealed for several
 * receivers (instances of one service, or any member for pings) lets one of them reuse another's
 * seal for the same address, sender and caller with another body, which gains it nothing it does
 * not have as that service already. Binding the body would cost an encoding per hop.
 */
public final class BusGuard {
  static final String FROM = "ms-from";
  static final String SEAL = "ms-seal";
  static final String NONCE = "ms-nonce";
  static final String ANSWER = "ms-answer";
  private static final String REPLY_PREFIX = "__vertx.reply.";
  private static final long PENDING_MAX_AGE_MS = 120_000;
  static final String NOT_YET_KNOWN =
      "its seal has no entry for this member (the sender did not know it yet)";
  private static final Logger LOG = LoggerFactory.getLogger(BusGuard.class);

  private record Pending(String nonce, long sentAt) {}

  private final Vertx vertx;
  private final AdmittingClusterManager cluster;
  private final Admission admission;
  private final Seals seals;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();

  private BusGuard(Vertx vertx, AdmittingClusterManager cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.admission = cluster.admission();
    this.seals = new Seals(cluster.getNodeId(), new PeerKeys(admission.tls().key()));
  }

  /** Guards this clustered JVM's event bus; called once it has joined, before any verticle. */
  public static BusGuard install(Vertx vertx, AdmittingClusterManager cluster) {
    BusGuard guard = new BusGuard(vertx, cluster);
    vertx.eventBus().addOutboundInterceptor(guard::outbound);
    vertx.eventBus().addInboundInterceptor(guard::inbound);
    vertx.setPeriodic(PENDING_MAX_AGE_MS / 4, t -> guard.sweep());
    return guard;
  }

  /** The options of a reply to {@code request}: it echoes the request's nonce. */
  public static DeliveryOptions answering(Message<?> request) {
    DeliveryOptions options = new DeliveryOptions();
    String nonce = request.headers().get(NONCE);
    return nonce == null ? options : options.addHeader(ANSWER, nonce);
  }

  /** How many messages this JVM refused since it started. */
  public long refused() {
    return refused.get();
  }

  private <T> void outbound(DeliveryContext<T> ctx) {
    Message<T> msg = ctx.message();
    // A reply carries the nonce of its request (answering), set by whoever replies.
    if (!msg.address().startsWith(REPLY_PREFIX)) {
      MultiMap headers = msg.headers();
      String nonce = null;
      if (msg.replyAddress() != null) {
        nonce = Seals.nonce();
        headers.set(NONCE, nonce);
        pending.put(msg.replyAddress(), new Pending(nonce, System.currentTimeMillis()));
      }
      BusPolicy.Rule rule = BusPolicy.of(msg.address());
      headers.set(FROM, seals.self());
      if (rule != null) {
        headers.set(SEAL, seals.seal(rule, admission.members(), Seals.Envelope.of(msg, nonce)));
      }
    }
    ctx.next();
  }

  private <T> void inbound(DeliveryContext<T> ctx) {
    Message<T> msg = ctx.message();
    if (msg.address().startsWith(REPLY_PREFIX)) {
      Pending asked = pending.remove(msg.address());
      if (asked != null && asked.nonce().equals(msg.headers().get(ANSWER))) {
        ctx.next();
      } else {
        refuse(msg, null, "a reply to no question this JVM asked");
      }
      return;
    }
    String from = msg.headers().get(FROM);
    Admission.Member sender = from == null ? null : admission.member(from);
    if (sender != null || from == null) {
      decide(ctx, sender);
      return;
    }
    // A member that has just joined may send before its card reached this JVM's listener.
    vertx
        .executeBlocking(
            () -> admission.lookup(cluster.hazelcast().getHazelcastInstance(), from), false)
        .onComplete((found, failure) -> decide(ctx, found));
  }

  private <T> void decide(DeliveryContext<T> ctx, Admission.Member sender) {
    Message<T> msg = ctx.message();
    String reason = reasonToRefuse(msg, sender);
    if (reason == null) {
      ctx.next();
    } else {
      refuse(msg, sender, reason);
    }
  }

  private String reasonToRefuse(Message<?> msg, Admission.Member sender) {
    if (sender == null) {
      return "the sender is not an admitted member";
    }
    BusPolicy.Rule rule = BusPolicy.of(msg.address());
    if (rule == null) {
      return "the address is not in the system's contract (BusPolicy)";
    }
    if (!rule.sender(sender.services())) {
      return sender.service() + " may not send to it";
    }
    MultiMap headers = msg.headers();
    boolean speaksForCaller =
        headers.contains(Identity.USER_ID_HEADER) || headers.contains(Identity.ROLES_HEADER);
    if (speaksForCaller
        && java.util.Collections.disjoint(sender.services(), BusPolicy.CALLER_ASSERTERS)) {
      return sender.service() + " may not speak for a caller";
    }
    Seals.Envelope envelope = Seals.Envelope.of(msg, headers.get(NONCE));
    String seal = headers.get(SEAL);
    if (seal != null && !seal.isEmpty() && !seals.addressedToMe(seal)) {
      return NOT_YET_KNOWN;
    }
    if (!seals.verify(headers.get(FROM), sender, envelope, seal)) {
      return "its seal does not verify";
    }
    return null;
  }

  private void refuse(Message<?> msg, Admission.Member sender, String reason) {
    long count = refused.incrementAndGet();
    // Loud at first, then sampled: a flood of refusals must not become a flood of log lines.
    if (count <= 20 || count % 1000 == 0) {
      LOG.warn(
          "refused a message to {} from {} ({}): {} [{} refused so far]",
          msg.address(),
          msg.headers().get(FROM),
          sender == null ? "unknown" : sender.service(),
          reason,
          count);
    }
    if (msg.replyAddress() != null) {
      // A member the sender did not know yet is a moment of membership change, not an attack: the
      // caller gets a 503 to retry (the gateway adds Retry-After), never a 403 for a right request.
      msg.reply(
          new ReplyException(
              ReplyFailure.RECIPIENT_FAILURE,
              reason.equals(NOT_YET_KNOWN) ? ErrorCodes.UNAVAILABLE : ErrorCodes.FORBIDDEN,
              "refused by the receiver: " + reason),
          answering(msg));
    }
  }

  /** Requests that never got a reply (it timed out at the requester) are forgotten. */
  private void sweep() {
    long oldest = System.currentTimeMillis() - PENDING_MAX_AGE_MS;
    pending.values().removeIf(p -> p.sentAt() < oldest);
    seals.retain(admission::admits);
  }
}
