package dev.microshop.users;

import dev.microshop.contracts.Identity;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Secrets;
import dev.microshop.platform.request.Emails;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin account, created at start if its email is not registered yet. Its password comes
 * from {@code admin.password} (env only) or {@code admin.passwordFile}; in dev mode without either
 * it is generated into {@code <dataDir>/secrets/admin-password} and printed once, when the account
 * is created. The password is only used to create the account: changing it later does not touch an
 * existing admin.
 */
final class AdminAccount {
  static final String SECRET_NAME = "admin-password";
  private static final Logger LOG = LoggerFactory.getLogger(AdminAccount.class);

  private final String email;
  private final String displayName;

  /**
   * Blocking: reads the configured password, or generates the dev one. Null outside dev with none
   * set.
   */
  private final Supplier<String> password;

  private final Path generatedFile;

  private AdminAccount(
      String email, String displayName, Supplier<String> password, Path generatedFile) {
    this.email = email;
    this.displayName = displayName;
    this.password = password;
    this.generatedFile = generatedFile;
  }

  /** Reads and checks the admin settings; blocking (may read admin.passwordFile). */
  static AdminAccount fromConfig(JsonObject config) {
    JsonObject admin = config.getJsonObject("admin", new JsonObject());
    String email = Emails.canonical(admin.getString("email", ""));
    NewAccount.emailProblem(email)
        .ifPresent(
            p -> {
              throw new ConfigException("admin.email", "\"" + email + "\" " + p);
            });
    String displayName = admin.getString("displayName", "").strip();
    if (displayName.isEmpty() || displayName.length() > NewAccount.MAX_DISPLAY_NAME_CHARS) {
      throw new ConfigException(
          "admin.displayName", "must be 1 to " + NewAccount.MAX_DISPLAY_NAME_CHARS + " characters");
    }
    String inline = admin.getString("password", "");
    String file = admin.getString("passwordFile", "").strip();
    if (!inline.isEmpty() && !file.isEmpty()) {
      throw new ConfigException(
          "admin.password", "set either admin.password or admin.passwordFile, not both");
    }
    if (!inline.isEmpty()) {
      return new AdminAccount(email, displayName, checked("admin.password", inline), null);
    }
    if (!file.isEmpty()) {
      return new AdminAccount(
          email, displayName, checked("admin.passwordFile", readPassword(file)), null);
    }
    if (config.getBoolean("dev", false)) {
      Path dataDir = Path.of(config.getString("dataDir"));
      return new AdminAccount(
          email,
          displayName,
          () -> Secrets.getOrCreate(dataDir, SECRET_NAME),
          dataDir.resolve("secrets").resolve(SECRET_NAME));
    }
    return new AdminAccount(email, displayName, null, null);
  }

  /**
   * Creates the admin unless its email is registered. Safe with several instances starting at once:
   * the insert does nothing on a taken email, and only the instance whose insert took effect
   * reports the account.
   */
  Future<Void> ensure(Vertx vertx, Pool pool, Passwords passwords) {
    return pool.preparedQuery(UsersSql.FIND_BY_EMAIL)
        .execute(Tuple.of(email))
        .compose(
            rows ->
                rows.size() > 0
                    ? existing(rows.iterator().next())
                    : create(vertx, pool, passwords));
  }

  private Future<Void> existing(Row row) {
    if (!Arrays.asList(row.getArrayOfStrings("roles")).contains(Identity.ADMIN)) {
      LOG.warn(
          "no admin account created: {} is already registered as a non-admin user {}",
          email,
          row.getUUID("id"));
    }
    return Future.succeededFuture();
  }

  private Future<Void> create(Vertx vertx, Pool pool, Passwords passwords) {
    if (password == null) {
      LOG.warn(
          "no admin account: set MICROSHOP_USERS_ADMIN_PASSWORD or admin.passwordFile to create {}",
          email);
      return Future.succeededFuture();
    }
    return vertx
        .executeBlocking(password::get)
        .compose(
            plain ->
                passwords
                    .hash(plain)
                    .compose(hash -> pool.withTransaction(tx -> insert(tx, hash)))
                    .onSuccess(rows -> reportCreated(rows, plain)))
        .mapEmpty();
  }

  /**
   * The admin is an account like any other, so it is announced like any other (USER_REGISTERED, in
   * the same transaction) — but only by the instance whose insert took effect.
   */
  private Future<RowSet<Row>> insert(SqlConnection tx, String hash) {
    return tx.preparedQuery(UsersSql.INSERT_USER_IF_ABSENT)
        .execute(
            Tuple.of(UUID.randomUUID(), email, displayName, hash)
                .addArrayOfString(new String[] {Identity.ADMIN}))
        .compose(
            rows ->
                rows.rowCount() == 0
                    ? Future.succeededFuture(rows)
                    : UserEvents.registered(tx, rows.iterator().next()).map(rows));
  }

  private void reportCreated(RowSet<Row> rows, String plain) {
    if (rows.rowCount() == 0) {
      return;
    }
    UUID id = rows.iterator().next().getUUID("id");
    if (generatedFile == null) {
      LOG.info("created admin account {} ({})", email, id);
    } else {
      // Deliberately on stdout, once: the developer has to see it, and logs may be shipped
      // elsewhere.
      System.out.println(
          "microshop: created admin account "
              + email
              + "; password in "
              + generatedFile
              + ": "
              + plain);
    }
  }

  private static Supplier<String> checked(String setting, String password) {
    NewAccount.passwordProblem(password)
        .ifPresent(
            p -> {
              throw new ConfigException(setting, "the admin password " + p);
            });
    return () -> password;
  }

  private static String readPassword(String file) {
    try {
      return Files.readString(Path.of(file)).strip();
    } catch (IOException e) {
      throw new ConfigException("admin.passwordFile", "cannot read " + file + ": " + e);
    }
  }
}
