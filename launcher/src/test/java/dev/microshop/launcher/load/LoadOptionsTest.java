package dev.microshop.launcher.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadOptionsTest {

  @Test
  void aRateMakesAnOpenLoopWithTheDocumentedDefaults() throws Exception {
    LoadOptions o = LoadOptions.parse(new String[] {"order", "--rate", "20"});
    assertThat(o.scenario()).isEqualTo(LoadOptions.Scenario.ORDER);
    assertThat(o.openLoop()).isTrue();
    assertThat(o.rate()).isEqualTo(20.0);
    assertThat(o.gateway().toString()).isEqualTo("http://127.0.0.1:8080");
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.customers()).isEqualTo(5);
    assertThat(o.follow()).isEqualTo(LoadOptions.Follow.SSE);
    assertThat(o.honorRetryAfter()).isTrue();
  }

  @Test
  void aConcurrencyMakesAClosedLoopWithAClientPerConnection() throws Exception {
    LoadOptions o =
        LoadOptions.parse(
            new String[] {
              "mixed",
              "--concurrency",
              "8",
              "--duration=500ms",
              "--warmup",
              "0",
              "--order-share",
              "0.5",
              "--data-dir",
              "/tmp/d",
              "--json",
              "--pids",
              "gateway=12,postgres=34"
            });
    assertThat(o.openLoop()).isFalse();
    assertThat(o.connections()).isEqualTo(8);
    assertThat(o.customers()).isEqualTo(8);
    assertThat(o.duration()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.warmup()).isZero();
    assertThat(o.orderShare()).isEqualTo(0.5);
    assertThat(o.adminPasswordFile().toString()).isEqualTo("/tmp/d/secrets/admin-password");
    assertThat(o.json()).isTrue();
    assertThat(o.pids()).containsExactly(Map.entry("gateway", 12L), Map.entry("postgres", 34L));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "                                                  | no scenario",
        "shop --rate 1                                     | unknown scenario 'shop'",
        "browse                                            | exactly one of --rate",
        "browse --rate 1 --concurrency 2                   | exactly one of --rate",
        "browse --rate 0                                   | --rate must be more than zero",
        "browse --rate fast                                | --rate is a number",
        "browse --concurrency -3                           | --concurrency must not be negative",
        "browse --rate 1 --gateway not-a-url               | --gateway is an http(s) URL",
        "browse --rate 1 --gateway ftp://host              | --gateway is an http(s) URL",
        "browse --rate 1 --duration -5s                    | --duration must be more than zero",
        "browse --rate 1 --warmup soon                     | --warmup is a duration",
        "browse --rate 1 --bogus x                         | unknown option --bogus",
        "browse --rate 1 --rate 2                          | --rate is given twice",
        "browse --rate 1 --duration                        | --duration needs a value",
        "browse --rate 1 --acknowledged ids.txt            | --acknowledged is for the order and mixed",
        "order --rate 1 --path /x                          | --path is for browse only",
        "order --rate 1 --products 3                       | --products needs an admin login",
        "order --rate 1 --follow carrier-pigeon            | --follow is sse or poll",
        "mixed --rate 1 --order-share 1.5                  | --order-share is a number from 0 to 1",
        "browse order --rate 1                             | one scenario only",
        "browse --rate 1 --pids gateway                    | --pids is name=pid",
        "browse --concurrency 1 --retry-after sometimes    | --retry-after is honor or ignore"
      })
  void badInputIsRefusedNamingTheArgument(String args, String message) {
    String[] argv = args == null ? new String[0] : args.trim().split("\\s+");
    assertThatThrownBy(() -> LoadOptions.parse(argv))
        .isInstanceOf(LoadOptions.BadArgument.class)
        .hasMessageContaining(message);
  }

  @Test
  void badInputExitsWithTwoAndOneLine() {
    Captured run =
        capture(
            () ->
                LoadCommand.run(
                    new String[] {"browse", "--rate", "1", "--concurrency", "2"}, Map.of()));
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines())
        .containsExactly(
            "load: give exactly one of --rate (open loop) and --concurrency (closed loop)");
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() {
    Captured run = capture(() -> LoadCommand.run(new String[] {"--help"}, Map.of()));
    assertThat(run.code()).isZero();
    assertThat(run.out()).startsWith("Usage: java -jar launcher.jar load <browse|order|mixed>");
    assertThat(run.out()).contains("--acknowledged FILE", "--rate N", "--concurrency N");
  }

  @Test
  void aGatewayThatCannotBeReachedIsOneLineNotAStackTrace() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    Captured run =
        capture(
            () ->
                LoadCommand.run(
                    new String[] {"browse", "--rate", "5", "--duration", "1s", "--gateway", url},
                    Map.of()));
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).startsWith("load: cannot reach the gateway").contains("127.0.0.1");
  }

  private record Captured(int code, String out, String err) {}

  private static synchronized Captured capture(Supplier<Integer> run) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = run.get();
      return new Captured(
          code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
