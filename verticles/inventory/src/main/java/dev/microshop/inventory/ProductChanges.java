package dev.microshop.inventory;

import java.util.UUID;

/**
 * A validated {@code inventory.product.update}: null fields stay as they are; a null version
 * matches any.
 */
record ProductChanges(
    UUID id,
    Long expectedVersion,
    String name,
    String description,
    Long priceMinor,
    String currency) {}
