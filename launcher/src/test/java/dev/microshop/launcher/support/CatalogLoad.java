package dev.microshop.launcher.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Anonymous clients reading products through the gateway at a steady pace, one thread each, each
 * read recorded with its status, whether the gateway answered from its stale copy, and how long it
 * took. Nothing is retried: a failed read is a failed read.
 */
public final class CatalogLoad {
  /**
   * One read: HTTP status (-1 when no answer came), stale copy or not, its duration, what went
   * wrong if anything, and when it was sent ({@link System#nanoTime()}).
   */
  public record Read(int status, boolean stale, long millis, String failure, long sentAt) {
    /** Answered 200 by inventory itself, not from the gateway's last copy. */
    public boolean fresh() {
      return status == 200 && !stale;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Read> reads = new CopyOnWriteArrayList<>();
  private final ExecutorService clients;
  private volatile boolean stopping;

  private CatalogLoad(int clients) {
    this.clients = Executors.newFixedThreadPool(clients);
  }

  /** Starts {@code clients} readers, each reading the products in turn, one per {@code pace}. */
  public static CatalogLoad start(
      String gateway, List<String> products, int clients, Duration pace) {
    CatalogLoad load = new CatalogLoad(clients);
    for (int c = 0; c < clients; c++) {
      int first = c;
      load.clients.execute(() -> load.run(gateway, products, first, pace));
    }
    return load;
  }

  /** Stops reading and waits for the reads in flight (bounded by the timeout). */
  public List<Read> stop(Duration timeout) throws InterruptedException {
    stopping = true;
    clients.shutdown();
    if (!clients.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      clients.shutdownNow();
      throw new AssertionError("catalog clients still busy " + timeout + " after the load stopped");
    }
    return new ArrayList<>(reads);
  }

  private void run(String gateway, List<String> products, int first, Duration pace) {
    for (int n = first; !stopping; n++) {
      reads.add(read(gateway + "/v1/products/" + products.get(n % products.size())));
      Lab.sleep(pace.toMillis());
    }
  }

  private Read read(String url) {
    long at = System.nanoTime();
    Read read = read(url, at);
    // A keep-alive connection the server closed as this GET was sent (a gateway leaving) carried no
    // byte of an answer: an idempotent request may be sent again at once (RFC 9110, 9.2.2), as
    // HTTP/1.1 clients do. One retry; its time counts from the first send.
    if (read.failure() != null && read.failure().contains("received no bytes")) {
      read = read(url, at);
    }
    return read;
  }

  private Read read(String url, long at) {
    try {
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      boolean stale = answer.headers().firstValue("Cache-Status").isPresent();
      return new Read(
          answer.statusCode(),
          stale,
          since(at),
          answer.statusCode() == 200 && !stale ? null : answer.statusCode() + " " + answer.body(),
          at);
    } catch (IOException e) {
      return new Read(-1, false, since(at), e.toString(), at);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Read(-1, false, since(at), "interrupted", at);
    }
  }

  private static long since(long at) {
    return Duration.ofNanos(System.nanoTime() - at).toMillis();
  }
}
