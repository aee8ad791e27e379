package dev.microshop.gateway;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's last known copy of each public catalog read (a product by id, a page of the list by
 * its query), kept so that a read inventory cannot answer is answered with the copy, marked stale,
 * instead of a 503 or 504 (issue 14: a frozen inventory JVM with no second instance). Bounded by
 * count, the least recently used copy going first, and by age: a copy older than {@code
 * catalog.maxStaleSeconds} is never served. The copy is only a fallback: while inventory answers,
 * every read goes to it.
 */
final class LastKnownCopies {
  static final int MAX_COPIES = 1_000_000;
  static final int MAX_STALE_SECONDS = 86_400;
  private static final Logger LOG = LoggerFactory.getLogger(LastKnownCopies.class);

  /** What inventory answered and when (a {@link System#nanoTime} reading). */
  private record Copy(Object body, long fetchedAtNanos) {}

  private final int capacity;
  private final long maxStaleNanos;
  private final LongSupplier nanoClock;
  // Shared by the event loops of every HTTP server instance of this gateway; each operation is one
  // map lookup, so a lock costs less than anything cleverer.
  private final Map<String, Copy> copies;

  LastKnownCopies(int capacity, int maxStaleSeconds, LongSupplier nanoClock) {
    this.capacity = capacity;
    this.maxStaleNanos = TimeUnit.SECONDS.toNanos(maxStaleSeconds);
    this.nanoClock = nanoClock;
    this.copies =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Copy> eldest) {
            return size() > LastKnownCopies.this.capacity;
          }
        };
  }

  /**
   * The store {@code catalog} settings describe: {@code staleCopies} copies at most (0: none are
   * kept, reads fail as they would without a store), each served for {@code maxStaleSeconds} after
   * inventory answered it.
   */
  static LastKnownCopies from(JsonObject catalog) {
    int count = setting(catalog, "staleCopies", 0, MAX_COPIES, "0 keeps none");
    int seconds = setting(catalog, "maxStaleSeconds", 1, MAX_STALE_SECONDS, "a day at most");
    return new LastKnownCopies(count, seconds, System::nanoTime);
  }

  private static int setting(JsonObject catalog, String key, int min, int max, String hint) {
    Object value = catalog == null ? null : catalog.getValue(key);
    if (!(value instanceof Integer number)) {
      throw new ConfigException("catalog." + key, "must be an integer in " + min + ".." + max);
    }
    if (number < min || number > max) {
      throw new ConfigException(
          "catalog." + key, number + " is out of range " + min + ".." + max + " (" + hint + ")");
    }
    return number;
  }

  /** The key of a product's copy. */
  static String product(String id) {
    return "product " + id;
  }

  /**
   * The key of a list page's copy: its query with the defaults filled in, built in one field order,
   * so every spelling of one page (no limit, or limit=20) shares a copy.
   */
  static String page(JsonObject query) {
    return "page " + query.encode();
  }

  /** Keeps {@code body}, what inventory answered just now, as the copy of {@code key}. */
  /** Keeps {@code body} (a product, or a page) as the last copy of {@code key}. */
  void keep(String key, Object body) {
    if (capacity == 0) {
      return;
    }
    Copy copy = new Copy(body, nanoClock.getAsLong());
    synchronized (copies) {
      copies.put(key, copy);
    }
  }

  /**
   * What to answer when the read of {@code key} failed with {@code failure}: the copy marked stale
   * when the failure means inventory could not answer and the copy is young enough, {@code failure}
   * otherwise. A 4xx is inventory's answer, so it also drops the copy: a product inventory no
   * longer knows is not brought back by the next outage.
   */
  /** The copy of {@code key}, of the type it was kept as (keys of products and pages differ). */
  @SuppressWarnings("unchecked")
  <T> Future<CatalogAnswer<T>> instead(String key, Throwable failure) {
    if (CatalogAnswer.whyStale(failure) == null) {
      if (CatalogAnswer.isAnswer(failure)) {
        forget(key);
      }
      return Future.failedFuture(failure);
    }
    Copy copy;
    long now = nanoClock.getAsLong();
    synchronized (copies) {
      copy = copies.get(key);
      if (copy != null && now - copy.fetchedAtNanos() > maxStaleNanos) {
        copies.remove(key);
        copy = null;
      }
    }
    if (copy == null) {
      return Future.failedFuture(failure);
    }
    CatalogAnswer<T> stale =
        CatalogAnswer.stale(
            (T) copy.body(), TimeUnit.NANOSECONDS.toSeconds(now - copy.fetchedAtNanos()), failure);
    // A service's 5xx was logged where it became a 502; answered from the copy it still must be.
    if (failure instanceof ReplyException reply && "service-failure".equals(stale.whyStale())) {
      LOG.warn(
          "inventory failed a read of {}: code {} {}; answered from the copy, {} s old",
          key,
          reply.failureCode(),
          reply.getMessage(),
          stale.ageSeconds());
    } else {
      LOG.debug(
          "{} answered from the copy, {} s old: {}", key, stale.ageSeconds(), stale.whyStale());
    }
    return Future.succeededFuture(stale);
  }

  private void forget(String key) {
    synchronized (copies) {
      copies.remove(key);
    }
  }

  /** How many copies are kept. */
  int size() {
    synchronized (copies) {
      return copies.size();
    }
  }
}
