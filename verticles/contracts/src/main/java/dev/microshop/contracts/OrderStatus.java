package dev.microshop.contracts;

/** Where an order stands, as the public API shows it ({@code status}). */
public enum OrderStatus {
  /** Placed; the saga is reserving stock or charging the wallet. */
  PENDING,
  /** Stock sold and the wallet charged: final. */
  CONFIRMED,
  /** Final; {@code reason} says why, and whatever was done has been (or is being) undone. */
  CANCELLED
}
