package dev.microshop.platform.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * Dev-mode secrets: generated once into the local data directory (never the repository),
 * owner-only.
 */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String DIR_MODE = "rwx------";
  private static final String FILE_MODE = "rw-------";
  private static final List<String> SECRET_DIRS = List.of("secrets", "keys");

  private Secrets() {}

  /** The secret stored in {@code <dataDir>/secrets/<name>}, generated on first use. */
  public static String getOrCreate(Path dataDir, String name) {
    return getOrCreateIn(dataDir.resolve("secrets"), name);
  }

  /**
   * The secret stored in {@code dir/name}, generated on first use (the directory 0700, the file
   * 0600): also for secrets an operator keeps outside the data directory.
   */
  public static String getOrCreateIn(Path dir, String name) {
    Path file = dir.resolve(name);
    try {
      if (Files.exists(file)) {
        return Files.readString(file).trim();
      }
      privateDirectory(file.getParent());
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
      return getOrCreateIn(dir, name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store secret " + file, e);
    }
  }

  /**
   * Makes {@code dir} (and missing parents) and restricts it to its owner (0700), whatever the
   * umask made of it.
   */
  public static Path privateDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    setMode(dir, DIR_MODE);
    return dir;
  }

  /**
   * Restricts every directory of {@code dataDir} that holds secrets ({@code secrets/}, with the
   * cluster certificates' keys, and {@code keys/}, users' dev signing key) to their owner:
   * directories 0700, files 0600. A data directory made by an older build, or under a loose umask,
   * is tightened on the next start.
   */
  public static void tightenAll(Path dataDir) {
    for (String name : SECRET_DIRS) {
      Path dir = dataDir.resolve(name);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try {
        Files.walkFileTree(dir, new Tightening());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot restrict the secrets in " + dir, e);
      }
    }
  }

  /** Links are not followed; a file another JVM moves away meanwhile is skipped. */
  private static final class Tightening extends SimpleFileVisitor<Path> {
    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
        throws IOException {
      setMode(dir, DIR_MODE);
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
      if (attrs.isRegularFile()) {
        setMode(file, FILE_MODE);
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
      if (e instanceof NoSuchFileException) {
        return FileVisitResult.CONTINUE;
      }
      throw e;
    }
  }

  private static void setMode(Path path, String mode) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
    } catch (NoSuchFileException gone) {
      // A temporary file renamed by another JVM: its final name is visited, or made 0600 already.
    } catch (UnsupportedOperationException notPosix) {
      // Windows: the user profile's ACLs apply; there is no mode to set.
    }
  }

  /** Where the dev-mode password of a service's database role lives. */
  public static Path dbPasswordFile(Path dataDir, String service) {
    return dataDir.resolve("secrets").resolve(service + "-db-password");
  }
}
