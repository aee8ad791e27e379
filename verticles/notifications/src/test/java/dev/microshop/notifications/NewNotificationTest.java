package dev.microshop.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NewNotificationTest {

  @Test
  void moneyIsShownInTheCurrencysOwnDecimals() {
    assertThat(NewNotification.money(1250, "EUR")).isEqualTo("12.50 EUR");
    assertThat(NewNotification.money(5, "USD")).isEqualTo("0.05 USD");
    assertThat(NewNotification.money(1250, "JPY")).isEqualTo("1250 JPY");
    assertThat(NewNotification.money(1250, "KWD")).isEqualTo("1.250 KWD");
    assertThat(NewNotification.money(0, "EUR")).isEqualTo("0.00 EUR");
  }

  @Test
  void aCodeTheJdkDoesNotKnowIsShownWithTwoDecimals() {
    assertThat(NewNotification.money(1250, "QQQ")).isEqualTo("12.50 QQQ");
  }
}
