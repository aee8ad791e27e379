package dev.microshop.launcher;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One service's log under {@code up}, {@code <dataDir>/logs/<service>.log}: appended to across
 * restarts, and rolled by size ({@code orders.log} becomes {@code orders.log.1}, which becomes
 * {@code .2}, up to {@code kept}; the oldest is dropped), so a long-running {@code up} cannot fill
 * the disk. Owner-only, like the rest of the data directory's private files: logs name users.
 */
final class RollingLog implements Closeable {
  private final Path file;
  private final long maxBytes;
  private final int kept;
  private OutputStream out;
  private long size;
  private boolean broken;

  RollingLog(Path file, long maxBytes, int kept) {
    if (maxBytes < 1 || kept < 1) {
      throw new IllegalArgumentException("maxBytes and kept must be positive");
    }
    this.file = file;
    this.maxBytes = maxBytes;
    this.kept = kept;
  }

  Path file() {
    return file;
  }

  /** The {@code n}th rolled file: {@code orders.log.1} is the newest. */
  Path rolled(int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }

  /**
   * Appends one line, rolling first when it would take the file past its size (a line longer than
   * the limit still goes whole into a file of its own). A file that cannot be written is reported
   * once, and the lines still reach the console.
   */
  synchronized void append(String line) {
    if (broken) {
      return;
    }
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (out == null) {
        open();
      }
      if (size > 0 && size + bytes.length > maxBytes) {
        roll();
      }
      out.write(bytes);
      size += bytes.length;
    } catch (IOException e) {
      broken = true;
      Up.say("cannot write %s (%s); its lines go to the console only", file, e.getMessage());
      closeQuietly();
    }
  }

  /** Makes what was appended visible to {@code tail -F}. */
  synchronized void flush() {
    if (out != null) {
      try {
        out.flush();
      } catch (IOException e) {
        broken = true;
        Up.say("cannot write %s (%s); its lines go to the console only", file, e.getMessage());
        closeQuietly();
      }
    }
  }

  /** Flushes and closes the file; a later {@link #append} opens it again. */
  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      try {
        out.close();
      } finally {
        out = null;
      }
    }
  }

  private void open() throws IOException {
    Files.createDirectories(file.getParent());
    if (!Files.exists(file)
        && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    out =
        new BufferedOutputStream(
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    size = Files.size(file);
  }

  private void roll() throws IOException {
    close();
    Files.deleteIfExists(rolled(kept));
    for (int n = kept - 1; n >= 1; n--) {
      if (Files.exists(rolled(n))) {
        Files.move(rolled(n), rolled(n + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(file, rolled(1), StandardCopyOption.REPLACE_EXISTING);
    open();
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException e) {
      // Already reported as the reason this log stopped.
    }
  }
}
