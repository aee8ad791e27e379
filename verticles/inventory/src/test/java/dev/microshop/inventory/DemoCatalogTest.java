package dev.microshop.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class DemoCatalogTest {

  @Test
  void everyDemoProductPassesValidationAndTheCatalogIsVaried() {
    ProductValidator validator = new ProductValidator(20);
    for (NewProduct p : DemoCatalog.PRODUCTS) {
      JsonObject body =
          new JsonObject()
              .put("sku", p.sku())
              .put("name", p.name())
              .put("description", p.description())
              .put("priceMinor", p.priceMinor())
              .put("currency", p.currency())
              .put("available", p.available());
      assertThat(validator.create(body)).isEqualTo(p);
    }
    assertThat(DemoCatalog.PRODUCTS).extracting(NewProduct::sku).doesNotHaveDuplicates();
    assertThat(DemoCatalog.PRODUCTS).extracting(NewProduct::currency).contains("EUR", "USD", "GBP");
    assertThat(DemoCatalog.PRODUCTS.stream().filter(p -> p.currency().equals("EUR")).count())
        .isGreaterThan(DemoCatalog.PRODUCTS.size() / 2);
    assertThat(DemoCatalog.PRODUCTS).extracting(NewProduct::available).contains(0);
  }
}
