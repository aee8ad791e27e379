package dev.microshop.users;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The users service: accounts, login and tokens. Owns the users database. */
public class UsersVerticle extends ServiceVerticle {
  static final String BAD_CREDENTIALS = "invalid email or password";
  static final String UNIQUE_VIOLATION = "23505";
  static final long MAX_TOKEN_TTL_SECONDS = 86_400;
  private static final Logger LOG = LoggerFactory.getLogger(UsersVerticle.class);

  private KeyRing keys;
  private AdminAccount admin;
  private Tokens tokens;
  private Passwords passwords;

  public UsersVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.USERS;
  }

  /**
   * Keys and admin settings are checked before the database is touched, so a bad setting fails at
   * once.
   */
  @Override
  public Future<?> start() {
    return vertx.executeBlocking(this::loadSettings).compose(v -> super.start());
  }

  private Void loadSettings() {
    JsonObject config = config();
    JsonObject auth = config.getJsonObject("auth");
    long ttl = auth.getLong("tokenTtlSeconds");
    if (ttl > MAX_TOKEN_TTL_SECONDS) {
      throw new ConfigException(
          "auth.tokenTtlSeconds",
          ttl
              + " is above "
              + MAX_TOKEN_TTL_SECONDS
              + " (a day): access tokens cannot be revoked, keep them short-lived");
    }
    keys = KeyRing.load(config);
    admin = AdminAccount.fromConfig(config);
    tokens =
        new Tokens(
            keys, auth.getString("issuer"), auth.getString("audience"), ttl, Clock.systemUTC());
    Passwords.configuredArgon2();
    return null;
  }

  @Override
  protected Future<?> startService() {
    JsonObject pool = config().getJsonObject("passwords");
    passwords = new Passwords(vertx, pool.getInteger("poolSize"), pool.getInteger("queueSize"));
    return passwords
        .start()
        .compose(v -> admin.ensure(vertx, this.pool, passwords))
        .compose(
            v ->
                Future.all(
                    consumers.on(UsersApi.REGISTER, this::register),
                    consumers.on(UsersApi.ISSUE_TOKEN, this::issueToken),
                    consumers.on(UsersApi.PROFILE, this::profile),
                    consumers.on(UsersApi.KEYS, msg -> Future.succeededFuture(keys.jwks()))));
  }

  @Override
  protected Future<?> stopService() {
    return passwords == null ? Future.succeededFuture() : passwords.close();
  }

  /**
   * The account and its USER_REGISTERED event commit together; the hash is computed before the
   * transaction so no connection waits on argon2. A taken email fails the insert and rolls the
   * whole transaction back: no event.
   */
  private Future<JsonObject> register(Message<JsonObject> msg) {
    NewAccount account = NewAccount.from(msg.body());
    return passwords
        .hash(account.password())
        .compose(
            hash ->
                pool.withTransaction(
                    tx ->
                        insert(tx, account, hash)
                            .compose(user -> UserEvents.registered(tx, user).map(user))))
        .onSuccess(user -> relay.kick())
        .map(UsersVerticle::profileJson)
        .onSuccess(profile -> LOG.info("registered user {}", profile.getString("id")));
  }

  private Future<Row> insert(SqlConnection tx, NewAccount account, String hash) {
    Tuple values =
        Tuple.of(UUID.randomUUID(), account.email(), account.displayName(), hash)
            .addArrayOfString(new String[] {Identity.CUSTOMER});
    return tx.preparedQuery(UsersSql.INSERT_USER)
        .execute(values)
        .map(rows -> rows.iterator().next())
        .recover(
            e -> {
              if (e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
                return Future.failedFuture(ServiceFailure.conflict("email: is already registered"));
              }
              return Future.failedFuture(e);
            });
  }

  private Future<JsonObject> issueToken(Message<JsonObject> msg) {
    Credentials credentials = Credentials.from(msg.body());
    if (credentials.impossible()) {
      return Future.failedFuture(ServiceFailure.unauthenticated(BAD_CREDENTIALS));
    }
    return pool.preparedQuery(UsersSql.FIND_BY_EMAIL)
        .execute(Tuple.of(credentials.email()))
        .compose(
            rows -> authenticate(credentials, rows.size() == 0 ? null : rows.iterator().next()))
        .map(
            user ->
                tokens.issue(
                    user.getUUID("id"),
                    user.getString("email"),
                    Arrays.asList(user.getArrayOfStrings("roles"))));
  }

  /**
   * Unknown email and wrong password take the same path: one argon2 verification, then the same
   * 401.
   */
  private Future<Row> authenticate(Credentials credentials, Row user) {
    String stored = user == null ? null : user.getString("password_hash");
    return passwords
        .verify(credentials.password(), stored)
        .compose(
            matches -> {
              if (!matches) {
                return Future.failedFuture(ServiceFailure.unauthenticated(BAD_CREDENTIALS));
              }
              return upgradeHash(user, credentials.password()).map(user);
            });
  }

  /**
   * The plain password is only at hand at login: the moment to move an old hash to the current
   * parameters.
   */
  private Future<Void> upgradeHash(Row user, String password) {
    String stored = user.getString("password_hash");
    if (!passwords.outdated(stored)) {
      return Future.succeededFuture();
    }
    UUID id = user.getUUID("id");
    return passwords
        .hash(password)
        .compose(
            hash -> pool.preparedQuery(UsersSql.UPGRADE_HASH).execute(Tuple.of(id, hash, stored)))
        .onSuccess(
            rows -> LOG.info("upgraded the password hash of user {} to the current parameters", id))
        .<Void>mapEmpty()
        .recover(
            e -> {
              LOG.warn("could not upgrade the password hash of user {}: {}", id, e.toString());
              return Future.succeededFuture();
            });
  }

  private Future<JsonObject> profile(Message<JsonObject> msg) {
    Identity caller = Identity.from(msg.headers());
    if (caller == null) {
      return Future.failedFuture(ServiceFailure.unauthenticated("authentication required"));
    }
    Object asked = msg.body() == null ? null : msg.body().getValue("userId");
    if (asked != null && !(asked instanceof String)) {
      return Future.failedFuture(ServiceFailure.invalid("userId", "userId must be a string"));
    }
    String target = asked == null ? caller.userId() : (String) asked;
    if (!target.equals(caller.userId()) && !caller.admin()) {
      return Future.failedFuture(
          ServiceFailure.forbidden("only an admin may read another user's profile"));
    }
    UUID id;
    try {
      id = UUID.fromString(target);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ServiceFailure.notFound("user not found"));
    }
    return pool.preparedQuery(UsersSql.FIND_PROFILE)
        .execute(Tuple.of(id))
        .compose(
            rows ->
                rows.size() == 0
                    ? Future.failedFuture(ServiceFailure.notFound("user not found"))
                    : Future.succeededFuture(profileJson(rows.iterator().next())));
  }

  /**
   * The profile reply: {@code {id, email, displayName, roles, createdAt}}, createdAt ISO-8601 UTC.
   */
  static JsonObject profileJson(Row row) {
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("email", row.getString("email"))
        .put("displayName", row.getString("display_name"))
        .put("roles", new JsonArray(Arrays.asList(row.getArrayOfStrings("roles"))))
        .put(
            "createdAt",
            row.getOffsetDateTime("created_at")
                .toInstant()
                .truncatedTo(ChronoUnit.MILLIS)
                .toString());
  }
}
