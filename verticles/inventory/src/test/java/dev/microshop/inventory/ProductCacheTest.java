package dev.microshop.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The catalog list's pages in memory: a page is read again exactly when a product it lists changed,
 * or when any admin write ran (which may change what every page lists); never stored from a read
 * that a write overlapped.
 */
class ProductCacheTest {
  private static final PageRequest FIRST = new PageRequest(null, Cursor.START, 2);
  private static final PageRequest SEARCH = new PageRequest("desk", Cursor.START, 2);

  private final UUID a = UUID.randomUUID();
  private final UUID b = UUID.randomUUID();
  private final UUID c = UUID.randomUUID();
  private final ProductCache cache = new ProductCache(60_000, 100, 10);
  private final AtomicInteger reads = new AtomicInteger();

  @Test
  void aPageIsReadOnceAndServedFromMemoryAfter() {
    JsonObject first = page(FIRST, a, b);
    assertThat(page(FIRST, a, b)).isSameAs(first);
    assertThat(reads).hasValue(1);
    // Another filter is another page.
    page(SEARCH, c);
    assertThat(reads).hasValue(2);
  }

  @Test
  void aStockChangeOfAListedProductRereadsThatPageOnlyOnceItEnded() {
    page(FIRST, a, b);
    page(SEARCH, c);
    cache.writeStarted(List.of(b));
    page(FIRST, a, b);
    assertThat(reads).as("read while b is being written").hasValue(3);
    page(FIRST, a, b);
    assertThat(reads).as("and not stored meanwhile").hasValue(4);
    cache.writeEnded(List.of(b));
    page(FIRST, a, b);
    page(FIRST, a, b);
    assertThat(reads).as("read once after the write, then from memory").hasValue(5);
    page(SEARCH, c);
    assertThat(reads).as("a page without b stays in memory").hasValue(5);
  }

  @Test
  void anAdminWriteRereadsEveryPage() {
    page(FIRST, a, b);
    page(SEARCH, c);
    cache.writeStarted(null);
    cache.writeEnded(null);
    page(FIRST, a, b);
    page(SEARCH, c);
    assertThat(reads).hasValue(4);
  }

  @Test
  void anotherInstancesChangeRereadsThePagesListingWhatItNamedOrEveryPageWhenItNamedNone() {
    page(FIRST, a, b);
    page(SEARCH, c);
    cache.changedElsewhere(List.of(c));
    page(FIRST, a, b);
    page(SEARCH, c);
    assertThat(reads).hasValue(3);
    cache.changedElsewhere(null);
    page(FIRST, a, b);
    page(SEARCH, c);
    assertThat(reads).hasValue(5);
  }

  @Test
  void aReadThatAChangeOverlappedIsNotStored() {
    Promise<JsonObject> slow = Promise.promise();
    cache.page(FIRST, slow::future);
    cache.writeStarted(List.of(a));
    cache.writeEnded(List.of(a));
    slow.complete(body(a, b)); // read before the change, answered after it
    page(FIRST, a, b);
    assertThat(reads).as("the overlapped read was not kept").hasValue(1);
    page(FIRST, a, b);
    assertThat(reads).hasValue(1);
  }

  @Test
  void pagesExpireAfterTheTtl() throws InterruptedException {
    ProductCache shortLived = new ProductCache(50, 100, 10);
    shortLived.page(FIRST, () -> counted(body(a, b)));
    shortLived.page(FIRST, () -> counted(body(a, b)));
    assertThat(reads).hasValue(1);
    Thread.sleep(80);
    shortLived.page(FIRST, () -> counted(body(a, b)));
    assertThat(reads).hasValue(2);
  }

  private JsonObject page(PageRequest request, UUID... ids) {
    return cache.page(request, () -> counted(body(ids))).result();
  }

  private Future<JsonObject> counted(JsonObject page) {
    reads.incrementAndGet();
    return Future.succeededFuture(page);
  }

  private static JsonObject body(UUID... ids) {
    JsonArray items = new JsonArray();
    for (UUID id : ids) {
      items.add(new JsonObject().put("id", id.toString()).put("version", 1));
    }
    return new JsonObject().put("items", items);
  }
}
