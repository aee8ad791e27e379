package dev.microshop.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.SagaResult;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Charges with the simulated provider on ({@code provider.enabled}): every new charge calls it, no
 * more than {@code maxConcurrent} at once, and a charge already decided is answered without a
 * second call. Asserted with the provider's counters, not with timings.
 */
class ProviderChargesIT {
  private static final int MAX_CONCURRENT = 2;
  private static ServiceHarness payments;
  private static SimulatedProvider provider;

  @BeforeAll
  static void start() throws Exception {
    AtomicReference<PaymentsVerticle> started = new AtomicReference<>();
    payments =
        ServiceHarness.start(
            "payments",
            platform -> {
              PaymentsVerticle verticle = new PaymentsVerticle(platform);
              started.set(verticle);
              return verticle;
            },
            Map.of(
                "MICROSHOP_DEV", "true",
                "MICROSHOP_PAYMENTS_PROVIDER_ENABLED", "true",
                "MICROSHOP_PAYMENTS_PROVIDER_LATENCY_MS", "50",
                "MICROSHOP_PAYMENTS_PROVIDER_MAX_CONCURRENT", String.valueOf(MAX_CONCURRENT)));
    provider = started.get().simulatedProvider();
  }

  @AfterAll
  static void stop() {
    if (payments != null) {
      payments.close();
    }
  }

  @Test
  void concurrentChargesAllSucceedWithNoMoreThanMaxConcurrentProviderCallsInFlight() {
    long before = provider.calls();
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(send(charge(UUID.randomUUID().toString(), UUID.randomUUID())));
    }

    List<JsonObject> replies = ServiceHarness.await(Future.all(answers)).list();

    assertThat(replies)
        .extracting(reply -> reply.getString("result"))
        .containsOnly(SagaResult.PaymentCharged.TYPE);
    assertThat(provider.calls() - before).as("one provider call per new charge").isEqualTo(8);
    assertThat(provider.peakInFlight()).isEqualTo(MAX_CONCURRENT);
  }

  @Test
  void aChargeDecidedAlreadyIsAnsweredAgainWithoutASecondProviderCall() throws Exception {
    String order = UUID.randomUUID().toString();
    JsonObject command = charge(order, UUID.randomUUID());
    JsonObject first = payments.request(PaymentsApi.CHARGE, command, null);
    long calls = provider.calls();

    JsonObject sameMessage = payments.request(PaymentsApi.CHARGE, command, null);
    JsonObject newMessage =
        payments.request(
            PaymentsApi.CHARGE,
            command.copy().put("messageId", UUID.randomUUID().toString()),
            null);

    assertThat(sameMessage).isEqualTo(first);
    assertThat(newMessage).isEqualTo(first);
    assertThat(provider.calls()).as("no call for a charge already recorded").isEqualTo(calls);
    assertThat(charges(order)).isEqualTo(1);
  }

  private static Future<JsonObject> send(JsonObject command) {
    return payments
        .vertx()
        .eventBus()
        .<JsonObject>request(
            PaymentsApi.CHARGE, command, new DeliveryOptions().setSendTimeout(5000))
        .map(Message::body);
  }

  private static JsonObject charge(String order, UUID user) {
    return new JsonObject()
        .put("messageId", UUID.randomUUID().toString())
        .put("occurredAt", Instant.now().toString())
        .put("orderId", order)
        .put("userId", user.toString())
        .put("amountMinor", 100L)
        .put("currency", "EUR");
  }

  private static long charges(String order) throws Exception {
    try (var sql = payments.sql();
        PreparedStatement query =
            sql.prepareStatement(
                "SELECT count(*) FROM wallet_transactions"
                    + " WHERE order_id = ?::uuid AND kind = 'CHARGE'")) {
      query.setString(1, order);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }
}
