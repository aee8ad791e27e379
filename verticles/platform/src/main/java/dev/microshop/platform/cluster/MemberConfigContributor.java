package dev.microshop.platform.cluster;

import com.hazelcast.config.Config;

/**
 * Hazelcast configuration that every member of the cluster must share, contributed by a module the
 * platform does not know (found with {@link java.util.ServiceLoader}). The gateway's rate limiter
 * is one: its entry processors run on whichever member owns a bucket's partition, so every member
 * must be able to deserialize them.
 */
public interface MemberConfigContributor {
  void contribute(Config hazelcast);
}
