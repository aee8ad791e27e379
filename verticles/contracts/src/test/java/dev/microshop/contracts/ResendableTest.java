package dev.microshop.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Only reads and commands deduplicated by a required key may be resent after a timeout. */
class ResendableTest {

  @Test
  void queriesAndPlacementAreResendable() {
    Queries.ADDRESSES.forEach(q -> assertThat(Resendable.afterTimeout(q)).as(q).isTrue());
    assertThat(Resendable.afterTimeout(OrdersApi.PLACE)).isTrue();
  }

  @Test
  void commandsWithoutAKeyedRepeatAreNot() {
    for (String command :
        new String[] {
          OrdersApi.CANCEL,
          PaymentsApi.CREDIT,
          PaymentsApi.CHARGE,
          InventoryApi.RESERVE_STOCK,
          InventoryApi.ADJUST_STOCK,
          UsersApi.REGISTER,
          UsersApi.ISSUE_TOKEN
        }) {
      assertThat(Resendable.afterTimeout(command)).as(command).isFalse();
    }
  }

  @Test
  void keyedCommandsAreSentByTheGateway() {
    for (String address : Resendable.KEYED_COMMANDS) {
      assertThat(BusPolicy.of(address).senders()).as(address).contains(Services.GATEWAY);
    }
  }
}
