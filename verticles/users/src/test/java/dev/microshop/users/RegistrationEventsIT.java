package dev.microshop.users;

import static dev.microshop.users.UsersIT.PASSWORD;
import static dev.microshop.users.UsersIT.registration;
import static dev.microshop.users.UsersIT.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Events;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * USER_REGISTERED through the users outbox: written with the account, relayed to the notifications
 * address of this test (standing in for the notifications service), marked delivered on its
 * acknowledgement.
 */
class RegistrationEventsIT {
  private static final String DESTINATION = "notifications.on.users.user.registered";
  private static final String ADMIN_EMAIL = "admin-" + UUID.randomUUID() + "@example.com";

  private static Path dataDir;
  private static ServiceHarness users;
  private static MessageConsumer<JsonObject> notifications;

  /** What the stand-in notifications consumer received, in order. */
  private static final List<JsonObject> received = new CopyOnWriteArrayList<>();

  /** One outbox row, as stored. */
  record OutboxRow(UUID id, String destination, JsonObject payload, String status, int attempts) {}

  @BeforeAll
  static void start() throws Exception {
    assertThat(Events.deliveryAddress(Services.NOTIFICATIONS, Events.USER_REGISTERED))
        .isEqualTo(DESTINATION);
    dataDir = Files.createTempDirectory("users-events-it-");
    users = startInstance();
    notifications =
        users
            .vertx()
            .eventBus()
            .consumer(
                DESTINATION,
                msg -> {
                  received.add(msg.body());
                  msg.reply(new JsonObject());
                });
    ServiceHarness.await(notifications.completion());
  }

  private static ServiceHarness startInstance() throws Exception {
    return ServiceHarness.start(
        Services.USERS,
        UsersVerticle::new,
        Map.of(
            "MICROSHOP_DEV",
            "true",
            "MICROSHOP_DATA_DIR",
            dataDir.toString(),
            "MICROSHOP_USERS_ADMIN_EMAIL",
            ADMIN_EMAIL,
            "MICROSHOP_OUTBOX_POLL_MS",
            "100"));
  }

  @AfterAll
  static void stop() {
    if (users != null) {
      users.close();
    }
  }

  @Test
  void registeringWritesOneUserRegisteredEventForNotificationsWithTheAccount() throws Exception {
    String email = uniqueEmail();

    JsonObject profile =
        users.request(UsersApi.REGISTER, registration(email, " Ann Lee ", PASSWORD), null);

    String userId = profile.getString("id");
    assertThat(outboxFor(email))
        .singleElement()
        .satisfies(
            row -> {
              JsonObject event = row.payload();
              String eventId = event.getString("eventId");
              assertThat(row.destination()).isEqualTo(DESTINATION);
              assertThat(event.fieldNames())
                  .containsExactlyInAnyOrder(
                      "messageId", "eventId", "occurredAt", "userId", "email", "displayName");
              assertThat(UUID.fromString(eventId)).isNotNull();
              assertThat(event.getString("messageId"))
                  .isEqualTo(Events.deliveryId(eventId, Services.NOTIFICATIONS));
              assertThat(row.id()).hasToString(event.getString("messageId"));
              assertThat(event.getString("userId")).isEqualTo(userId);
              assertThat(event.getString("email")).isEqualTo(email);
              assertThat(event.getString("displayName")).isEqualTo("Ann Lee");
              assertThat(
                      Instant.parse(event.getString("occurredAt")).truncatedTo(ChronoUnit.MILLIS))
                  .isEqualTo(Instant.parse(profile.getString("createdAt")));
            });
  }

  @Test
  void theRelayDeliversTheEventToNotificationsAndMarksItDelivered() throws Exception {
    String email = uniqueEmail();

    String userId =
        users.request(UsersApi.REGISTER, registration(email, "Bo", PASSWORD), null).getString("id");

    JsonObject delivered = awaitReceived(email);
    OutboxRow row = awaitStatus(email, "DELIVERED");
    assertThat(delivered.getString("userId")).isEqualTo(userId);
    assertThat(delivered).isEqualTo(row.payload());
    assertThat(row.attempts()).isEqualTo(1);
    assertThat(received.stream().filter(e -> email.equals(e.getString("email")))).hasSize(1);
  }

