package dev.microshop.launcher.support;

import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import java.nio.file.Path;

/**
 * One real embedded PostgreSQL per test JVM (fsync off for speed), provisioned like {@code up}
 * provisions it: a database and a role per service. Service processes attach to it through the
 * shared data directory.
 */
public final class SharedDatabase {
  private static EmbeddedDatabase database;
  private static Path dataDir;

  private SharedDatabase() {}

  public static synchronized EmbeddedDatabase get() {
    if (database == null) {
      dataDir = TestEnv.tempDir("microshop-it-");
      database = EmbeddedDatabase.start(dataDir, false, Services.WITH_DATABASE);
      Path dir = dataDir;
      EmbeddedDatabase db = database;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    db.close();
                    try (var paths = java.nio.file.Files.walk(dir)) {
                      paths
                          .sorted(java.util.Comparator.reverseOrder())
                          .forEach(p -> p.toFile().delete());
                    } catch (java.io.IOException e) {
                      // best effort: a temp directory
                    }
                  }));
    }
    return database;
  }

  public static synchronized Path dataDir() {
    get();
    return dataDir;
  }

  /** A test environment whose processes use this database. */
  public static TestEnv env() {
    return TestEnv.in(dataDir());
  }
}
