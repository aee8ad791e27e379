package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.launcher.support.Http;
import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.SharedDatabase;
import dev.microshop.launcher.support.TestEnv;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * One gateway request, spans in two JVMs, one trace id: W3C traceparent in, propagated over the
 * event bus.
 */
class TracingIT {

  @Test
  void aGatewayRequestYieldsSpansInTwoJvmsSharingTheCallersTraceId() throws Exception {
    TestEnv env = SharedDatabase.env().with("MICROSHOP_TRACING_EXPORTER", "log");
    try (ServiceProcess users = ServiceProcess.start(env.env(), "users");
        ServiceProcess gateway = ServiceProcess.start(env.env(), "gateway")) {
      users.awaitReady(Duration.ofSeconds(90));
      gateway.awaitReady(Duration.ofSeconds(90));
      String traceId = hex(32);
      String traceparent = "00-" + traceId + "-" + hex(16) + "-01";

      HttpResponse<String> status = awaitUsersVisible(gateway.gatewayUrl(), traceparent);
      assertThat(status.statusCode()).isEqualTo(200);

      List<String> gatewaySpans = awaitSpans(gateway, traceId);
      List<String> usersSpans = awaitSpans(users, traceId);
      assertThat(gatewaySpans).anySatisfy(line -> assertThat(line).contains("kind=SERVER"));
      assertThat(gatewaySpans).anySatisfy(line -> assertThat(line).contains("kind=CLIENT"));
      assertThat(usersSpans)
          .anySatisfy(line -> assertThat(line).contains("service=users").contains("kind=SERVER"));
    }
  }

  private static HttpResponse<String> awaitUsersVisible(String gatewayUrl, String traceparent)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      HttpResponse<String> response =
          Http.get(gatewayUrl + "/v1/status", Map.of("traceparent", traceparent));
      if (response.body().contains("\"users\":{\"status\":\"UP\"}")
          || System.nanoTime() > deadline) {
        return response;
      }
      Thread.sleep(250);
    }
  }

  private static List<String> awaitSpans(ServiceProcess process, String traceId)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> spans = List.of();
    while (System.nanoTime() < deadline) {
      spans =
          process.lines().stream()
              .filter(l -> l.contains("span service=") && l.contains("trace_id=" + traceId))
              .toList();
      if (!spans.isEmpty()) {
        return spans;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no span with trace " + traceId + " in output:\n" + process.output());
  }

  private static String hex(int length) {
    StringBuilder out = new StringBuilder();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (out.length() < length) {
      out.append(Integer.toHexString(random.nextInt(16)));
    }
    return out.toString();
  }
}
