package dev.microshop.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
  @TempDir Path dataDir;

  @Test
  void aGeneratedSecretLivesInAnOwnerOnlyDirectoryInAnOwnerOnlyFile() throws Exception {
    Secrets.getOrCreate(dataDir, "orders-db-password");
    assertThat(mode(dataDir.resolve("secrets"))).isEqualTo("rwx------");
    assertThat(mode(dataDir.resolve("secrets/orders-db-password"))).isEqualTo("rw-------");
  }

  @Test
  void looseSecretDirectoriesAndFilesOfAnOlderStartAreTightenedAndLinksNotFollowed()
      throws Exception {
    Path outside = Files.writeString(dataDir.resolve("outside.txt"), "not a secret");
    set(outside, "rw-r--r--");
    Path tls = Files.createDirectories(dataDir.resolve("secrets/cluster-tls"));
    Path keys = Files.createDirectories(dataDir.resolve("keys"));
    Path password = Files.writeString(dataDir.resolve("secrets/postgres-password"), "p");
    Path caKey = Files.writeString(tls.resolve("ca-key.pem"), "k");
    Path signing = Files.writeString(keys.resolve("signing-key.pem"), "k");
    Files.createSymbolicLink(keys.resolve("link"), outside);
    for (Path dir : new Path[] {dataDir.resolve("secrets"), tls, keys}) {
      set(dir, "rwxr-xr-x");
    }
    for (Path file : new Path[] {password, caKey, signing}) {
      set(file, "rw-r--r--");
    }

    Secrets.tightenAll(dataDir);

    for (Path dir : new Path[] {dataDir.resolve("secrets"), tls, keys}) {
      assertThat(mode(dir)).as(dir.toString()).isEqualTo("rwx------");
    }
    for (Path file : new Path[] {password, caKey, signing}) {
      assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
    }
    assertThat(mode(outside)).as("the target of a link").isEqualTo("rw-r--r--");
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static void set(Path path, String mode) throws Exception {
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
  }
}
