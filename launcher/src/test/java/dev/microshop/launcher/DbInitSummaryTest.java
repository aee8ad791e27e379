package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.platform.db.DbTls;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DbInitSummaryTest {
  private static final AdminUrl ADMIN = new AdminUrl("db.internal", 5433, "postgres", "postgres");
  private static final List<DbInit.Plan> PLANS =
      List.of(
          new DbInit.Plan("orders", "orders", "orders", Path.of("/s/orders-db-password"), false),
          new DbInit.Plan("users", "shop_users", "shop_users", Path.of("/run/users.pw"), true));

  @Test
  void tellsEachServiceExactlyWhichVariablesToSet() {
    String text = DbInitSummary.text(ADMIN, DbTls.DISABLED, PLANS, 3);

    assertThat(text)
        .contains("microshop: 3 changes made; running db-init again changes nothing")
        .contains("every service  MICROSHOP_DB_HOST=db.internal MICROSHOP_DB_PORT=5433\n")
        .contains("orders         MICROSHOP_ORDERS_DB_PASSWORD_FILE=/s/orders-db-password\n")
        .contains(
            "users          MICROSHOP_USERS_DB_PASSWORD_FILE=/run/users.pw"
                + " MICROSHOP_USERS_DB_NAME=shop_users MICROSHOP_USERS_DB_USER=shop_users\n")
        .doesNotContain("SSL");
  }

  @Test
  void aSecondRunSaysNothingChangedAndTlsSettingsAreShared() {
    String text = DbInitSummary.text(ADMIN, new DbTls("require", ""), PLANS, 0);

    assertThat(text)
        .contains("nothing changed: every role and database was already as required")
        .contains("MICROSHOP_DB_PORT=5433 MICROSHOP_DB_SSL_MODE=require\n");
  }
}
