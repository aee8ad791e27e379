package dev.microshop.contracts;

import java.util.Set;

/**
 * The request addresses that only read: sending one again changes nothing, so a caller may resend
 * it after a timeout. That is how the gateway gets past an instance that hangs, or a registration a
 * dead member left behind, on another instance of the service. Every other request may have taken
 * effect when its answer was lost and is resent only when it provably was not delivered.
 */
public final class Queries {
  public static final Set<String> ADDRESSES =
      Set.of(
          InventoryApi.LIST,
          InventoryApi.GET,
          NotificationsApi.LIST,
          OrdersApi.GET,
          OrdersApi.LIST,
          PaymentsApi.WALLET,
          PaymentsApi.TRANSACTIONS,
          UsersApi.PROFILE,
          UsersApi.KEYS);

  private Queries() {}

  public static boolean only(String address) {
    return ADDRESSES.contains(address);
  }
}
