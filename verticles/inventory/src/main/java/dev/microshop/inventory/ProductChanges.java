package dev.microshop.inventory;

import java.util.UUID;

/** A validated {@code inventory.product.update}: null fields stay as they are. */
record ProductChanges(UUID id, long expectedVersion, String name, String description, Long priceMinor,
    String currency) {}
