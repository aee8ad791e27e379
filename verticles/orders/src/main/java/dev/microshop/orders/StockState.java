package dev.microshop.orders;

/** The stock step of an order's saga ({@code orders.stock_state}, checked by the schema). */
enum StockState {
  NONE,
  REQUESTED,
  RESERVED,
  REJECTED,
  RELEASED,
  COMMITTED
}
