package dev.microshop.gateway;

import com.hazelcast.config.Config;
import dev.microshop.platform.cluster.MemberConfigContributor;
import io.github.bucket4j.grid.hazelcast.HazelcastProxyManager;

/**
 * Teaches every cluster member, not only gateways, to (de)serialize the rate limiter's entry
 * processors: they run on whichever member owns the bucket's partition. Type ids from 1000 up are
 * reserved for them.
 */
public final class RateLimitSerializers implements MemberConfigContributor {
  static final int FIRST_TYPE_ID = 1000;

  @Override
  public void contribute(Config hazelcast) {
    HazelcastProxyManager.addCustomSerializers(hazelcast.getSerializationConfig(), FIRST_TYPE_ID);
  }
}
