package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service's log file under up: rolled by size, the oldest dropped, nothing lost in between. */
class RollingLogTest {
  @TempDir Path dir;

  @Test
  void writingPastTheSizeRollsTheFileAndKeepsOnlyTheNewestRolledFiles() throws Exception {
    Path file = dir.resolve("logs").resolve("orders.log");
    // 10-byte lines ("line-0001" and a newline), 50 bytes a file: five lines each.
    try (RollingLog log = new RollingLog(file, 50, 2)) {
      for (int i = 1; i <= 23; i++) {
        log.append(String.format("line-%04d", i));
      }
    }

    assertThat(names()).containsExactlyInAnyOrder("orders.log", "orders.log.1", "orders.log.2");
    assertThat(Files.readAllLines(file)).containsExactly("line-0021", "line-0022", "line-0023");
    assertThat(Files.readAllLines(dir.resolve("logs").resolve("orders.log.1")))
        .containsExactly("line-0016", "line-0017", "line-0018", "line-0019", "line-0020");
    assertThat(Files.readAllLines(dir.resolve("logs").resolve("orders.log.2")))
        .containsExactly("line-0011", "line-0012", "line-0013", "line-0014", "line-0015");
    for (String name : names()) {
      assertThat(Files.size(dir.resolve("logs").resolve(name))).as(name).isLessThanOrEqualTo(50);
    }
  }

  @Test
  void aNewUpAppendsToTheFileItFindsAndCountsItsSize() throws Exception {
    Path file = dir.resolve("payments.log");
    try (RollingLog first = new RollingLog(file, 30, 5)) {
      first.append("line-0001");
      first.append("line-0002");
    }
    try (RollingLog second = new RollingLog(file, 30, 5)) {
      second.append("line-0003");
      second.append("line-0004"); // 40 bytes would pass the limit: a roll first
    }

    assertThat(Files.readAllLines(dir.resolve("payments.log.1")))
        .containsExactly("line-0001", "line-0002", "line-0003");
    assertThat(Files.readAllLines(file)).containsExactly("line-0004");
  }

  @Test
  void aLineLongerThanTheLimitIsKeptWholeInAFileOfItsOwn() throws Exception {
    Path file = dir.resolve("gateway.log");
    String longLine = "x".repeat(100);
    try (RollingLog log = new RollingLog(file, 20, 3)) {
      log.append("short");
      log.append(longLine);
      log.append("after");
    }

    assertThat(Files.readAllLines(dir.resolve("gateway.log.2"))).containsExactly("short");
    assertThat(Files.readAllLines(dir.resolve("gateway.log.1"))).containsExactly(longLine);
    assertThat(Files.readAllLines(file)).containsExactly("after");
  }

  @Test
  void flushedLinesAreVisibleToAReaderWhileTheFileStaysOpen() throws Exception {
    Path file = dir.resolve("users.log");
    RollingLog log = new RollingLog(file, 1024, 1);
    List<String> seen = new ArrayList<>();
    try {
      log.append("users instance 1 ready");
      log.flush();
      seen.addAll(Files.readAllLines(file));
    } finally {
      log.close();
    }

    assertThat(seen).containsExactly("users instance 1 ready");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .as("logs name users: owner-only, like the secrets beside them")
        .isEqualTo("rw-------");
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
