package dev.microshop.launcher.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A system that answers 503 with Retry-After (a service restarting, a breaker open): a closed
 * loop's clients wait it out, as polite clients do, instead of answering each fast refusal with
 * another request at once; {@code --retry-after ignore} hammers.
 */
class RetryAfterTest {
  private LocalServer server;
  private final AtomicLong requests = new AtomicLong();

  @BeforeEach
  void startAServerThatGoesDown() throws Exception {
    server =
        LocalServer.start(
            vertx ->
                req -> {
                  // The first is load's own look at the path before it starts; then it is down.
                  if (requests.getAndIncrement() == 0) {
                    req.response().end("ok");
                    return;
                  }
                  req.response()
                      .setStatusCode(503)
                      .putHeader("Retry-After", "1")
                      .putHeader("Content-Type", "application/problem+json")
                      .end("{\"status\":503}");
                });
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void closedLoopClientsWaitOutRetryAfter() throws Exception {
    Report.Result result = run("honor");
    Series reads = result.measured().browse;
    // Two clients, 2.5 s, one request a second each: at t = 0, 1 and 2 s.
    assertThat(reads.errors()).isBetween(4L, 6L);
    assertThat(result.clean()).isFalse();
  }

  @Test
  void ignoringRetryAfterRetriesAtOnce() throws Exception {
    Report.Result result = run("ignore");
    assertThat(result.measured().browse.errors()).isGreaterThan(100L);
  }

  private Report.Result run(String retryAfter) throws Exception {
    LoadOptions options =
        LoadOptions.parse(
            new String[] {
              "browse",
              "--gateway",
              server.url(),
              "--path",
              "/hello",
              "--concurrency",
              "2",
              "--duration",
              "2500ms",
              "--warmup",
              "0",
              "--retry-after",
              retryAfter
            });
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    return LoadCommand.execute(options, new PrintStream(progress, true, StandardCharsets.UTF_8));
  }
}
