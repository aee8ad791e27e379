package dev.microshop.launcher.load;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** What one phase (warm-up or the measured window) recorded, by kind of operation. */
final class Stats {
  final Series browse = new Series("browse");
  final Series post = new Series("order POST");
  final Series toFinal = new Series("order final");
  final AtomicLong acknowledged = new AtomicLong();
  final AtomicLong confirmed = new AtomicLong();
  final AtomicLong cancelled = new AtomicLong();
  final AtomicLong notFinal = new AtomicLong();

  List<Series> all() {
    return List.of(browse, post, toFinal);
  }

  long errors() {
    return all().stream().mapToLong(Series::errors).sum();
  }

  long limited() {
    return all().stream().mapToLong(Series::limitedCount).sum();
  }
}
