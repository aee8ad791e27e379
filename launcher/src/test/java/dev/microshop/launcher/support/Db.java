package dev.microshop.launcher.support;

import dev.microshop.platform.config.Secrets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Reads a service's own database as that service's role, to assert side effects and invariants. */
public final class Db {
  private Db() {}

  /** Rows of a query as lists of column values. */
  public static List<List<Object>> rows(String service, String sql) {
    Properties props = new Properties();
    props.setProperty("user", service);
    props.setProperty(
        "password", Secrets.getOrCreate(SharedDatabase.dataDir(), service + "-db-password"));
    String url = "jdbc:postgresql://127.0.0.1:" + SharedDatabase.get().port() + "/" + service;
    try (Connection c = DriverManager.getConnection(url, props);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<List<Object>> out = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        out.add(row);
      }
      return out;
    } catch (SQLException e) {
      throw new AssertionError(service + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  /** The single number a query yields (0 for NULL). */
  public static long number(String service, String sql) {
    Object value = rows(service, sql).get(0).get(0);
    return value == null ? 0 : ((Number) value).longValue();
  }
}
