package dev.microshop.platform.db;

import static dev.microshop.testkit.ServiceHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.microshop.contracts.Services;
import dev.microshop.platform.testing.ProbeService;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How a service's pool reaches the embedded PostgreSQL: through the server's Unix-domain socket, on
 * Vert.x's native transport, and over TCP when no socket directory is set or Vert.x runs on NIO.
 * PostgreSQL itself tells which: {@code inet_client_addr()} is null for a Unix-socket session.
 */
class DatabaseConnectionIT {
  private static final String WHO =
      """
      SELECT host(inet_client_addr()) AS client, current_user AS role, current_database() AS db""";

  private static ServiceHarness harness;
  private static ProbeService probe;

  @BeforeAll
  static void start() throws Exception {
    AtomicReference<ProbeService> started = new AtomicReference<>();
    harness =
        ServiceHarness.start(
            Services.ORDERS,
            platform -> {
              started.set(new ProbeService(platform));
              return started.get();
            },
            Map.of());
    probe = started.get();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void aServicesPoolGoesThroughTheEmbeddedServersUnixSocketOnTheNativeTransport() {
    // The launcher ships the epoll library for Linux x86-64 and arm64; elsewhere (macOS) the socket
    // is not used (NIO and TCP, below).
    assumeTrue(
        System.getProperty("os.name").toLowerCase().startsWith("linux")
            && List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch")),
        "the native transport is shipped for Linux x86-64 and arm64 only");
    assertThat(harness.vertx().isNativeTransportEnabled()).as("epoll transport").isTrue();
    assertThat(probe.config().getJsonObject("db").getString("socketDir"))
        .startsWith("/")
        .endsWith("/pg");

    Row row = who(probe.pool());

    assertThat(row.getString("client")).as("client address (null: a Unix-domain socket)").isNull();
    assertThat(row.getString("role")).isEqualTo(Services.ORDERS);
    assertThat(row.getString("db")).isEqualTo(Services.ORDERS);
  }

  @Test
  void withoutASocketDirectoryThePoolConnectsOverTcpWithTheSameLogin() {
    DbSettings socket = DbSettings.from(probe.config());
    DbSettings tcp =
        new DbSettings(
            socket.host(),
            socket.port(),
            "",
            socket.database(),
            socket.user(),
            socket.password(),
            1);
    Pool pool = Database.pool(harness.vertx(), Services.ORDERS, tcp);
    try {
      Row row = who(pool);

      assertThat(row.getString("client")).isEqualTo("127.0.0.1");
      assertThat(row.getString("role")).isEqualTo(Services.ORDERS);
    } finally {
      await(pool.close());
    }
  }

  /**
   * What a platform without the native transport does (macOS), forced here: Vert.x on NIO, and the
   * pool over TCP although the embedded server's socket directory is in the config.
   */
  @Test
  void onNioTheServiceConnectsOverTcpEvenWhenTheSocketIsOffered() throws Exception {
    AtomicReference<ProbeService> started = new AtomicReference<>();
    try (ServiceHarness nio =
        ServiceHarness.start(
            Services.ORDERS,
            platform -> {
              started.set(new ProbeService(platform));
              return started.get();
            },
            Map.of("MICROSHOP_NATIVE_TRANSPORT", "false"))) {
      assertThat(nio.vertx().isNativeTransportEnabled()).as("native transport").isFalse();
      assertThat(started.get().config().getJsonObject("db").getString("socketDir"))
          .isEqualTo(probe.config().getJsonObject("db").getString("socketDir"));

      Row row = who(started.get().pool());

      assertThat(row.getString("client")).as("client address (TCP)").isEqualTo("127.0.0.1");
      assertThat(row.getString("role")).isEqualTo(Services.ORDERS);
      assertThat(row.getString("db")).isEqualTo(Services.ORDERS);
    }
  }

  private static Row who(Pool pool) {
    return await(pool.query(WHO).execute()).iterator().next();
  }
}
