package dev.microshop.platform.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which cluster members have not answered this JVM for a while: the bookkeeping of {@link
 * NodeWatch}, apart from its timers so it can be tested with a clock of its own. A member is
 * suspect once {@code patienceNanos} have passed since it last answered, and trusted again by its
 * next answer. A member that has never answered is not suspect: it is still starting (Hazelcast
 * lists a JVM seconds before its event bus answers), or it is not one of ours, and then {@link
 * Admission} keeps messages from it anyway. Times are {@link System#nanoTime()} values.
 */
final class Suspicions {
  private final long patienceNanos;

  /** Current members that have answered at least once, and when they last did. */
  private final Map<String, Long> lastHeard = new HashMap<>();

  Suspicions(long patienceNanos) {
    this.patienceNanos = patienceNanos;
  }

  /** The current members (this JVM excluded): a departed one is forgotten. */
  synchronized void members(Set<String> members) {
    lastHeard.keySet().retainAll(members);
  }

  /** {@code node}, a current member, answered at {@code now}. */
  synchronized void answered(String node, long now) {
    lastHeard.merge(node, now, Math::max);
  }

  /** The members that have not answered within the patience, as of {@code now}. */
  synchronized Set<String> suspects(long now) {
    return lastHeard.entrySet().stream()
        .filter(e -> now - e.getValue() > patienceNanos)
        .map(Map.Entry::getKey)
        .collect(Collectors.toUnmodifiableSet());
  }
}
