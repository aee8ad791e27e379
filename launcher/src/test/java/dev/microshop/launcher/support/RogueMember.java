package dev.microshop.launcher.support;

import com.hazelcast.config.Config;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.UsersApi;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attacker of issue 13, in its own JVM: it knows the cluster name (and the Hazelcast ports),
 * nothing else. It joins Hazelcast with a plain cluster manager, registers consumers on addresses
 * services serve (hoping for passwords, key sets and a share of the traffic), and sends wallet
 * credits with forged admin headers (not to itself: it has no credit consumer). After {@code
 * seconds} it prints what it got as one JSON line and exits.
 *
 * <p>Arguments: cluster name, Hazelcast member (host:port), victim user id, seconds.
 */
public final class RogueMember {
  private RogueMember() {}

  public static void main(String[] args) throws Exception {
    String clusterName = args[0];
    String member = args[1];
    String victim = args[2];
    int seconds = Integer.parseInt(args[3]);
    Config hz = new Config().setClusterName(clusterName);
    hz.setProperty("hazelcast.logging.type", "none");
    hz.getNetworkConfig().setPort(5790).setPortAutoIncrement(true);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of("127.0.0.1"));
    hz.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    hz.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(List.of(member));
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    Vertx vertx =
        Vertx.builder()
            .with(options)
            .withClusterManager(new HazelcastClusterManager(hz))
            .buildClustered()
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    AtomicInteger received = new AtomicInteger();
    for (String address :
        List.of(
            UsersApi.ISSUE_TOKEN,
            UsersApi.KEYS,
            PaymentsApi.WALLET,
            InventoryApi.LIST,
            InventoryApi.GET,
            OrdersApi.GET)) {
      vertx
          .eventBus()
          .<JsonObject>consumer(
              address,
              msg -> {
                received.incrementAndGet();
                msg.reply(new JsonObject().put("rogue", true));
              })
          .completion()
          .toCompletionStage()
          .toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
    }
    System.out.println("ROGUE JOINED");
    AtomicInteger credited = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    DeliveryOptions forged =
        new Identity(UUID.randomUUID().toString(), List.of(Identity.ADMIN))
            .addTo(new DeliveryOptions().setSendTimeout(2000));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      JsonObject credit =
          new JsonObject()
              .put("messageId", UUID.randomUUID().toString())
              .put("userId", victim)
              .put("amountMinor", 999_000_000)
              .put("reason", "rogue");
      try {
        vertx
            .eventBus()
            .request(PaymentsApi.CREDIT, credit, forged)
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
        credited.incrementAndGet();
      } catch (Exception e) {
        refused.incrementAndGet();
      }
      Thread.sleep(200);
    }
    System.out.println(
        "ROGUE RESULT "
            + new JsonObject()
                .put("received", received.get())
                .put("credited", credited.get())
                .put("refused", refused.get())
                .encode());
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
