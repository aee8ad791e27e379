package dev.microshop.payments;

/**
 * Every SQL statement of the payments service. Values are always {@code $n} parameters. Each balance change
 * writes its ledger row ({@code wallet_transactions}) in the same statement or transaction.
 */
final class PaymentsSql {

  /** $1 user id. */
  static final String FIND_WALLET = """
      SELECT user_id, balance_minor, currency, updated_at
      FROM wallets
      WHERE user_id = $1
      """;

  /**
   * Opens a wallet unless it exists, with its OPENING ledger row, in one statement. Concurrent first calls are
   * safe: the losers of the primary-key race wait for the winner, then insert nothing. One row affected when
   * this call opened the wallet. $1 user id, $2 opening balance, $3 currency.
   */
  static final String OPEN_WALLET = """
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
   * Adds a credit to an existing wallet, unless its message id is already in the ledger. The wallet row is
   * locked while the new balance is computed, so concurrent credits serialise; a duplicate message id inserts
   * no ledger row and so updates nothing (it waits for a concurrent twin to commit first). Returns the wallet
   * when credited, no row for a duplicate. $1 user id, $2 amount, $3 reason, $4 message id, $5 actor.
   */
  static final String CREDIT = """
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

  /** The ledger row a message id already wrote, to tell a redelivery from a reuse. $1 message id. */
  static final String FIND_ENTRY = """
      SELECT user_id, kind, amount_minor, reason
      FROM wallet_transactions
      WHERE message_id = $1
      """;

  private PaymentsSql() {}
}
