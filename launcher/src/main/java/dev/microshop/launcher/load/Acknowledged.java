package dev.microshop.launcher.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The id of every order the gateway answered 202, one UUID per line: what {@code verify
 * --acknowledged} reads to check that none was lost.
 */
final class Acknowledged implements AutoCloseable {
  private final BufferedWriter out;

  private Acknowledged(BufferedWriter out) {
    this.out = out;
  }

  /** Writes to {@code file} (replacing it), or nowhere when it is null. */
  static Acknowledged to(Path file) {
    if (file == null) {
      return new Acknowledged(null);
    }
    try {
      return new Acknowledged(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SetupFailed("cannot write --acknowledged " + file + ": " + SetupFailed.describe(e));
    }
  }

  synchronized void add(String orderId) {
    if (out != null) {
      try {
        out.write(orderId);
        out.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Called each second, so a run that is killed leaves what was acknowledged until then. */
  synchronized void flush() {
    if (out != null) {
      try {
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
