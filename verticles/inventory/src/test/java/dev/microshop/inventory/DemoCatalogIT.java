package dev.microshop.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.InventoryApi;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dev-mode demo catalog. The database is shared with the other test classes of this JVM, so
 * each test first removes the demo products and the seed marker, and counts only the demo SKUs.
 */
class DemoCatalogIT {
  private static final Map<String, String> DEV = Map.of("MICROSHOP_INVENTORY_DEV", "true");
  private static final Map<String, String> PRODUCTION = Map.of();
  private static final String[] DEMO_SKUS =
      DemoCatalog.PRODUCTS.stream().map(NewProduct::sku).toArray(String[]::new);

  @BeforeEach
  void forgetTheSeed() throws Exception {
    // Starting migrates the schema, in case this class runs first.
    try (ServiceHarness harness =
            ServiceHarness.start("inventory", InventoryVerticle::new, PRODUCTION);
        Connection c = harness.sql()) {
      execute(
          c,
          "DELETE FROM stock_adjustments WHERE product_id IN (SELECT id FROM products WHERE sku = ANY(?))");
      execute(c, "DELETE FROM products WHERE sku = ANY(?)");
      try (PreparedStatement s = c.prepareStatement("DELETE FROM seeds WHERE name = ?")) {
        s.setString(1, DemoCatalog.SEED);
        s.executeUpdate();
      }
    }
  }

  @Test
  void productionModeSeedsNothing() throws Exception {
    try (ServiceHarness harness =
            ServiceHarness.start("inventory", InventoryVerticle::new, PRODUCTION);
        Connection c = harness.sql()) {
      assertThat(demoProducts(c)).isZero();
      assertThat(seedMarkers(c)).isZero();
    }
  }

  @Test
  void devModeSeedsTheDemoCatalogOnceAndKeepsLaterChangesAcrossRestarts() throws Exception {
    Map<String, String> seeded;
    try (ServiceHarness harness = ServiceHarness.start("inventory", InventoryVerticle::new, DEV);
        Connection c = harness.sql()) {
      assertThat(demoProducts(c)).isEqualTo(DemoCatalog.PRODUCTS.size()).isGreaterThanOrEqualTo(24);
      assertThat(seedMarkers(c)).isEqualTo(1);
      seeded = idsBySku(c);
      // The seeded catalog is served like any other product.
      JsonObject page =
          harness.request(
              InventoryApi.LIST, new JsonObject().put("q", "KIT-ESP-00").put("limit", 10), null);
      assertThat(page.getJsonArray("items")).hasSize(3);
      c.createStatement()
          .executeUpdate(
              "UPDATE products SET name = 'Renamed by an admin' WHERE sku = 'KIT-ESP-001'");
      // A product removed from the catalog stays removed: the marker, not the SKUs, says "seeded".
      c.createStatement().executeUpdate("DELETE FROM products WHERE sku = 'KIT-TEA-002'");
      seeded.remove("KIT-TEA-002");
    }

    try (ServiceHarness harness = ServiceHarness.start("inventory", InventoryVerticle::new, DEV);
        Connection c = harness.sql()) {
      assertThat(demoProducts(c)).isEqualTo(DemoCatalog.PRODUCTS.size() - 1);
      assertThat(seedMarkers(c)).isEqualTo(1);
      assertThat(idsBySku(c)).isEqualTo(seeded);
      try (ResultSet rs =
          c.createStatement().executeQuery("SELECT name FROM products WHERE sku = 'KIT-ESP-001'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("Renamed by an admin");
      }
    }
  }

  @Test
  @SuppressWarnings("try") // the second instance only has to run beside the first
  void twoInstancesStartingAtOnceSeedOnce() throws Exception {
    CompletableFuture<ServiceHarness> first = CompletableFuture.supplyAsync(() -> start(DEV));
    CompletableFuture<ServiceHarness> second = CompletableFuture.supplyAsync(() -> start(DEV));
    try (ServiceHarness one = first.join();
        ServiceHarness two = second.join();
        Connection c = one.sql()) {
      assertThat(demoProducts(c)).isEqualTo(DemoCatalog.PRODUCTS.size());
      assertThat(seedMarkers(c)).isEqualTo(1);
    }
  }

  private static ServiceHarness start(Map<String, String> env) {
    try {
      return ServiceHarness.start("inventory", InventoryVerticle::new, env);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long demoProducts(Connection c) throws Exception {
    try (PreparedStatement s =
        c.prepareStatement("SELECT count(*) FROM products WHERE sku = ANY(?)")) {
      s.setArray(1, skus(c));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Map<String, String> idsBySku(Connection c) throws Exception {
    try (PreparedStatement s =
        c.prepareStatement("SELECT sku, id FROM products WHERE sku = ANY(?)")) {
      s.setArray(1, skus(c));
      Map<String, String> ids = new HashMap<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ids.put(rs.getString(1), rs.getString(2));
        }
      }
      return ids;
    }
  }

  private static long seedMarkers(Connection c) throws Exception {
    try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM seeds WHERE name = ?")) {
      s.setString(1, DemoCatalog.SEED);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void execute(Connection c, String sql) throws Exception {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setArray(1, skus(c));
      s.executeUpdate();
    }
  }

  private static Array skus(Connection c) throws Exception {
    return c.createArrayOf("text", DEMO_SKUS);
  }
}
