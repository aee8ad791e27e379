package dev.microshop.contracts;

import static dev.microshop.contracts.Services.GATEWAY;
import static dev.microshop.contracts.Services.INVENTORY;
import static dev.microshop.contracts.Services.NOTIFICATIONS;
import static dev.microshop.contracts.Services.ORDERS;
import static dev.microshop.contracts.Services.PAYMENTS;
import static dev.microshop.contracts.Services.USERS;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may send to each event-bus address and who may consume it, by the service names the members'
 * cluster certificates carry. Inside a cluster every message is sealed for its receiver by its
 * sender (see the platform's bus guard): a receiver refuses a message whose sender is not allowed
 * here, and no member routes a message to a consumer whose node is not a receiver here. An address
 * not listed is refused: a new address is added here, beside its contract.
 */
public final class BusPolicy {
  /** Any admitted member. */
  public static final String ANY = "*";

  /** Only these may speak for a caller ({@link Identity} headers): the edge verified its token. */
  public static final Set<String> CALLER_ASSERTERS = Set.of(GATEWAY);

  /**
   * One address (or family of addresses) and the services allowed at each end.
   *
   * @param senders services that may send or publish to it, or {@link #ANY}
   * @param receivers services whose instances may consume it, or {@link #ANY}
   */
  public record Rule(String name, Set<String> senders, Set<String> receivers) {
    public boolean sender(Collection<String> services) {
      return allows(senders, services);
    }

    public boolean receiver(Collection<String> services) {
      return allows(receivers, services);
    }

    private static boolean allows(Set<String> allowed, Collection<String> services) {
      if (allowed.contains(ANY)) {
        return true;
      }
      // A loop, not a stream: this runs for every message on the bus.
      for (String service : services) {
        if (allowed.contains(service)) {
          return true;
        }
      }
      return false;
    }
  }

  private static final Map<String, Rule> EXACT = new HashMap<>();
  private static final Map<Pattern, Rule> FAMILIES = new java.util.LinkedHashMap<>();

  static {
    exact(GATEWAY, USERS, UsersApi.REGISTER, UsersApi.ISSUE_TOKEN, UsersApi.PROFILE, UsersApi.KEYS);
    exact(
        GATEWAY,
        INVENTORY,
        InventoryApi.LIST,
        InventoryApi.GET,
        InventoryApi.CREATE,
        InventoryApi.UPDATE,
        InventoryApi.ADJUST_STOCK);
    relayed(
        ORDERS,
        INVENTORY,
        InventoryApi.RESERVE_STOCK,
        InventoryApi.RELEASE_STOCK,
        InventoryApi.COMMIT_STOCK);
    // Each inventory instance tells the others which cached products changed.
    exact(INVENTORY, INVENTORY, InventoryApi.CATALOG_CHANGED);
    family(InventoryApi.INVALIDATE_PATTERN, INVENTORY, INVENTORY);
    exact(
        GATEWAY,
        ORDERS,
        OrdersApi.PLACE,
        OrdersApi.GET,
        OrdersApi.LIST,
        OrdersApi.CANCEL,
        OrdersApi.ACTIVITY);
    exact(GATEWAY, PAYMENTS, PaymentsApi.WALLET, PaymentsApi.CREDIT, PaymentsApi.TRANSACTIONS);
    relayed(ORDERS, PAYMENTS, PaymentsApi.CHARGE, PaymentsApi.REFUND);
    // An event goes from the service that names it to each subscriber's own delivery address.
    Events.SUBSCRIBERS.forEach(
        (event, subscribers) ->
            subscribers.forEach(
                subscriber ->
                    relayed(
                        event.substring(0, event.indexOf('.')),
                        subscriber,
                        Events.deliveryAddress(subscriber, event))));
    exact(GATEWAY, NOTIFICATIONS, NotificationsApi.LIST);
    for (String service : Services.ALL) {
      exact(
          GATEWAY,
          service,
          Addresses.describe(service),
          OutboxApi.deadLetters(service),
          OutboxApi.redrive(service),
          OutboxApi.stats(service));
    }
    family(NotificationsApi.STREAM_PATTERN, NOTIFICATIONS, GATEWAY);
    family(Addresses.PING_PATTERN, GATEWAY, ANY);
    // Every JVM asks every other whether it is alive, to route around one that hangs.
    family(Addresses.ALIVE_PATTERN, ANY, ANY);
    // Vert.x service discovery announces record changes to whoever listens; the records
    // themselves live in Hazelcast and decide nothing (see SECURITY.md).
    family("vertx\\.discovery\\.[a-z]+", ANY, ANY);
  }

  private BusPolicy() {}

  /** The rule of an address, or null when the address is not part of the system's contract. */
  public static Rule of(String address) {
    Rule rule = EXACT.get(address);
    if (rule != null) {
      return rule;
    }
    for (Map.Entry<Pattern, Rule> family : FAMILIES.entrySet()) {
      if (family.getKey().matcher(address).matches()) {
        return family.getValue();
      }
    }
    return null;
  }

  /** The services a certificate's common name names: one, or several joined by '+'. */
  public static List<String> servicesOf(String commonName) {
    return commonName == null ? List.of() : List.of(commonName.split("\\+"));
  }

  private static void exact(String sender, String receiver, String... addresses) {
    for (String address : addresses) {
      EXACT.put(address, new Rule(address, Set.of(sender), Set.of(receiver)));
    }
  }

  /** Addresses an outbox sends to, each also with its {@link RelayBatch#address}. */
  private static void relayed(String sender, String receiver, String... addresses) {
    for (String address : addresses) {
      exact(sender, receiver, address, RelayBatch.address(address));
    }
  }

  private static void family(String regex, String sender, String receiver) {
    FAMILIES.put(Pattern.compile(regex), new Rule(regex, Set.of(sender), Set.of(receiver)));
  }
}
