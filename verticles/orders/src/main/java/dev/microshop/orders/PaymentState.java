package dev.microshop.orders;

/** The payment step of an order's saga ({@code orders.payment_state}, checked by the schema). */
enum PaymentState {
  NONE,
  REQUESTED,
  CHARGED,
  DECLINED,
  REFUNDED
}
