package dev.microshop.inventory;

/** A validated {@code inventory.product.create}. */
record NewProduct(
    String sku, String name, String description, long priceMinor, String currency, int available) {}
