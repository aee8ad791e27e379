package dev.microshop.launcher.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Coordinated omission: a server that stops answering for a second must show in the percentiles as
 * a second of latency for every operation that was due during it, not as one slow request among
 * fewer, because the open loop times each operation from when it was meant to start.
 */
class OpenLoopTest {
  private static final long STALL_AFTER_MS = 1000;
  private static final long STALL_MS = 1000;

  private LocalServer server;
  private final AtomicLong firstNs = new AtomicLong();

  @BeforeEach
  void startAServerThatStallsForOneSecond() throws Exception {
    server =
        LocalServer.start(
            vertx ->
                req -> {
                  long now = System.nanoTime();
                  firstNs.compareAndSet(0, now);
                  long sinceMs = TimeUnit.NANOSECONDS.toMillis(now - firstNs.get());
                  long holdMs =
                      sinceMs >= STALL_AFTER_MS && sinceMs < STALL_AFTER_MS + STALL_MS
                          ? STALL_AFTER_MS + STALL_MS - sinceMs
                          : 0;
                  if (holdMs == 0) {
                    req.response().end("ok");
                  } else {
                    vertx.setTimer(holdMs, t -> req.response().end("ok"));
                  }
                });
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void aOneSecondStallShowsAsTheLatencyOfEveryOperationDueDuringIt() throws Exception {
    LoadOptions options =
        LoadOptions.parse(
            new String[] {
              "browse",
              "--gateway",
              server.url(),
              "--path",
              "/hello",
              "--rate",
              "200",
              "--duration",
              "3s",
              "--warmup",
              "0",
              "--connections",
              "16",
              "--pids",
              "server=" + ProcessHandle.current().pid()
            });
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    Report.Result result =
        LoadCommand.execute(options, new PrintStream(progress, true, StandardCharsets.UTF_8));

    Series reads = result.measured().browse;
    // Every operation due in the window was sent and answered: the stall did not thin the samples.
    assertThat(reads.count()).isBetween(570L, 601L);
    assertThat(reads.errors()).isZero();
    // About a third were due during the stall, each waiting until its end: their latencies spread
    // from 0 to 1 s. Timed from the actual send, all but the 16 on the wire would look fast.
    // (Bounds are loose above: on a busy machine the backlog takes a while to drain after the
    // stall.)
    assertThat(reads.ms(50)).isLessThan(500);
    assertThat(reads.ms(90)).isGreaterThan(500);
    assertThat(reads.ms(99)).isGreaterThan(900);
    assertThat(reads.maxMs()).isBetween(950.0, 3000.0);
    assertThat(result.clean()).isTrue();
    assertThat(result.cores()).containsKeys("server", "load", "other", "host");
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .contains("[  1 s] measure | browse ")
        .contains("errors 0 | 429s 0");
  }
}
