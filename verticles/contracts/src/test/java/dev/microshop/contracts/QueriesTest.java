package dev.microshop.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A query may be sent again after a timeout: only requests the gateway sends qualify. */
class QueriesTest {

  @Test
  void everyQueryIsARequestTheGatewaySends() {
    for (String address : Queries.ADDRESSES) {
      BusPolicy.Rule rule = BusPolicy.of(address);
      assertThat(rule).as(address).isNotNull();
      assertThat(rule.senders()).as("senders of %s", address).contains(Services.GATEWAY);
    }
  }

  @Test
  void commandsAreNotQueries() {
    assertThat(Queries.ADDRESSES)
        .doesNotContain(
            OrdersApi.PLACE,
            OrdersApi.CANCEL,
            PaymentsApi.CREDIT,
            PaymentsApi.CHARGE,
            InventoryApi.RESERVE_STOCK,
            InventoryApi.ADJUST_STOCK,
            UsersApi.REGISTER,
            UsersApi.ISSUE_TOKEN);
  }
}
