package dev.microshop.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ConnectFailureTest {
  @Test
  void aWrongPasswordOrCertificateIsPermanentAndAServerNotUpYetIsNot() {
    assertThat(ConnectFailure.of(new SQLException("password authentication failed", "28P01")))
        .isEqualTo(ConnectFailure.LOGIN);
    assertThat(ConnectFailure.of(new SQLException("no pg_hba.conf entry", "28000")))
        .isEqualTo(ConnectFailure.LOGIN);
    assertThat(ConnectFailure.of(new SQLException("database \"x\" does not exist", "3D000")))
        .isEqualTo(ConnectFailure.NO_DATABASE);
    assertThat(ConnectFailure.of(new SQLException("permission denied", "42501")))
        .isEqualTo(ConnectFailure.NOT_ALLOWED);
    assertThat(
            ConnectFailure.of(
                new SQLException("SSL error", "08006", new SSLHandshakeException("PKIX"))))
        .isEqualTo(ConnectFailure.CERTIFICATE);
    assertThat(ConnectFailure.of(new SQLException("The server does not support SSL.", "08004")))
        .isEqualTo(ConnectFailure.NO_TLS);
    SQLException refused =
        new SQLException("Connection refused", "08001", new ConnectException("refused"));

    assertThat(ConnectFailure.of(refused)).isEqualTo(ConnectFailure.UNREACHABLE);
    assertThat(ConnectFailure.of(refused).permanent()).isFalse();
    assertThat(ConnectFailure.LOGIN.permanent()).isTrue();
    assertThat(ConnectFailure.of(new SQLException("the database system is starting up", "57P03")))
        .isEqualTo(ConnectFailure.OTHER);
  }
}
