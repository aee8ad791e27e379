package dev.microshop.contracts;

import java.util.Set;

/**
 * The requests a caller may send again when the answer did not come in time: the {@link Queries}
 * (they only read), and the commands whose service applies each one once per key and answers a
 * repeat with the first outcome, even while the first is still running. A message a stopping
 * instance received just after it unregistered is dropped without an answer; resending is the only
 * way such a request reaches a live instance, so these are what a rolling restart cannot fail.
 * Every other request may have taken effect when its answer was lost, and is resent only when it
 * provably was not delivered.
 */
public final class Resendable {
  /**
   * Placing an order: the Idempotency-Key is required, a repeat with the same key and lines returns
   * the same order, and concurrent repeats serialize on the key's row.
   */
  public static final Set<String> KEYED_COMMANDS = Set.of(OrdersApi.PLACE);

  private Resendable() {}

  public static boolean afterTimeout(String address) {
    return Queries.only(address) || KEYED_COMMANDS.contains(address);
  }
}
