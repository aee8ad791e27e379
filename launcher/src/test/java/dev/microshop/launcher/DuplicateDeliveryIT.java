package dev.microshop.launcher;

import static dev.microshop.launcher.support.Api.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.launcher.support.Api;
import dev.microshop.launcher.support.Cluster;
import dev.microshop.launcher.support.SharedDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every relay delivers every message twice (the outbox's test switch): the idempotent consumers
 * must make the end state identical to single delivery, and no order may be charged twice.
 */
class DuplicateDeliveryIT {
  private static final Duration FINAL = Duration.ofSeconds(30);
  private static Cluster cluster;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    cluster =
        new Cluster(SharedDatabase.env().with("MICROSHOP_OUTBOX_DELIVER_TWICE", "true")).startAll();
    api = new Api(cluster.gateway(), SharedDatabase.dataDir());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyMessageDeliveredTwiceChangesNothingTwice() throws Exception {
    String admin = api.admin();
    String product = api.product(admin, 900, 5);
    String customer = api.newCustomer();
    long before = api.balance(customer);

    String confirmed = place(customer, product, 2);
    String tooMany = place(customer, product, 9);
    String tooExpensive = place(customer, api.product(admin, before + 1, 3), 1);

    assertThat(api.awaitFinal(customer, confirmed, FINAL).getString("status"))
        .isEqualTo("CONFIRMED");
    assertThat(api.awaitFinal(customer, tooMany, FINAL).getString("reason"))
        .isEqualTo("OUT_OF_STOCK");
    assertThat(api.awaitFinal(customer, tooExpensive, FINAL).getString("reason"))
        .isEqualTo("PAYMENT_DECLINED");

    assertThat(api.productById(product).getInteger("available")).isEqualTo(3);
    assertThat(api.balance(customer)).isEqualTo(before - 1800);
    List<JsonObject> charges =
        api.transactions(customer).stream()
            .map(JsonObject.class::cast)
            .filter(t -> "CHARGE".equals(t.getString("kind")))
            .toList();
    assertThat(charges).hasSize(1);
    assertThat(charges.get(0).getString("orderId")).isEqualTo(confirmed);
    awaitNotifications(customer, 4); // welcome, one confirmation, two cancellations: each once
  }

  private static String place(String customer, String product, int quantity) {
    return new JsonObject(
            api.order(customer, "k-" + UUID.randomUUID(), line(product, quantity)).body())
        .getString("id");
  }

  private static void awaitNotifications(String customer, int expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    int seen = -1;
    while (System.nanoTime() < deadline) {
      seen = api.notifications(customer).size();
      if (seen == expected) {
        Thread.sleep(1500); // and no duplicate arrives late
        assertThat(api.notifications(customer)).hasSize(expected);
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("expected " + expected + " notifications, saw " + seen);
  }
}
