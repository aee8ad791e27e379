package dev.microshop.platform.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import java.io.File;
import java.net.URL;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * cluster.xml limits Java deserialization of what any Hazelcast member writes: a stranger's object
 * of a class outside the allowlist (here java.net.URL, the head of the well-known URLDNS chain) is
 * refused when a member reads it, while the JDK values microshop's maps hold still round-trip.
 */
class SerializationFilterTest {
  private HazelcastInstance member;

  @AfterEach
  void stop() {
    if (member != null) {
      member.shutdown();
    }
  }

  @Test
  void aClassOutsideTheAllowlistIsNotDeserialized() throws Exception {
    Config config = Config.loadFromFile(new File("../../cluster.xml"));
    config.setClusterName("serialization-filter-" + UUID.randomUUID());
    config.getNetworkConfig().setPort(5790).setPortAutoIncrement(true);
    config.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(List.of("127.0.0.1:5790"));
    member = Hazelcast.newHazelcastInstance(config);
    IMap<String, Object> map = member.getMap("written-by-a-stranger");

    map.put("allowed", new AtomicLong(7));
    map.put("gadget", new URL("http://gadget.invalid/"));

    assertThat(map.get("allowed")).hasToString("7");
    assertThatThrownBy(() -> map.get("gadget"))
        .isInstanceOf(HazelcastSerializationException.class)
        .hasStackTraceContaining("java.net.URL");
  }
}
