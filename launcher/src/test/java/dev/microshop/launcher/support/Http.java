package dev.microshop.launcher.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A plain JDK HTTP client for tests: real HTTP to the processes under test. */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Http() {}

  public static HttpResponse<String> get(String url, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    headers.forEach(request::header);
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * A request with a JSON (or any) body; {@code headers} alternate name, value (a Content-Type
   * replaces JSON's).
   */
  public static HttpResponse<String> send(
      String method, String url, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    boolean typed = false;
    for (int i = 0; i < headers.length; i += 2) {
      typed |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (body != null && !typed) {
      request.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(method + " " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public static HttpResponse<String> get(String url) {
    return get(url, Map.of());
  }

  /** Polls {@code url} until it answers {@code status}, or fails after {@code timeout}. */
  public static HttpResponse<String> awaitStatus(String url, int status, Duration timeout)
      throws InterruptedException {
    return await(url, status, false, timeout);
  }

  /**
   * Polls {@code url} until it answers 200 from the service itself, not from the gateway's last
   * copy (a catalog read answered stale carries Cache-Status), or fails after {@code timeout}.
   */
  public static HttpResponse<String> awaitFresh(String url, Duration timeout)
      throws InterruptedException {
    return await(url, 200, true, timeout);
  }

  private static HttpResponse<String> await(String url, int status, boolean fresh, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      last = get(url);
      if (last.statusCode() == status
          && !(fresh && last.headers().firstValue("Cache-Status").isPresent())) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        url
            + " never answered "
            + status
            + (fresh ? " fresh" : "")
            + " within "
            + timeout
            + "; last: "
            + (last == null
                ? "none"
                : last.statusCode()
                    + " "
                    + last.headers().firstValue("Cache-Status").orElse("")
                    + " "
                    + last.body()));
  }
}
