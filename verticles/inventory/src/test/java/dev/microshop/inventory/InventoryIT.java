package dev.microshop.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.CatalogPages;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inventory service on a real PostgreSQL and event bus. The database is shared with the other
 * test classes of this JVM (and may hold the demo catalog), so every test works on products
 * carrying its own marker.
 */
class InventoryIT {
  private static final Identity ADMIN =
      new Identity(UUID.randomUUID().toString(), List.of(Identity.ADMIN));
  private static final Identity CUSTOMER =
      new Identity(UUID.randomUUID().toString(), List.of(Identity.CUSTOMER));
  private static ServiceHarness harness;

  @BeforeAll
  static void start() throws Exception {
    harness = ServiceHarness.start("inventory", InventoryVerticle::new, Map.of());
  }

  @AfterAll
  static void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void anAdminCreatesAProductAtVersionOne() throws Exception {
    String sku = sku();
    JsonObject created =
        harness.request(
            InventoryApi.CREATE,
            new JsonObject()
                .put("sku", sku)
                .put("name", " Moka Pot ")
                .put("description", "Six cups")
                .put("priceMinor", 2950)
                .put("currency", "EUR")
                .put("available", 12)
                .put("messageId", UUID.randomUUID().toString()),
            ADMIN);

    assertThat(created.getString("id")).matches("[0-9a-f-]{36}");
    assertThat(created.getString("sku")).isEqualTo(sku);
    assertThat(created.getString("name")).isEqualTo("Moka Pot");
    assertThat(created.getString("description")).isEqualTo("Six cups");
    assertThat(created.getLong("priceMinor")).isEqualTo(2950);
    assertThat(created.getString("currency")).isEqualTo("EUR");
    assertThat(created.getInteger("available")).isEqualTo(12);
    assertThat(created.getLong("version")).isEqualTo(1);
    assertThat(created.getString("createdAt"))
        .isEqualTo(created.getString("updatedAt"))
        .endsWith("Z");
    Map<String, Object> row = row(created.getString("id"));
    assertThat(row)
        .containsEntry("sku", sku)
        .containsEntry("name", "Moka Pot")
        .containsEntry("price_minor", 2950L)
        .containsEntry("currency", "EUR")
        .containsEntry("available", 12)
        .containsEntry("version", 1L);
    assertThat(
            harness.request(
                InventoryApi.GET, new JsonObject().put("id", created.getString("id")), null))
        .isEqualTo(created);
  }

  @Test
  void aCustomerMayNotCreateAndAnAnonymousCallerMustAuthenticate() throws Exception {
    String sku = sku();
    JsonObject body = product(sku, "Forbidden Lamp");

    assertFailure(harness.failure(InventoryApi.CREATE, body, CUSTOMER), 403, "admin");
    assertFailure(harness.failure(InventoryApi.CREATE, body, null), 401, "authentication");
    assertThat(countWhere("sku = ?", sku)).isZero();
  }

  @Test
  void invalidFieldsAreRejectedNamingEachOne() throws Exception {
    String sku = sku();
    assertFailure(
        harness.failure(InventoryApi.CREATE, product(sku, "Lamp").put("priceMinor", -1), ADMIN),
        400,
        "priceMinor must be an integer from 0 to 1000000000");
    assertFailure(
        harness.failure(InventoryApi.CREATE, product(sku, "Lamp").put("currency", "euro"), ADMIN),
        400,
        "currency must be an ISO 4217 code");
    assertFailure(
        harness.failure(InventoryApi.CREATE, product(sku, "Lamp").put("currency", "ABC"), ADMIN),
        400,
        "currency ABC is not an ISO 4217 code");
    assertFailure(
        harness.failure(InventoryApi.CREATE, product(sku, ""), ADMIN),
        400,
        "name must be 1 to 200");
    assertFailure(
        harness.failure(InventoryApi.CREATE, product("bad sku!", "Lamp"), ADMIN),
        400,
        "sku must be");
    assertFailure(
        harness.failure(InventoryApi.CREATE, product(sku, "Lamp").put("available", -5), ADMIN),
        400,
        "available must be an integer from 0 to 1000000");
    assertFailure(
        harness.failure(
            InventoryApi.CREATE, product(sku, "Lamp").put("description", "d".repeat(2001)), ADMIN),
        400,
        "description must be at most 2000 characters");
    assertFailure(
        harness.failure(InventoryApi.CREATE, product(sku, "Lamp").put("priceMinor", 9.99), ADMIN),
        400,
        "priceMinor must be an integer");
    ReplyException several =
        harness.failure(
            InventoryApi.CREATE,
            product(sku, "").put("priceMinor", -1).put("currency", "x"),
            ADMIN);
    assertThat(several.getMessage()).contains("name", "priceMinor", "currency");
    assertThat(countWhere("sku = ?", sku)).isZero();
  }

