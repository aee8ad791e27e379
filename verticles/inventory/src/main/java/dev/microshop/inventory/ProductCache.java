package dev.microshop.inventory;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Products read by id, kept in memory: a catalog read is the hottest request of a shop, and a hit costs no
 * database round trip. Correct by construction rather than by expiry: every change to products in this instance
 * runs between {@link #writeStarted} and {@link #writeEnded}, each of which starts a new generation; an entry is
 * served only while its generation is current and no write is running, and a read only stores what it found if
 * no write started or ended while it ran. Writes in other inventory instances arrive as
 * {@code inventory.catalog.changed} events ({@link #changedElsewhere}); the event bus may lose one, so entries
 * also expire after {@code catalog.cacheTtlMs}. The verticle is single-threaded, so this needs no locks.
 */
final class ProductCache {
  private record Entry(JsonObject product, long generation, long storedAtMs) {}

  private final long ttlMs;
  private final Map<UUID, Entry> entries;
  private long generation;
  private int writing;

  ProductCache(long ttlMs, int maxEntries) {
    this.ttlMs = ttlMs;
    this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<UUID, Entry> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** The product from memory when it is current, else from {@code load} (and remembered if nothing changed). */
  Future<JsonObject> get(UUID id, Supplier<Future<JsonObject>> load) {
    Entry hit = entries.get(id);
    if (hit != null && writing == 0 && hit.generation() == generation
        && System.currentTimeMillis() - hit.storedAtMs() < ttlMs) {
      return Future.succeededFuture(hit.product());
    }
    long started = generation;
    boolean quiet = writing == 0;
    return load.get().onSuccess(product -> {
      if (quiet && writing == 0 && generation == started) {
        entries.put(id, new Entry(product, started, System.currentTimeMillis()));
      }
    });
  }

  void writeStarted() {
    writing++;
    changed();
  }

  void writeEnded() {
    writing--;
    changed();
  }

  void changedElsewhere() {
    changed();
  }

  private void changed() {
    generation++;
    entries.clear();
  }
}
