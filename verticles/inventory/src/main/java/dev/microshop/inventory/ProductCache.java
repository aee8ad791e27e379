package dev.microshop.inventory;

import dev.microshop.contracts.CatalogPages;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Products read by id, and pages of the catalog list, kept in memory: catalog reads are the hottest
 * requests of a shop, and a hit costs no database round trip. Correct by construction rather than
 * by expiry: every change to products in this instance runs between {@link #writeStarted} and
 * {@link #writeEnded} for the products it touches (or for all of them when it cannot know which,
 * {@code null}); each marks those products changed. An entry is served only while no write to its
 * product runs, and a read only stores what it found if its product was not changed while the read
 * ran. So an order that reserves one product leaves every other product cached. Writes in other
 * inventory instances arrive as {@code inventory.catalog.changed} events ({@link
 * #changedElsewhere}); the event bus may lose one, so entries also expire after {@code
 * catalog.cacheTtlMs}. The verticle is single-threaded, so this needs no locks.
 *
 * <p>A page is current while none of the products it lists changed since it was read and no write
 * to all products ran: which products a page lists depends only on names and on products created,
 * and those change only through admin writes, which mark every product changed. A saga's stock
 * change makes stale only the pages that list its products.
 */
final class ProductCache {
  private record Entry(JsonObject product, long storedAtMs) {}

  /**
   * A page, the products it lists, and the {@link #clock} its read started at; with its JSON
   * encoded once and its ETag, as the gateway passes them on ({@link CatalogPages}).
   */
  private record Page(
      JsonObject page, Buffer bytes, String etag, List<UUID> ids, long readFrom, long storedAtMs) {
    static Page of(JsonObject page, List<UUID> ids, long readFrom) {
      return new Page(
          page,
          page.toBuffer(),
          CatalogPages.etag(page),
          ids,
          readFrom,
          System.currentTimeMillis());
    }
  }

  /** A page as the gateway passes it on: its JSON's bytes and its ETag. */
  record EncodedPage(Buffer bytes, String etag) {}

  private final long ttlMs;
  private final Map<UUID, Entry> entries;
  private final Map<PageRequest, Page> pages;

  /**
   * When each product last changed, on {@link #clock}; bounded: a forgotten product counts as
   * changed then.
   */
  private final Map<UUID, Long> changedAt;

  private final Map<UUID, Integer> writing = new HashMap<>();
  private long clock;
  private long allChangedAt;
  private long forgottenUpTo;
  private int writingAll;

  ProductCache(long ttlMs, int maxEntries, int maxPages) {
    this.ttlMs = ttlMs;
    this.pages =
        new LinkedHashMap<>(256, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<PageRequest, Page> eldest) {
            return size() > maxPages;
          }
        };
    this.entries =
        new LinkedHashMap<>(1024, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<UUID, Entry> eldest) {
            return size() > maxEntries;
          }
        };
    this.changedAt =
        new LinkedHashMap<>(1024, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<UUID, Long> eldest) {
            if (size() > maxEntries) {
              forgottenUpTo = Math.max(forgottenUpTo, eldest.getValue());
              return true;
            }
            return false;
          }
        };
  }

  /**
   * The product from memory when it is current, else from {@code load} (and remembered if nothing
   * changed).
   */
  Future<JsonObject> get(UUID id, Supplier<Future<JsonObject>> load) {
    Entry hit = entries.get(id);
    if (hit != null && quiet(id) && System.currentTimeMillis() - hit.storedAtMs() < ttlMs) {
      return Future.succeededFuture(hit.product());
    }
    long started = clock;
    return load.get()
        .onSuccess(
            product -> {
              if (quiet(id) && lastChange(id) <= started) {
                entries.put(id, new Entry(product, System.currentTimeMillis()));
              }
            });
  }

  /**
   * The page from memory when every product it lists is unchanged since it was read, else from
   * {@code load} (and remembered if nothing it lists, nor the list itself, changed meanwhile).
   */
  Future<JsonObject> page(PageRequest request, Supplier<Future<JsonObject>> load) {
    return entry(request, load).map(Page::page);
  }

  /** {@link #page}, as the bytes and ETag the gateway passes on (both made once per page read). */
  Future<EncodedPage> encodedPage(PageRequest request, Supplier<Future<JsonObject>> load) {
    return entry(request, load).map(p -> new EncodedPage(p.bytes(), p.etag()));
  }

  private Future<Page> entry(PageRequest request, Supplier<Future<JsonObject>> load) {
    Page hit = pages.get(request);
    if (hit != null
        && unchangedSince(hit.ids(), hit.readFrom())
        && System.currentTimeMillis() - hit.storedAtMs() < ttlMs) {
      return Future.succeededFuture(hit);
    }
    long started = clock;
    return load.get()
        .map(
            loaded -> {
              List<UUID> ids = idsOf(loaded);
              Page page = Page.of(loaded, ids, started);
              if (unchangedSince(ids, started)) {
                pages.put(request, page);
              } else {
                pages.remove(request);
              }
              return page;
            });
  }

  private boolean unchangedSince(List<UUID> ids, long since) {
    if (writingAll > 0 || allChangedAt > since) {
      return false;
    }
    for (UUID id : ids) {
      if (!quiet(id) || lastChange(id) > since) {
        return false;
      }
    }
    return true;
  }

  private static List<UUID> idsOf(JsonObject page) {
    JsonArray items = page.getJsonArray("items");
    List<UUID> ids = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      ids.add(UUID.fromString(items.getJsonObject(i).getString("id")));
    }
    return ids;
  }

  /** A write to {@code ids} (null: to any product) begins. */
  void writeStarted(Collection<UUID> ids) {
    if (ids == null) {
      writingAll++;
    } else {
      ids.forEach(id -> writing.merge(id, 1, Integer::sum));
    }
    changed(ids);
  }

  /** The write begun with the same {@code ids} is committed or rolled back. */
  void writeEnded(Collection<UUID> ids) {
    if (ids == null) {
      writingAll--;
    } else {
      ids.forEach(id -> writing.computeIfPresent(id, (key, n) -> n == 1 ? null : n - 1));
    }
    changed(ids);
  }

  /** Another instance changed {@code ids} (null: products it did not name). */
  void changedElsewhere(Collection<UUID> ids) {
    changed(ids);
  }

  private boolean quiet(UUID id) {
    return writingAll == 0 && !writing.containsKey(id);
  }

  private long lastChange(UUID id) {
    return Math.max(allChangedAt, changedAt.getOrDefault(id, forgottenUpTo));
  }

  private void changed(Collection<UUID> ids) {
    clock++;
    if (ids == null) {
      allChangedAt = clock;
      entries.clear();
      pages.clear();
      return;
    }
    for (UUID id : ids) {
      changedAt.put(id, clock);
      entries.remove(id);
    }
  }
}