  @Test
  void aTakenSkuConflictsWhateverItsCase() throws Exception {
    String sku = sku();
    harness.request(InventoryApi.CREATE, product(sku, "First"), ADMIN);

    assertFailure(
        harness.failure(InventoryApi.CREATE, product(sku, "Second"), ADMIN),
        409,
        "sku " + sku + " is already taken");
    assertFailure(
        harness.failure(InventoryApi.CREATE, product(sku.toLowerCase(), "Third"), ADMIN),
        409,
        "already taken");
    assertThat(countWhere("lower(sku) = lower(?)", sku)).isEqualTo(1);
    assertThat(countWhere("sku = ? AND name = 'First'", sku)).isEqualTo(1);
  }

  @Test
  void getAnswersNotFoundForAnUnknownIdAndBadRequestForAMalformedOne() {
    String unknown = UUID.randomUUID().toString();
    assertFailure(
        harness.failure(InventoryApi.GET, new JsonObject().put("id", unknown), null),
        404,
        "product " + unknown + " not found");
    assertFailure(
        harness.failure(InventoryApi.GET, new JsonObject().put("id", "42"), null),
        400,
        "id must be a UUID");
    assertFailure(harness.failure(InventoryApi.GET, new JsonObject(), null), 400, "id is required");
  }

  @Test
  void pagesWalkEveryMatchingProductOnceInNameOrder() {
    String marker = marker();
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 25; i++) {
      // Duplicate names (i % 20) make the id the tie-breaker of the order.
      created.add(
          create(product(sku(), "Page " + marker + " " + (char) ('a' + i % 20))).getString("id"));
    }

    List<JsonObject> pages = walk(marker, 10);

