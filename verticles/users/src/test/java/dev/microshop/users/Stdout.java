package dev.microshop.users;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Tees System.out while open, so a test can assert what a developer would see on the console. */
final class Stdout implements AutoCloseable {
  private final PrintStream original = System.out;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  Stdout() {
    OutputStream tee =
        new OutputStream() {
          @Override
          public synchronized void write(int b) {
            original.write(b);
            captured.write(b);
          }

          @Override
          public synchronized void write(byte[] bytes, int offset, int length) {
            original.write(bytes, offset, length);
            captured.write(bytes, offset, length);
          }
        };
    System.setOut(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** The captured lines starting with {@code prefix}. */
  synchronized List<String> lines(String prefix) {
    return captured
        .toString(StandardCharsets.UTF_8)
        .lines()
        .filter(l -> l.startsWith(prefix))
        .toList();
  }

  @Override
  public void close() {
    System.out.flush();
    System.setOut(original);
  }
}
