package dev.microshop.platform.observability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.Encoding;

/**
 * Posts batches of spans to a Zipkin server's {@code /api/v2/spans} (JSON v2) with the JDK's HTTP
 * client. OpenTelemetry's Zipkin exporter would otherwise bring OkHttp and the Kotlin runtime for
 * this one POST. It runs on the exporter's own thread, never an event loop.
 */
final class ZipkinSender extends BytesMessageSender.Base {
  private static final int MAX_BYTES = 512 * 1024;
  private final URI endpoint;
  private final HttpClient client =
      HttpClient.newBuilder()
          // HTTP/1.1, what Zipkin's collector is usually spoken to in: the default (HTTP/2) sends
          // an h2c upgrade on each fresh connection. (One export of a new user's trial timed out
          // after 10 s on a loaded machine; the upgrade is a suspect, not a proven cause.)
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  ZipkinSender(URI endpoint) {
    super(Encoding.JSON);
    this.endpoint = endpoint;
  }

  @Override
  public int messageMaxBytes() {
    return MAX_BYTES;
  }

  @Override
  public void send(List<byte[]> spans) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", encoding.mediaType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(encoding.encode(spans)))
            .build();
    try {
      HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() / 100 != 2) {
        throw new IOException(endpoint + " answered " + response.statusCode());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending spans to " + endpoint, e);
    }
  }

  @Override
  public void close() {}
}
