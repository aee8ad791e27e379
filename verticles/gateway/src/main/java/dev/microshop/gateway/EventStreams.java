package dev.microshop.gateway;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** What every Server-Sent Events route of the gateway writes the same way. */
final class EventStreams {
  private EventStreams() {}

  /** The headers of an event stream: chunked, not cached, not buffered by a proxy. */
  static HttpServerResponse headers(HttpServerResponse response) {
    return response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
  }

  /** Writes unless the stream already ended (its token expired) or its client left. */
  static void send(HttpServerResponse response, String text) {
    if (!response.ended() && !response.closed()) {
      response.write(text);
    }
  }

  /** Ends the stream with one last {@code event} saying why, unless it already ended. */
  static void end(HttpServerResponse response, String event, String reason) {
    if (!response.ended() && !response.closed()) {
      response.end(
          "event: "
              + event
              + "\ndata: "
              + new JsonObject().put("reason", reason).encode()
              + "\n\n");
    }
  }
}
