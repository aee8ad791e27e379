package dev.microshop.launcher;

import static dev.microshop.launcher.DbInitIT.dbInit;
import static dev.microshop.launcher.DbInitIT.dbInitEnv;
import static dev.microshop.launcher.DbInitIT.serviceEnv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.StandaloneServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS to an external PostgreSQL whose certificate a test CA signed (names 127.0.0.1): with {@code
 * verify-full} db-init and a service get through, encrypted; with another CA neither does, and each
 * says which setting to fix.
 */
class DbInitTlsIT {
  private static StandaloneServer server;
  private static Path secrets;
  private static Path ca;
  private static Path otherCa;

  @BeforeAll
  static void startServerWithTls() throws Exception {
    server = StandaloneServer.start();
    secrets = server.dir().resolve("operator-secrets");
    Path pki = DevTls.ensure(server.dir().resolve("pki"), Set.of("postgres"), "127.0.0.1");
    ca = pki.resolve("ca.pem");
    otherCa =
        DevTls.ensure(server.dir().resolve("other-pki"), Set.of("postgres"), "127.0.0.1")
            .resolve("ca.pem");
    // ssl and its files take effect on a reload, as an operator would switch them on.
    server.execute(
        "ALTER SYSTEM SET ssl_cert_file = '" + pki.resolve("postgres.pem") + "'",
        "ALTER SYSTEM SET ssl_key_file = '" + pki.resolve("postgres-key.pem") + "'",
        "ALTER SYSTEM SET ssl = on",
        "SELECT pg_reload_conf()");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!"on".equals(server.value("postgres", "SHOW ssl"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("PostgreSQL did not turn TLS on; see " + server.dir());
      }
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static Map<String, String> tls(Map<String, String> env, Path caFile) {
    env.put("MICROSHOP_DB_SSL_MODE", "verify-full");
    env.put("MICROSHOP_DB_SSL_CA_FILE", caFile.toString());
    return env;
  }

  @Test
  void withVerifyFullDbInitAndAServiceConnectEncrypted() throws Exception {
    ServiceProcess init = dbInit(tls(dbInitEnv(server, secrets), ca));

    assertThat(init.awaitExit(Duration.ofSeconds(1))).as(init.output()).isZero();
    assertThat(init.output())
        .contains("(sslMode verify-full)")
        .contains("MICROSHOP_DB_SSL_MODE=verify-full MICROSHOP_DB_SSL_CA_FILE=" + ca);
    try (ServiceProcess payments =
        ServiceProcess.start(
            tls(serviceEnv(server, secrets, Services.PAYMENTS), ca), Services.PAYMENTS)) {
      payments.awaitReady(Duration.ofSeconds(120));

      // Readiness runs a query through the service's pool: it is up only if the pool got in too.
      HttpResponse<String> ready =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(payments.managementUrl() + "/health/ready"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(
              server.value(
                  "postgres",
                  "SELECT count(*) FILTER (WHERE NOT s.ssl) || '/' || count(*)"
                      + " FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid"
                      + " WHERE a.usename = 'payments'"))
          .as("unencrypted / all connections of payments")
          .asString()
          .startsWith("0/")
          .isNotEqualTo("0/0");
    }
  }

  @Test
  void aServerCertificateOfAnotherCaIsRefusedNamingTheSetting() {
    ServiceProcess init = dbInit(tls(dbInitEnv(server, secrets), otherCa));

    assertThat(init.awaitExit(Duration.ofSeconds(1))).as(init.output()).isEqualTo(2);
    assertThat(init.lines()).hasSize(1);
    assertThat(init.lines().get(0))
        .startsWith(
            "microshop: bad setting db.sslCaFile: PostgreSQL at 127.0.0.1:"
                + server.port()
                + " is not trusted (sslMode verify-full)");

    dbInit(tls(dbInitEnv(server, secrets), ca)); // the roles exist: only the CA is wrong below
    try (ServiceProcess payments =
        ServiceProcess.start(
            tls(serviceEnv(server, secrets, Services.PAYMENTS), otherCa), Services.PAYMENTS)) {
      assertThat(payments.awaitExit(Duration.ofSeconds(60))).as(payments.output()).isEqualTo(2);
      assertThat(payments.output())
          .contains(
              "microshop: bad setting db.sslCaFile: PostgreSQL at 127.0.0.1:"
                  + server.port()
                  + " is not trusted (sslMode verify-full, CA "
                  + otherCa
                  + ")");
    }
  }
}
