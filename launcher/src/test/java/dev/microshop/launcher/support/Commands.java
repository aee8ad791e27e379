package dev.microshop.launcher.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The system commands the {@link Lab} runs ({@code ip}, {@code kill}): each bounded in time, and a
 * failure reported with what the command printed, so a broken lab says why.
 */
final class Commands {
  private static final long TIMEOUT_SECONDS = 20;

  private Commands() {}

  /** The exit code and the merged output of one command; code -1 when it could not run. */
  record Result(int code, String output) {
    boolean ok() {
      return code == 0;
    }
  }

  /** Runs {@code command} and returns its output; a non-zero exit is an exception naming it. */
  static String run(String... command) {
    Result result = tryRun(command);
    if (!result.ok()) {
      throw new IllegalStateException(
          String.join(" ", command)
              + " failed ("
              + result.code()
              + "): "
              + result.output().strip());
    }
    return result.output();
  }

  /** Runs {@code command} for callers that expect it may fail (a probe, a best-effort cleanup). */
  static Result tryRun(String... command) {
    Process process;
    try {
      process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, String.valueOf(e.getMessage()));
    }
    // Read on another thread: a command that hangs must not hang the test with it.
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, String.join(" ", command) + " still running after 20 s");
      }
      return new Result(process.exitValue(), output.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return new Result(-1, "interrupted");
    } catch (Exception e) {
      return new Result(process.exitValue(), "(output unreadable: " + e + ")");
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
