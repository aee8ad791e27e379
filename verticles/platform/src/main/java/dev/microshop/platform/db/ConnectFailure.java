package dev.microshop.platform.db;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import javax.net.ssl.SSLException;

/**
 * Why a JDBC login failed, sorted by what fixes it: a wrong setting (waiting will not help, so it
 * is reported at once, naming the setting) or a server not there yet (worth retrying).
 */
public enum ConnectFailure {
  /** Wrong user or password, or no pg_hba.conf line lets this user in from here. */
  LOGIN,
  /** The server's certificate is not trusted, or does not name the host. */
  CERTIFICATE,
  /** TLS was asked for and the server does not offer it. */
  NO_TLS,
  /** The database does not exist. */
  NO_DATABASE,
  /** The role may not connect to the database. */
  NOT_ALLOWED,
  /** Nothing answers at that host and port (yet). */
  UNREACHABLE,
  OTHER;

  public static ConnectFailure of(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = String.valueOf(e.getMessage());
    if (state.startsWith("28")) {
      return LOGIN;
    }
    if (state.equals("3D000")) {
      return NO_DATABASE;
    }
    if (state.equals("42501")) {
      return NOT_ALLOWED;
    }
    if (causedBy(e, SSLException.class)
        || causedBy(e, CertificateException.class)
        || message.contains("could not be verified")) {
      return CERTIFICATE;
    }
    if (message.contains("does not support SSL")) {
      return NO_TLS;
    }
    if (causedBy(e, ConnectException.class)
        || causedBy(e, UnknownHostException.class)
        || causedBy(e, NoRouteToHostException.class)
        || causedBy(e, SocketTimeoutException.class)) {
      return UNREACHABLE;
    }
    return OTHER;
  }

  /** Failures that no retry will cure. */
  public boolean permanent() {
    return this != UNREACHABLE && this != OTHER;
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
