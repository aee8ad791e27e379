package dev.microshop.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class LedgerPageTest {

  @Test
  void aCursorLeadsToTheEntriesBeforeTheOneItWasMadeFrom() {
    String cursor = LedgerPage.cursorAfter(123_456_789L);

    LedgerPage page = LedgerPage.fromJson(new JsonObject().put("cursor", cursor).put("limit", 7));

    assertThat(cursor).matches("[A-Za-z0-9_-]{12}");
    assertThat(page).isEqualTo(new LedgerPage(123_456_789L, 7));
  }

  @Test
  void withoutCursorOrLimitThePageStartsAtTheNewestEntryWithTwenty() {
    assertThat(LedgerPage.fromJson(null)).isEqualTo(new LedgerPage(Long.MAX_VALUE, 20));
  }

  @Test
  void forgedCursorsAndBadLimitsAre400() {
    String zero = LedgerPage.cursorAfter(0);
    for (JsonObject bad :
        new JsonObject[] {
          new JsonObject().put("cursor", "AAAA"),
          new JsonObject().put("cursor", zero),
          new JsonObject().put("cursor", "not a token!"),
          new JsonObject().put("cursor", 5),
          new JsonObject().put("limit", 0),
          new JsonObject().put("limit", 101),
          new JsonObject().put("limit", "5")
        }) {
      assertThatThrownBy(() -> LedgerPage.fromJson(bad))
          .as(bad.encode())
          .isInstanceOfSatisfying(ServiceFailure.class, e -> assertThat(e.code()).isEqualTo(400));
    }
  }
}
