package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.launcher.ChaosTargets.Instance;
import dev.microshop.launcher.Main.UsageException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** chaos: its arguments, and which processes it may touch. */
class ChaosTest {
  private static final String GATEWAY = "http://127.0.0.1:8080";
  private static final Path PASSWORD = Path.of(".microshop/secrets/admin-password");

  @Test
  void theDefaultsKillARandomServiceButTheGatewayEveryFiveSecondsForAMinute() {
    ChaosOptions options = parse();

    assertThat(options.action()).isEqualTo(ChaosOptions.Action.KILL);
    assertThat(options.every()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.duration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.candidates())
        .containsExactly("users", "inventory", "orders", "payments", "notifications");
    assertThat(parse("--include-gateway").candidates()).contains("gateway");
    assertThat(parse("--service", "gateway").candidates()).containsExactly("gateway");
    assertThat(parse("--every", "500ms", "--duration", "2m").every())
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void badArgumentsAreOneLineNamingTheArgument() {
    assertRefused(
        "--action 'explode' is not one of kill, freeze, restart, any", "--action", "explode");
    assertRefused("--every '5' is not a duration above zero", "--every", "5");
    assertRefused("--every '0s' is not a duration above zero", "--every", "0s");
    assertRefused("--every 120000 ms is longer than --duration", "--every", "2m");
    assertRefused("--service 'billing' is not one of", "--service", "billing");
    assertRefused("--all-instances needs --service NAME", "--all-instances");
    assertRefused("--gateway 'localhost:8080' is not a base URL", "--gateway", "localhost:8080");
    assertRefused("--seed 'x' is not a whole number", "--seed", "x");
    assertRefused("--duration needs a value", "--duration");
    assertRefused("unknown argument '--force'", "--force");
  }

  @Test
  void theInstancesAreTheStatusReportsWithAPidThatAnsweredItsPing() {
    JsonObject report =
        new JsonObject()
            .put(
                "services",
                new JsonObject()
                    .put(
                        "orders",
                        new JsonObject()
                            .put(
                                "instances",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("pid", 41)
                                            .put("instanceId", "a")
                                            .put("ping", "ok"))
                                    .add(
                                        new JsonObject()
                                            .put("pid", 42)
                                            .put("instanceId", "silent")
                                            .put("ping", "TIMEOUT"))
                                    .add(
                                        new JsonObject()
                                            .put("instanceId", "no pid")
                                            .put("ping", "ok"))))
                    .put("payments", new JsonObject().put("status", "DOWN")));

    assertThat(ChaosTargets.instances(report)).containsExactly(new Instance("orders", 41, "a"));
  }

  @Test
  void onlyAJavaRunningTheLauncherAsThatServiceIsTouched() {
    assertThat(
            ChaosTargets.runsAs(
                info("/usr/bin/java", "-Xmx1g", "-jar", "/a/launcher.jar", "orders"), "orders"))
        .isTrue();
    assertThat(
            ChaosTargets.runsAs(
                info("java", "-cp", "/app/classes", Main.class.getName(), "orders"), "orders"))
        .as("a Jib image runs the classes")
        .isTrue();
    assertThat(
            ChaosTargets.runsAs(
                info("/usr/bin/java", "-jar", "/a/launcher.jar", "payments"), "orders"))
        .as("another service")
        .isFalse();
    assertThat(
            ChaosTargets.runsAs(info("/usr/bin/java", "-jar", "/a/launcher.jar", "up"), "orders"))
        .isFalse();
    assertThat(
            ChaosTargets.runsAs(
                info("/usr/bin/vim", "-jar", "/a/launcher.jar", "orders"), "orders"))
        .as("not a java")
        .isFalse();
    assertThat(
            ChaosTargets.runsAs(info("/usr/bin/java", "-jar", "/a/other.war", "orders"), "orders"))
        .isFalse();
    // This very JVM is alive and a java, but no launcher: a record naming its pid is ignored.
    assertThat(ChaosTargets.confirm(new Instance("orders", ProcessHandle.current().pid(), "x")))
        .isEmpty();
    assertThat(ChaosTargets.confirm(new Instance("orders", Long.MAX_VALUE, "gone"))).isEmpty();
  }

  private static ChaosOptions parse(String... args) {
    return ChaosOptions.parse(args, GATEWAY, PASSWORD);
  }

  private static void assertRefused(String message, String... args) {
    assertThatThrownBy(() -> parse(args))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("chaos: ")
        .hasMessageContaining(message);
  }

  private static ProcessHandle.Info info(String command, String... arguments) {
    return new ProcessHandle.Info() {
      @Override
      public Optional<String> command() {
        return Optional.of(command);
      }

      @Override
      public Optional<String> commandLine() {
        return Optional.of(command + " " + String.join(" ", arguments));
      }

      @Override
      public Optional<String[]> arguments() {
        return Optional.of(arguments);
      }

      @Override
      public Optional<Instant> startInstant() {
        return Optional.empty();
      }

      @Override
      public Optional<Duration> totalCpuDuration() {
        return Optional.empty();
      }

      @Override
      public Optional<String> user() {
        return Optional.empty();
      }
    };
  }
}