    assertThat(pages).extracting(p -> p.getJsonArray("items").size()).containsExactly(10, 10, 5);
    assertThat(pages.get(0).getString("nextCursor")).matches("[A-Za-z0-9_-]+");
    assertThat(pages.get(2).containsKey("nextCursor")).isFalse();
    List<JsonObject> items = items(pages);
    assertThat(items)
        .extracting(p -> p.getString("id"))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(created);
    assertInKeysetOrder(items);
  }

  @Test
  void aLastPageThatIsExactlyFullHasNoNextCursor() {
    String marker = marker();
    for (int i = 0; i < 20; i++) {
      create(product(sku(), "Full " + marker + " " + i));
    }

    List<JsonObject> pages = walk(marker, 10);

    assertThat(pages).hasSize(2);
    assertThat(pages.get(1).getJsonArray("items")).hasSize(10);
    assertThat(pages.get(1).containsKey("nextCursor")).isFalse();
  }

  @Test
  void insertsDuringPagingNeitherRepeatNorSkipTheProductsThatWereThere() {
    String marker = marker();
    Set<String> before = new HashSet<>();
    for (int i = 0; i < 15; i++) {
      before.add(
          create(product(sku(), "Stable " + marker + " m" + (char) ('a' + i))).getString("id"));
    }
    JsonObject first = list(new JsonObject().put("q", marker).put("limit", 5));
    // One sorts before the cursor, one after: neither may shift the products that were already
    // there.
    create(product(sku(), "Stable " + marker + " a-new"));
    create(product(sku(), "Stable " + marker + " z-new"));

    List<JsonObject> rest = walkFrom(new JsonObject().put("q", marker).put("limit", 5), first);

    List<String> seen = items(rest).stream().map(p -> p.getString("id")).toList();
    assertThat(seen).doesNotHaveDuplicates().containsAll(before);
  }

  @Test
  void theFilterIgnoresCaseAndTakesWildcardsLiterally() {
    String marker = marker();
    String underscore = create(product(sku(), "Wild " + marker + "_a")).getString("id");
    create(product(sku(), "Wild " + marker + "xa"));
    String percent = create(product(sku(), "Wild " + marker + "%b")).getString("id");
    create(product(sku(), "Wild " + marker + "yyb"));
    String backslash = create(product(sku(), "Wild " + marker + "\\c")).getString("id");
    String bySku =
        create(product(marker.toUpperCase() + "-SKU", "Found by its SKU")).getString("id");
    String byDescription =
        create(
                product(sku(), "Found by its description")
                    .put("description", "Mentions " + marker + " in passing"))
            .getString("id");

    assertThat(ids(marker + "_a")).containsExactly(underscore);
    assertThat(ids(marker + "%b")).containsExactly(percent);
    assertThat(ids(marker + "\\c")).containsExactly(backslash);
    assertThat(ids(marker.toUpperCase() + "_A")).containsExactly(underscore);
    assertThat(ids(marker.toUpperCase())).hasSize(7).contains(bySku, byDescription);
    assertThat(ids(marker + "-sku")).containsExactly(bySku);
    assertThat(ids("%" + marker)).isEmpty();
  }

  @Test
  void theTextFilterHasTrigramIndexesOnTheEmbeddedDatabase() throws Exception {
    try (Connection c = harness.sql();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'products' AND indexname LIKE '%_trgm'")) {
      List<String> names = new ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString(1));
      }
      assertThat(names)
          .containsExactlyInAnyOrder(
              "products_name_trgm", "products_sku_trgm", "products_description_trgm");
    }
  }

  @Test
  void listRejectsALimitOutsideOneToAHundredAndAForeignCursor() {
    assertFailure(
        harness.failure(InventoryApi.LIST, new JsonObject().put("limit", 0), null),
        400,
        "limit must be an integer from 1 to 100");
    assertFailure(
        harness.failure(InventoryApi.LIST, new JsonObject().put("limit", 101), null),
        400,
        "limit must be an integer from 1 to 100");
    assertFailure(
        harness.failure(
            InventoryApi.LIST, new JsonObject().put("limit", 10).put("cursor", "bm9wZQ"), null),
        400,
        "cursor is malformed");
    assertFailure(
        harness.failure(
            InventoryApi.LIST, new JsonObject().put("limit", 10).put("cursor", "a b"), null),
        400,
        "cursor");
  }

  @Test
  void listWithoutALimitReturnsTheDefaultPageSize() {
    String marker = marker();
    for (int i = 0; i < 21; i++) {
      create(product(sku(), "Default " + marker + " " + i));
    }

    JsonObject page = list(new JsonObject().put("q", marker));

    assertThat(page.getJsonArray("items")).hasSize(20);
    assertThat(page.getString("nextCursor")).isNotBlank();
  }

  @Test
  void anUpdateFromTheCurrentVersionChangesOnlyTheGivenFieldsAndBumpsTheVersion() throws Exception {
    JsonObject product = create(product(sku(), "Old Name").put("description", "Kept"));

    JsonObject updated =
        harness.request(
            InventoryApi.UPDATE,
            new JsonObject()
                .put("id", product.getString("id"))
                .put("expectedVersion", 1)
                .put("name", "New Name")
                .put("priceMinor", 4500)
                .put("currency", "CHF"),
            ADMIN);

    assertThat(updated.getLong("version")).isEqualTo(2);
    assertThat(updated.getString("name")).isEqualTo("New Name");
    assertThat(updated.getLong("priceMinor")).isEqualTo(4500);
    assertThat(updated.getString("currency")).isEqualTo("CHF");
    assertThat(updated.getString("description")).isEqualTo("Kept");
    assertThat(updated.getString("sku")).isEqualTo(product.getString("sku"));
    assertThat(updated.getInteger("available")).isEqualTo(product.getInteger("available"));
    assertThat(updated.getString("createdAt")).isEqualTo(product.getString("createdAt"));
    assertThat(updated.getString("updatedAt")).isGreaterThan(product.getString("updatedAt"));
    assertThat(row(product.getString("id")))
        .containsEntry("name", "New Name")
        .containsEntry("version", 2L)
        .containsEntry("price_minor", 4500L)
        .containsEntry("currency", "CHF")
        .containsEntry("description", "Kept");
  }

  @Test
  void anUpdateFromAStaleVersionFailsWithTheCurrentVersionAndChangesNothing() throws Exception {
    JsonObject product = create(product(sku(), "Contested"));
    String id = product.getString("id");
    update(id, 1, "First Edit");

    ReplyException stale =
        harness.failure(
            InventoryApi.UPDATE,
            new JsonObject().put("id", id).put("expectedVersion", 1).put("name", "Lost Edit"),
            ADMIN);

    assertFailure(stale, 412, "product " + id + " is at version 2, not 1");
    assertThat(row(id)).containsEntry("name", "First Edit").containsEntry("version", 2L);
  }

  @Test
  void anUpdateForAnyVersionOverwritesWhateverIsCurrentButOnlyOfAProductThatExists()
      throws Exception {
    String id = create(product(sku(), "Whatever")).getString("id");
    update(id, 1, "First Edit");

    JsonObject forced =
        harness.request(
            InventoryApi.UPDATE,
            new JsonObject().put("id", id).put("anyVersion", true).put("name", "Forced"),
            ADMIN);
    ReplyException missing =
        harness.failure(
            InventoryApi.UPDATE,
            new JsonObject()
                .put("id", UUID.randomUUID().toString())
                .put("anyVersion", true)
                .put("name", "X"),
            ADMIN);
    ReplyException neither =
        harness.failure(
            InventoryApi.UPDATE,
            new JsonObject().put("id", id).put("name", "No Precondition"),
            ADMIN);

    assertThat(forced.getLong("version")).isEqualTo(3L);
    assertThat(row(id)).containsEntry("name", "Forced").containsEntry("version", 3L);
    assertThat(missing.failureCode()).isEqualTo(404);
    assertFailure(neither, 400, "expectedVersion");
  }

  @Test
  void ofConcurrentUpdatesFromTheSameVersionExactlyOneWins() throws Exception {
    String id = create(product(sku(), "Race")).getString("id");

    List<Future<Message<JsonObject>>> attempts =
        IntStream.range(0, 20)
            .mapToObj(
                i ->
                    harness
                        .vertx()
                        .eventBus()
                        .<JsonObject>request(
                            InventoryApi.UPDATE,
                            new JsonObject()
                                .put("id", id)
                                .put("expectedVersion", 1)
                                .put("name", "Writer " + i),
                            ADMIN.addTo(new DeliveryOptions().setSendTimeout(10_000))))
            .toList();
    ServiceHarness.await(Future.join(attempts).otherwiseEmpty());

    List<JsonObject> winners =
        attempts.stream().filter(Future::succeeded).map(f -> f.result().body()).toList();
    List<Throwable> losers = attempts.stream().filter(Future::failed).map(Future::cause).toList();
    assertThat(winners).hasSize(1);
    assertThat(losers)
        .hasSize(19)
        .allSatisfy(e -> assertFailure((ReplyException) e, 412, "is at version 2, not 1"));
    assertThat(row(id))
        .containsEntry("version", 2L)
        .containsEntry("name", winners.get(0).getString("name"));
  }

  @Test
  void updatesAreForAdminsOfExistingProductsAndLeaveStockAlone() throws Exception {
    String id = create(product(sku(), "Guarded")).getString("id");
    JsonObject rename =
        new JsonObject().put("id", id).put("expectedVersion", 1).put("name", "Hijacked");
    String unknown = UUID.randomUUID().toString();

    assertFailure(harness.failure(InventoryApi.UPDATE, rename, CUSTOMER), 403, "admin");
    assertFailure(harness.failure(InventoryApi.UPDATE, rename, null), 401, "authentication");
    assertFailure(
        harness.failure(InventoryApi.UPDATE, rename.copy().put("id", unknown), ADMIN),
        404,
        "product " + unknown + " not found");
    assertFailure(
        harness.failure(InventoryApi.UPDATE, rename.copy().put("available", 999), ADMIN),
        400,
        "available cannot be set by an update");
    assertThat(row(id))
        .containsEntry("name", "Guarded")
        .containsEntry("version", 1L)
        .containsEntry("available", 10);
  }

  @Test
  void aReadIsServedFromMemoryUntilThisInstanceChangesProductsOrAnotherInstanceSaysItDid()
      throws Exception {
    String id = create(product(sku(), "Cached")).getString("id");
    JsonObject first = get(id);
    // A change the service cannot see (another instance's, before its event arrives): the cached
    // copy answers.
    try (Connection db = harness.sql();
        PreparedStatement update =
            db.prepareStatement(
                "UPDATE products SET name = 'Changed behind its back', version = version + 1 WHERE id = ?::uuid")) {
      update.setString(1, id);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }

    assertThat(get(id)).as("served from memory").isEqualTo(first);

    // Any change made through this instance starts a new generation: the next read is fresh, and
    // current.
    harness.request(
        InventoryApi.ADJUST_STOCK,
        new JsonObject().put("id", id).put("delta", -1).put("reason", "cache test"),
        ADMIN);
    JsonObject fresh = get(id);
    assertThat(fresh.getString("name")).isEqualTo("Changed behind its back");
    assertThat(fresh.getInteger("available")).isEqualTo(9);
    assertThat(fresh.getLong("version")).isEqualTo(3);
    assertThat(get(id)).isEqualTo(fresh);

    // Another instance's change event makes the next read fresh too.
    try (Connection db = harness.sql();
        PreparedStatement update =
            db.prepareStatement(
                "UPDATE products SET available = 7, version = version + 1 WHERE id = ?::uuid")) {
      update.setString(1, id);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
    assertThat(get(id).getInteger("available")).isEqualTo(9);
    harness
        .vertx()
        .eventBus()
        .publish(
            InventoryApi.CATALOG_CHANGED,
            new JsonObject().put("instanceId", UUID.randomUUID().toString()));
    long deadline = System.currentTimeMillis() + 5000;
    while (get(id).getInteger("available") != 7 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(get(id).getInteger("available")).isEqualTo(7);
    assertThat(get(id).getLong("version")).isEqualTo(4);
  }

  @Test
  void aReservationOrAReleaseRefreshesOnlyTheProductsItTouchesAndSoDoesAChangeEventThatNamesThem()
      throws Exception {
    String reserved = create(product(sku(), "Reserved")).getString("id");
    String other = create(product(sku(), "Untouched")).getString("id");
    String named = create(product(sku(), "Named")).getString("id");
    get(reserved);
    JsonObject otherFirst = get(other);
    JsonObject namedFirst = get(named);
    behindItsBack(
        "UPDATE products SET name = name || ' (changed)', version = version + 1 WHERE id = ANY(?::uuid[])",
        reserved,
        other,
        named);

    String order = UUID.randomUUID().toString();
    harness.request(
        InventoryApi.RESERVE_STOCK,
        new JsonObject()
            .put("messageId", UUID.randomUUID().toString())
            .put("orderId", order)
            .put(
                "lines",
                new JsonArray()
                    .add(new JsonObject().put("productId", reserved).put("quantity", 3))),
        null);

    JsonObject fresh = get(reserved);
    assertThat(fresh.getString("name")).isEqualTo("Reserved (changed)");
    assertThat(fresh.getInteger("available")).isEqualTo(7);
    assertThat(get(other)).as("another product stays in memory").isEqualTo(otherFirst);
    assertThat(get(named)).isEqualTo(namedFirst);

    // Another instance's event naming one product refreshes that one only.
    harness
        .vertx()
        .eventBus()
        .publish(
            InventoryApi.CATALOG_CHANGED,
            new JsonObject()
                .put("instanceId", UUID.randomUUID().toString())
                .put("ids", new JsonArray().add(named)));
    long deadline = System.currentTimeMillis() + 5000;
    while (!get(named).getString("name").endsWith("(changed)")
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(get(named).getString("name")).isEqualTo("Named (changed)");
    assertThat(get(other)).isEqualTo(otherFirst);

    // A release learns its products as it runs: the one it gives stock back to is read fresh, the
    // others are not.
    JsonObject namedNow = get(named);
    behindItsBack(
        "UPDATE products SET name = name || ' again', version = version + 1 WHERE id = ANY(?::uuid[])",
        reserved,
        named);
    harness.request(
        InventoryApi.RELEASE_STOCK,
        new JsonObject().put("messageId", UUID.randomUUID().toString()).put("orderId", order),
        null);
    JsonObject released = get(reserved);
    assertThat(released.getString("name")).isEqualTo("Reserved (changed) again");
    assertThat(released.getInteger("available")).isEqualTo(10);
    assertThat(get(named)).isEqualTo(namedNow);
    assertThat(get(other)).isEqualTo(otherFirst);
  }

  @Test
  void aListPageIsServedFromMemoryUntilAProductItListsChangesOrAnAdminWriteRuns() throws Exception {
    String marker = marker();
    String listed = create(product(sku(), "Listed " + marker + " a")).getString("id");
    String second = create(product(sku(), "Listed " + marker + " b")).getString("id");
    JsonObject query = new JsonObject().put("q", marker).put("limit", 10);
    JsonObject first = list(query);
    assertThat(first.getJsonArray("items")).hasSize(2);
    behindItsBack(
        "UPDATE products SET name = name || ' (changed)', version = version + 1 WHERE id = ANY(?::uuid[])",
        listed,
        second);
    assertThat(list(query)).as("served from memory").isEqualTo(first);

    // A reservation of one listed product: the page is read again, with its stock and the change
    // made behind the service's back.
    harness.request(
        InventoryApi.RESERVE_STOCK,
        new JsonObject()
            .put("messageId", UUID.randomUUID().toString())
            .put("orderId", UUID.randomUUID().toString())
            .put(
                "lines",
                new JsonArray().add(new JsonObject().put("productId", listed).put("quantity", 4))),
        null);
    JsonObject afterReservation = list(query);
    JsonObject reserved = afterReservation.getJsonArray("items").getJsonObject(0);
    assertThat(reserved.getString("id")).isEqualTo(listed);
    assertThat(reserved.getInteger("available")).isEqualTo(6);
    assertThat(reserved.getString("name")).isEqualTo("Listed " + marker + " a (changed)");
    assertThat(list(query)).isEqualTo(afterReservation);

    // A product created through this instance may belong on any page: every page is read again.
    String third = create(product(sku(), "Listed " + marker + " c")).getString("id");
    assertThat(list(query).getJsonArray("items"))
        .extracting(item -> ((JsonObject) item).getString("id"))
        .containsExactly(listed, second, third);
  }

  /**
   * Two instances, and the published change event lost (the bus is at-most-once): an admin write
   * through one is still current on the other before its reply, for the product and for a page.
   */
  @Test
  void anAdminWriteIsCurrentOnEveryInstanceBeforeItsReplyEvenWhenItsEventIsLost() throws Exception {
    String marker = marker();
    String id = create(product(sku(), "Twice " + marker)).getString("id");
    JsonObject query = new JsonObject().put("q", marker).put("limit", 10);
    String second = harness.deployAnother();
    Handler<DeliveryContext<Object>> loseChangeEvents =
        ctx -> {
          if (!ctx.message().address().equals(InventoryApi.CATALOG_CHANGED)) {
            ctx.next();
          }
        };
    harness.vertx().eventBus().addOutboundInterceptor(loseChangeEvents);
    try {
      // Both instances hold the product and the page: the bus alternates between them.
      for (int i = 0; i < 4; i++) {
        assertThat(get(id).getInteger("available")).isEqualTo(10);
        assertThat(list(query).getJsonArray("items")).hasSize(1);
      }
      harness.request(
          InventoryApi.ADJUST_STOCK,
          new JsonObject().put("id", id).put("delta", -3).put("reason", "two instances"),
          ADMIN);
      for (int i = 0; i < 4; i++) {
        assertThat(get(id).getInteger("available")).as("read %d", i).isEqualTo(7);
        assertThat(list(query).getJsonArray("items").getJsonObject(0).getInteger("available"))
            .as("page %d", i)
            .isEqualTo(7);
      }
    } finally {
      harness.vertx().eventBus().removeOutboundInterceptor(loseChangeEvents);
      ServiceHarness.await(harness.vertx().undeploy(second));
    }
  }

  private static void behindItsBack(String sql, String... ids) throws Exception {
    try (Connection db = harness.sql();
        PreparedStatement update = db.prepareStatement(sql)) {
      update.setString(1, "{" + String.join(",", ids) + "}");
      assertThat(update.executeUpdate()).isEqualTo(ids.length);
    }
  }

  @Test
  void aStockAdjustmentChangesStockBumpsTheVersionAndIsRecorded() throws Exception {
    String id = create(product(sku(), "Adjusted")).getString("id");

    JsonObject adjusted =
        harness.request(
            InventoryApi.ADJUST_STOCK,
            new JsonObject().put("id", id).put("delta", -4).put("reason", "damaged in transit"),
            ADMIN);

    assertThat(adjusted.getInteger("available")).isEqualTo(6);
    assertThat(adjusted.getLong("version")).isEqualTo(2);
    assertThat(row(id)).containsEntry("available", 6).containsEntry("version", 2L);
    List<Map<String, Object>> adjustments = adjustments(id);
    assertThat(adjustments).hasSize(1);
    assertThat(adjustments.get(0))
        .containsEntry("delta", -4)
        .containsEntry("reason", "damaged in transit")
        .containsEntry("actor", ADMIN.userId());
    assertThat(adjustments.get(0).get("created_at")).isNotNull();
  }

  @Test
  void anAdjustmentBelowZeroConflictsAndChangesNothing() throws Exception {
    String id = create(product(sku(), "Scarce").put("available", 3)).getString("id");

    assertFailure(
        harness.failure(
            InventoryApi.ADJUST_STOCK,
            new JsonObject().put("id", id).put("delta", -4).put("reason", "sold offline"),
            ADMIN),
        409,
        "stock of product " + id + " is 3: cannot remove 4");

    assertThat(row(id)).containsEntry("available", 3).containsEntry("version", 1L);
    assertThat(adjustments(id)).isEmpty();
  }

  @Test
  void concurrentRemovalsNeverTakeStockBelowZero() throws Exception {
    String id = create(product(sku(), "Hot Item").put("available", 10)).getString("id");

    List<Future<Message<JsonObject>>> attempts =
        IntStream.range(0, 15)
            .mapToObj(
                i ->
                    harness
                        .vertx()
                        .eventBus()
                        .<JsonObject>request(
                            InventoryApi.ADJUST_STOCK,
                            new JsonObject()
                                .put("id", id)
                                .put("delta", -1)
                                .put("reason", "sale " + i),
                            ADMIN.addTo(new DeliveryOptions().setSendTimeout(10_000))))
            .toList();
    ServiceHarness.await(Future.join(attempts).otherwiseEmpty());

    assertThat(attempts.stream().filter(Future::succeeded)).hasSize(10);
    assertThat(attempts.stream().filter(Future::failed).map(Future::cause))
        .hasSize(5)
        .allSatisfy(e -> assertFailure((ReplyException) e, 409, "is 0: cannot remove 1"));
    assertThat(row(id)).containsEntry("available", 0).containsEntry("version", 11L);
    assertThat(adjustments(id)).hasSize(10);
  }

  @Test
  void aResentAdjustmentWithTheSameMessageIdAppliesOnce() throws Exception {
    String id = create(product(sku(), "Resent")).getString("id");
    JsonObject command =
        new JsonObject()
            .put("id", id)
            .put("delta", 5)
            .put("reason", "delivery")
            .put("messageId", UUID.randomUUID().toString());

    JsonObject first = harness.request(InventoryApi.ADJUST_STOCK, command, ADMIN);
    JsonObject again = harness.request(InventoryApi.ADJUST_STOCK, command, ADMIN);

    assertThat(first.getInteger("available")).isEqualTo(15);
    assertThat(again).isEqualTo(first);
    assertThat(row(id)).containsEntry("available", 15).containsEntry("version", 2L);
    assertThat(adjustments(id)).hasSize(1);
    String other = create(product(sku(), "Other")).getString("id");
    assertFailure(
        harness.failure(InventoryApi.ADJUST_STOCK, command.copy().put("id", other), ADMIN),
        422,
        "already used for a different stock adjustment");
    assertFailure(
        harness.failure(InventoryApi.ADJUST_STOCK, command.copy().put("delta", 6), ADMIN),
        422,
        "already used for a different stock adjustment");
    assertFailure(
        harness.failure(InventoryApi.ADJUST_STOCK, command.copy().put("reason", "return"), ADMIN),
        422,
        "already used for a different stock adjustment");
    assertThat(row(other)).containsEntry("available", 10);
    assertThat(row(id)).containsEntry("available", 15);
    assertThat(adjustments(id)).hasSize(1);
  }

  @Test
  void adjustmentsAreForAdminsOfExistingProductsWithANonZeroDeltaAndAReason() throws Exception {
    String id = create(product(sku(), "Checked")).getString("id");
    JsonObject add = new JsonObject().put("id", id).put("delta", 1).put("reason", "found one");
    String unknown = UUID.randomUUID().toString();

    assertFailure(harness.failure(InventoryApi.ADJUST_STOCK, add, CUSTOMER), 403, "admin");
    assertFailure(harness.failure(InventoryApi.ADJUST_STOCK, add, null), 401, "authentication");
    assertFailure(
        harness.failure(InventoryApi.ADJUST_STOCK, add.copy().put("id", unknown), ADMIN),
        404,
        "product " + unknown + " not found");
    assertFailure(
        harness.failure(InventoryApi.ADJUST_STOCK, add.copy().put("delta", 0), ADMIN),
        400,
        "delta must not be 0");
    assertFailure(
        harness.failure(InventoryApi.ADJUST_STOCK, add.copy().put("reason", ""), ADMIN),
        400,
        "reason");
    assertFailure(
        harness.failure(InventoryApi.ADJUST_STOCK, add.copy().put("delta", 1_000_000), ADMIN),
        409,
        "would exceed 1000000");
    assertThat(row(id)).containsEntry("available", 10).containsEntry("version", 1L);
    assertThat(adjustments(id)).isEmpty();
  }

  // --- helpers

  private static String marker() {
    return "mk" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  private static String sku() {
    return "T-" + UUID.randomUUID().toString().substring(0, 18).toUpperCase();
  }

  private static JsonObject product(String sku, String name) {
    return new JsonObject()
        .put("sku", sku)
        .put("name", name)
        .put("priceMinor", 1999)
        .put("currency", "EUR")
        .put("available", 10);
  }

  private static JsonObject create(JsonObject body) {
    return harness.request(InventoryApi.CREATE, body, ADMIN);
  }

  private static JsonObject update(String id, long version, String name) {
    return harness.request(
        InventoryApi.UPDATE,
        new JsonObject().put("id", id).put("expectedVersion", version).put("name", name),
        ADMIN);
  }

  private static JsonObject get(String id) {
    return harness.request(InventoryApi.GET, new JsonObject().put("id", id), null);
  }

  @Test
  void aPageIsAnsweredAsTheBytesOfItsJsonWithItsETagInAHeader() {
    Message<Object> reply =
        harness.reply(InventoryApi.LIST, new JsonObject().put("limit", 5), null);

    assertThat(reply.body()).isInstanceOf(Buffer.class);
    JsonObject page = ((Buffer) reply.body()).toJsonObject();
    assertThat(page.containsKey("items")).isTrue();
    assertThat(reply.headers().get(CatalogPages.ETAG_HEADER)).isEqualTo(CatalogPages.etag(page));
    // The same page again: the same bytes, from memory.
    Message<Object> again =
        harness.reply(InventoryApi.LIST, new JsonObject().put("limit", 5), null);
    assertThat(again.body()).isEqualTo(reply.body());
    assertThat(again.headers().get(CatalogPages.ETAG_HEADER))
        .isEqualTo(reply.headers().get(CatalogPages.ETAG_HEADER));
  }

  private static JsonObject list(JsonObject query) {
    return harness.request(InventoryApi.LIST, query, null);
  }

  private static List<JsonObject> walk(String q, int limit) {
    JsonObject query = new JsonObject().put("q", q).put("limit", limit);
    return walkFrom(query, list(query));
  }

  /** {@code first} and every page after it. */
  private static List<JsonObject> walkFrom(JsonObject query, JsonObject first) {
    List<JsonObject> pages = new ArrayList<>(List.of(first));
    while (pages.get(pages.size() - 1).getString("nextCursor") != null) {
      assertThat(pages).as("pages").hasSizeLessThan(50);
      pages.add(
          list(query.copy().put("cursor", pages.get(pages.size() - 1).getString("nextCursor"))));
    }
    return pages;
  }

  private static List<JsonObject> items(List<JsonObject> pages) {
    return pages.stream()
        .flatMap(p -> p.getJsonArray("items").stream().map(JsonObject.class::cast))
        .toList();
  }

  private static List<String> ids(String q) {
    return items(walk(q, 100)).stream().map(p -> p.getString("id")).toList();
  }

  /**
   * Sorted by name (as the database collates), then by id (as text, which is PostgreSQL's uuid
   * order).
   */
  private static void assertInKeysetOrder(List<JsonObject> items) {
    for (int i = 1; i < items.size(); i++) {
      JsonObject a = items.get(i - 1);
      JsonObject b = items.get(i);
      int byName = databaseOrder(a.getString("name"), b.getString("name"));
      assertThat(byName).as("%s before %s", a, b).isLessThanOrEqualTo(0);
      if (byName == 0) {
        assertThat(a.getString("id")).as("ids of equal names").isLessThan(b.getString("id"));
      }
    }
  }

  private static int databaseOrder(String a, String b) {
    try (Connection c = harness.sql();
        PreparedStatement s =
            c.prepareStatement("SELECT CASE WHEN ? < ? THEN -1 WHEN ? = ? THEN 0 ELSE 1 END")) {
      s.setString(1, a);
      s.setString(2, b);
      s.setString(3, a);
      s.setString(4, b);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> row(String id) throws Exception {
    try (Connection c = harness.sql();
        PreparedStatement s = c.prepareStatement("SELECT * FROM products WHERE id = ?::uuid")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("row of product " + id).isTrue();
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
        }
        return row;
      }
    }
  }

  private static List<Map<String, Object>> adjustments(String productId) throws Exception {
    try (Connection c = harness.sql();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT delta, reason, actor, created_at FROM stock_adjustments WHERE product_id = ?::uuid")) {
      s.setString(1, productId);
      try (ResultSet rs = s.executeQuery()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(
              Map.of(
                  "delta",
                  rs.getInt("delta"),
                  "reason",
                  rs.getString("reason"),
                  "actor",
                  rs.getString("actor"),
                  "created_at",
                  rs.getTimestamp("created_at")));
        }
        return rows;
      }
    }
  }

  private static long countWhere(String condition, String value) throws Exception {
    try (Connection c = harness.sql();
        PreparedStatement s =
            c.prepareStatement("SELECT count(*) FROM products WHERE " + condition)) {
      s.setString(1, value);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void assertFailure(ReplyException failure, int code, String message) {
    assertThat(failure.failureCode()).as(failure.getMessage()).isEqualTo(code);
    assertThat(failure.getMessage()).contains(message);
  }
}
