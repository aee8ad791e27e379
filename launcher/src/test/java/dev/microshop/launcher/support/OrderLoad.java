package dev.microshop.launcher.support;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Customers placing orders through the gateway at a steady pace, one thread each, recording every
 * answer with the time it was sent: the load a fault scenario runs under. Each order has its own
 * idempotency key and is sent once: a write is never retried blindly.
 */
public final class OrderLoad {
  /**
   * One placement: who sent it and when ({@link System#nanoTime()}, and the wall clock in ms to
   * compare with the database's), the HTTP status (-1 when no answer came), the order id when
   * accepted, and the quantity asked for.
   */
  public record Sent(
      String customer, long sentAt, long sentAtMillis, int status, String orderId, int quantity) {
    public boolean accepted() {
      return status == 202;
    }
  }

  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final ExecutorService clients;
  private volatile boolean stopping;

  private OrderLoad(int clients) {
    this.clients = Executors.newFixedThreadPool(clients);
  }

  /** Starts one client per customer token, each placing an order of {@code product} per pace. */
  public static OrderLoad start(Api api, List<String> customers, String product, Duration pace) {
    OrderLoad load = new OrderLoad(customers.size());
    for (String customer : customers) {
      load.clients.execute(() -> load.run(api, customer, product, pace));
    }
    return load;
  }

  /** Stops sending and waits for the orders in flight to be answered (bounded by the timeout). */
  public List<Sent> stop(Duration timeout) throws InterruptedException {
    stopping = true;
    clients.shutdown();
    if (!clients.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      clients.shutdownNow();
      throw new AssertionError("order clients still busy " + timeout + " after the load stopped");
    }
    return new ArrayList<>(sent);
  }

  private void run(Api api, String customer, String product, Duration pace) {
    for (int n = 0; !stopping; n++) {
      int quantity = 1 + n % 2;
      long at = System.nanoTime();
      long wall = System.currentTimeMillis();
      int status;
      String id = null;
      try {
        HttpResponse<String> placed =
            api.order(customer, "load-" + UUID.randomUUID(), Api.line(product, quantity));
        status = placed.statusCode();
        if (status == 202) {
          id = new JsonObject(placed.body()).getString("id");
        }
      } catch (AssertionError noAnswer) {
        status = -1; // Http reports a connection failure or a 10 s timeout this way
      }
      sent.add(new Sent(customer, at, wall, status, id, quantity));
      Lab.sleep(pace.toMillis());
    }
  }
}
