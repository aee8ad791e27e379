package dev.microshop.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every address of the contract has a rule, and the rules say what issue 13 asks. */
class BusPolicyTest {

  @Test
  void everyAddressOfTheContractHasARule() throws Exception {
    List<String> addresses = new ArrayList<>();
    for (Class<?> api :
        List.of(
            UsersApi.class,
            InventoryApi.class,
            OrdersApi.class,
            PaymentsApi.class,
            NotificationsApi.class)) {
      for (Field field : api.getFields()) {
        if (Modifier.isStatic(field.getModifiers())
            && field.getType() == String.class
            && !field.getName().endsWith("PATTERN")
            && !field.getName().endsWith("METRIC_NAME")) {
          addresses.add((String) field.get(null));
        }
      }
    }
    Events.SUBSCRIBERS.forEach(
        (event, subscribers) ->
            subscribers.forEach(s -> addresses.add(Events.deliveryAddress(s, event))));
    for (String service : Services.ALL) {
      addresses.add(Addresses.describe(service));
      addresses.add(OutboxApi.stats(service));
    }
    addresses.add(Addresses.ping("0b7c"));
    addresses.add(NotificationsApi.stream("u1"));

    assertThat(addresses).hasSizeGreaterThan(30);
    assertThat(addresses).allSatisfy(a -> assertThat(BusPolicy.of(a)).as(a).isNotNull());
  }

  @Test
  void onlyOrdersMovesMoneyForOrdersAndOnlyTheGatewaySpeaksForCallers() {
    assertThat(BusPolicy.of(PaymentsApi.CHARGE).sender(List.of(Services.ORDERS))).isTrue();
    assertThat(BusPolicy.of(PaymentsApi.CHARGE).sender(List.of(Services.NOTIFICATIONS))).isFalse();
    assertThat(BusPolicy.of(PaymentsApi.REFUND).sender(List.of(Services.GATEWAY))).isFalse();
    assertThat(BusPolicy.of(PaymentsApi.CREDIT).sender(List.of(Services.NOTIFICATIONS))).isFalse();
    assertThat(BusPolicy.of(PaymentsApi.CREDIT).sender(List.of(Services.GATEWAY))).isTrue();
    assertThat(BusPolicy.of(UsersApi.KEYS).receiver(List.of(Services.NOTIFICATIONS))).isFalse();
    assertThat(BusPolicy.of(UsersApi.KEYS).receiver(List.of(Services.USERS))).isTrue();
    assertThat(BusPolicy.of(UsersApi.ISSUE_TOKEN).sender(List.of(Services.ORDERS))).isFalse();
    assertThat(BusPolicy.CALLER_ASSERTERS).isEqualTo(Set.of(Services.GATEWAY));
    // A JVM running several services may do what each of them may.
    assertThat(
            BusPolicy.of(PaymentsApi.CHARGE)
                .sender(BusPolicy.servicesOf(Services.NOTIFICATIONS + "+" + Services.ORDERS)))
        .isTrue();
  }

  @Test
  void anAddressOutsideTheContractHasNoRule() {
    assertThat(BusPolicy.of("payments.wallet.drain")).isNull();
    assertThat(BusPolicy.of("notifications.user.a.b.created")).isNull();
    assertThat(BusPolicy.of("__vertx.reply.12")).isNull();
  }
}
