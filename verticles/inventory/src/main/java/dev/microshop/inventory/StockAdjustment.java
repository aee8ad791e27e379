package dev.microshop.inventory;

import java.util.UUID;

/**
 * A validated {@code inventory.stock.adjust}, by {@code actor} (the caller's user id). {@code
 * messageId}, when the sender gives one, makes a resent command apply once.
 */
record StockAdjustment(UUID productId, int delta, String reason, String actor, UUID messageId) {}