  @Test
  void aDuplicateEmailIs409AndAddsNoEvent() throws Exception {
    String email = uniqueEmail();
    users.request(UsersApi.REGISTER, registration(email, "First", PASSWORD), null);

    ReplyException duplicate =
        users.failure(
            UsersApi.REGISTER, registration(email.toUpperCase(), "Second", PASSWORD), null);

    assertThat(duplicate.failureCode()).isEqualTo(ErrorCodes.CONFLICT);
    assertThat(duplicate.getMessage()).isEqualTo("email: is already registered");
    assertThat(count("SELECT count(*) FROM users WHERE lower(email) = lower(?)", email))
        .isEqualTo(1);
    assertThat(
            count("SELECT count(*) FROM outbox WHERE lower(payload->>'email') = lower(?)", email))
        .isEqualTo(1);
    assertThat(outboxFor(email))
        .singleElement()
        .satisfies(row -> assertThat(row.payload().getString("displayName")).isEqualTo("First"));
  }

  @Test
  void theAdminCreatedAtStartIsAnnouncedOnceEvenWhenAnotherInstanceStarts() throws Exception {
    UUID adminId = adminId();

    // Emitted before this test's consumer existed: the relay retried it until the consumer
    // acknowledged it.
    OutboxRow row = awaitStatus(ADMIN_EMAIL, "DELIVERED");
    assertThat(row.payload().getString("userId")).isEqualTo(adminId.toString());
    assertThat(row.payload().getString("displayName")).isEqualTo("Administrator");
    assertThat(awaitReceived(ADMIN_EMAIL)).isEqualTo(row.payload());

    try (ServiceHarness second = startInstance()) {
      assertThat(second.request(UsersApi.KEYS, new JsonObject(), null).containsKey("keys"))
          .isTrue();
    }
    assertThat(count("SELECT count(*) FROM users WHERE lower(email) = lower(?)", ADMIN_EMAIL))
        .isEqualTo(1);
    assertThat(outboxFor(ADMIN_EMAIL)).hasSize(1);
  }

  private static JsonObject awaitReceived(String email) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      for (JsonObject event : received) {
        if (email.equals(event.getString("email"))) {
          return event;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no USER_REGISTERED for " + email + " reached " + DESTINATION);
  }

  private static OutboxRow awaitStatus(String email, String status) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    List<OutboxRow> rows = List.of();
    while (System.currentTimeMillis() < deadline) {
      rows = outboxFor(email);
      if (rows.size() == 1 && rows.get(0).status().equals(status)) {
        return rows.get(0);
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "the outbox row for " + email + " never became " + status + ": " + rows);
  }

  /** The outbox rows whose event names {@code email}. */
  private static List<OutboxRow> outboxFor(String email) throws SQLException {
    String sql =
        """
        SELECT id, destination, payload::text, status, attempts FROM outbox
        WHERE payload->>'email' = ? ORDER BY created_at
        """;
    List<OutboxRow> rows = new ArrayList<>();
    try (Connection c = users.sql();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, email);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new OutboxRow(
                  rs.getObject(1, UUID.class),
                  rs.getString(2),
                  new JsonObject(rs.getString(3)),
                  rs.getString(4),
                  rs.getInt(5)));
        }
      }
    }
    return rows;
  }

  private static UUID adminId() throws SQLException {
    try (Connection c = users.sql();
        PreparedStatement s =
            c.prepareStatement("SELECT id FROM users WHERE lower(email) = lower(?)")) {
      s.setString(1, ADMIN_EMAIL);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("the admin account").isTrue();
        return rs.getObject(1, UUID.class);
      }
    }
  }

  private static long count(String sql, String param) throws SQLException {
    try (Connection c = users.sql();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, param);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
