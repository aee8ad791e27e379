package dev.microshop.contracts;

import java.util.List;

/**
 * The names of microshop's services: launcher commands, config file names, discovery record names.
 */
public final class Services {
  public static final String GATEWAY = "gateway";
  public static final String USERS = "users";
  public static final String INVENTORY = "inventory";
  public static final String ORDERS = "orders";
  public static final String PAYMENTS = "payments";
  public static final String NOTIFICATIONS = "notifications";

  /** In start order for {@code up}: the gateway last, so it finds the others already published. */
  public static final List<String> ALL =
      List.of(USERS, INVENTORY, ORDERS, PAYMENTS, NOTIFICATIONS, GATEWAY);

  /** Services that own a database. The gateway is stateless. */
  public static final List<String> WITH_DATABASE =
      List.of(USERS, INVENTORY, ORDERS, PAYMENTS, NOTIFICATIONS);

  private Services() {}
}
