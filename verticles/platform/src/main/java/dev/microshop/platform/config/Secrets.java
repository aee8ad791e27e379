package dev.microshop.platform.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Dev-mode secrets: generated once into the local data directory (never the repository),
 * owner-only.
 */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** The secret stored in {@code <dataDir>/secrets/<name>}, generated on first use. */
  public static String getOrCreate(Path dataDir, String name) {
    Path file = dataDir.resolve("secrets").resolve(name);
    try {
      if (Files.exists(file)) {
        return Files.readString(file).trim();
      }
      Files.createDirectories(file.getParent());
      byte[] bytes = new byte[24];
      RANDOM.nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      Path tmp =
          Files.createTempFile(
              file.getParent(),
              name,
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, secret);
      Files.move(tmp, file);
      return secret;
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      return getOrCreate(dataDir, name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store secret " + file, e);
    }
  }

  /** Where the dev-mode password of a service's database role lives. */
  public static Path dbPasswordFile(Path dataDir, String service) {
    return dataDir.resolve("secrets").resolve(service + "-db-password");
  }
}
