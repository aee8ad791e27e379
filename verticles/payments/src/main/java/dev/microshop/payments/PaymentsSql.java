package dev.microshop.payments;

/**
 * Every SQL statement of the payments service. Values are always {@code $n} parameters. Each
 * balance change writes its ledger row ({@code wallet_transactions}) in the same statement or
 * transaction.
 */
final class PaymentsSql {

  /** $1 user id. */
  static final String FIND_WALLET =
      """
      SELECT user_id, balance_minor, currency, updated_at
      FROM wallets
      WHERE user_id = $1
      """;

  /**
   * Opens a wallet unless it exists, with its OPENING ledger row, in one statement. Concurrent
   * first calls are safe: the losers of the primary-key race wait for the winner, then insert
   * nothing. One row affected when this call opened the wallet. $1 user id, $2 opening balance, $3
   * currency.
   */
  static final String OPEN_WALLET =
      """
      WITH opened AS (
        INSERT INTO wallets (user_id, balance_minor, currency)
        VALUES ($1, $2, $3)
        ON CONFLICT (user_id) DO NOTHING
        RETURNING user_id, balance_minor
      )
      INSERT INTO wallet_transactions (user_id, kind, amount_minor, balance_after_minor, reason, message_id, actor)
      SELECT user_id, 'OPENING', balance_minor, balance_minor, 'opening balance', gen_random_uuid(), 'system'
      FROM opened
      """;

  /**
   * Adds a credit to an existing wallet, unless its message id is already in the ledger. The wallet
   * row is locked while the new balance is computed, so concurrent credits serialise; a duplicate
   * message id inserts no ledger row and so updates nothing (it waits for a concurrent twin to
   * commit first). Returns the wallet when credited, no row for a duplicate. $1 user id, $2 amount,
   * $3 reason, $4 message id, $5 actor.
   */
  static final String CREDIT =
      """
      WITH entry AS (
        INSERT INTO wallet_transactions (user_id, kind, amount_minor, balance_after_minor, reason, message_id, actor)
        SELECT user_id, 'CREDIT', $2, balance_minor + $2, $3, $4, $5
        FROM wallets
        WHERE user_id = $1
        FOR UPDATE
        ON CONFLICT (message_id) DO NOTHING
        RETURNING user_id, balance_after_minor
      )
      UPDATE wallets AS w
      SET balance_minor = entry.balance_after_minor, updated_at = now()
      FROM entry
      WHERE w.user_id = entry.user_id
      RETURNING w.user_id, w.balance_minor, w.currency, w.updated_at
      """;

  /**
   * The ledger row a message id already wrote, to tell a redelivery from a reuse. $1 message id.
   */
  static final String FIND_ENTRY =
      """
      SELECT user_id, kind, amount_minor, reason
      FROM wallet_transactions
      WHERE message_id = $1
      """;

  /**
   * Holds the wallet until commit: the saga's charges and refunds of one wallet apply one at a
   * time. $1 user id.
   */
  static final String LOCK_WALLET =
      """
      SELECT user_id, balance_minor, currency, updated_at
      FROM wallets
      WHERE user_id = $1
      FOR UPDATE
      """;

  /** How an order's CHARGE was decided, if it was: its charge or its decline. $1 order id. */
  static final String FIND_CHARGE_OUTCOME =
      """
      SELECT 'CHARGED' AS outcome, -t.amount_minor AS amount_minor, w.currency, NULL AS reason
      FROM wallet_transactions t JOIN wallets w ON w.user_id = t.user_id
      WHERE t.order_id = $1 AND t.kind = 'CHARGE'
      UNION ALL
      SELECT 'DECLINED', amount_minor, currency, reason
      FROM declined_charges
      WHERE order_id = $1
      """;

  /**
   * Debits an order's total from a wallet that covers it, with its CHARGE ledger row, once per
   * order. No row when the balance is short or the order is already charged: the balance >= 0 CHECK
   * is never what refuses it. $1 user id, $2 amount, $3 reason, $4 message id, $5 order id.
   */
  static final String CHARGE =
      """
      WITH entry AS (
        INSERT INTO wallet_transactions
          (user_id, kind, amount_minor, balance_after_minor, reason, message_id, order_id, actor)
        SELECT user_id, 'CHARGE', -$2::bigint, balance_minor - $2, $3, $4, $5, 'system'
        FROM wallets
        WHERE user_id = $1 AND balance_minor >= $2
        ON CONFLICT (order_id) WHERE kind = 'CHARGE' DO NOTHING
        RETURNING user_id, balance_after_minor
      )
      UPDATE wallets AS w
      SET balance_minor = entry.balance_after_minor, updated_at = now()
      FROM entry
      WHERE w.user_id = entry.user_id
      RETURNING w.balance_minor
      """;

  /** $1 order id, $2 user id, $3 amount, $4 currency, $5 reason. */
  static final String DECLINE =
      """
      INSERT INTO declined_charges (order_id, user_id, amount_minor, currency, reason)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (order_id) DO NOTHING
      """;

  /** An order's charge, to refund: the wallet and the amount taken (positive). $1 order id. */
  static final String FIND_CHARGE =
      """
      SELECT user_id, -amount_minor AS amount_minor
      FROM wallet_transactions
      WHERE order_id = $1 AND kind = 'CHARGE'
      """;

  /**
   * Credits a charge back with its REFUND ledger row, once per order: no row when it was refunded
   * already. $1 user id, $2 amount, $3 reason, $4 message id, $5 order id.
   */
  static final String REFUND =
      """
      WITH entry AS (
        INSERT INTO wallet_transactions
          (user_id, kind, amount_minor, balance_after_minor, reason, message_id, order_id, actor)
        SELECT user_id, 'REFUND', $2, balance_minor + $2, $3, $4, $5, 'system'
        FROM wallets
        WHERE user_id = $1
        ON CONFLICT (order_id) WHERE kind = 'REFUND' DO NOTHING
        RETURNING user_id, balance_after_minor
      )
      UPDATE wallets AS w
      SET balance_minor = entry.balance_after_minor, updated_at = now()
      FROM entry
      WHERE w.user_id = entry.user_id
      RETURNING w.balance_minor
      """;

  /**
   * A page of a wallet's ledger, newest first, after the keyset $2 (an id). $1 user id, $3 rows.
   */
  static final String LEDGER_PAGE =
      """
      SELECT id, kind, amount_minor, balance_after_minor, reason, order_id, created_at
      FROM wallet_transactions
      WHERE user_id = $1 AND id < $2
      ORDER BY id DESC
      LIMIT $3
      """;

  private PaymentsSql() {}
}
