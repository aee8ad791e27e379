package dev.microshop.launcher.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * HTTP GETs each on a connection of its own ({@code Connection: close}). The kernel gives every new
 * connection to one of the sockets listening on a port, so a series of them reaches each of the
 * JVMs that share it; a pooled connection would stay with the first.
 */
public final class FreshConnections implements AutoCloseable {
  private final HttpClient client;

  public FreshConnections(Vertx vertx) {
    client =
        vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(2000));
  }

  /** What came back. */
  public record Answer(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  public Answer get(String url) throws Exception {
    URI uri = URI.create(url);
    return client
        .request(HttpMethod.GET, uri.getPort(), uri.getHost(), uri.getRawPath())
        .compose(
            request ->
                request
                    .send()
                    .compose(
                        response ->
                            response
                                .body()
                                .map(body -> new Answer(response.statusCode(), body.toString()))))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    client.close(); // no request is left in flight: each get waited for its answer
  }
}
