package dev.microshop.launcher.support;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Customers placing orders through the gateway at a steady pace, one thread each, recording every
 * answer with the time it was sent: the load a fault scenario runs under. Each order has its own
 * idempotency key. An answer that leaves the outcome unknown (no answer, 502, 503, 504) is
 * followed, as a careful client would, by the same request with the same key until a definite
 * answer comes: the order is then either known (the same order comes back) or was never made.
 * Nothing else is retried, so no order is ever placed twice.
 */
public final class OrderLoad {
  /**
   * One placement: who sent it and when ({@link System#nanoTime()}, and the wall clock in ms to
   * compare with the database's), the HTTP status (-1 when no answer came), the order id when
   * accepted, and the quantity asked for; {@code status} is the first answer, {@code settled} the
   * definite one after any retries with the same key ({@code attempts} in all), {@code
   * firstAnswerMillis} how long the first answer took.
   */
  public record Sent(
      String customer,
      long sentAt,
      long sentAtMillis,
      int status,
      long firstAnswerMillis,
      int settled,
      int attempts,
      String orderId,
      int quantity) {
    /** The order exists: its placement, or a retry with its key, answered with the order. */
    public boolean accepted() {
      return settled == 202 || settled == 200;
    }

    /** The first answer already was the order. */
    public boolean acceptedAtOnce() {
      return status == 202;
    }
  }

  /** How long a placement is retried with its key before its outcome is left unknown. */
  private static final long SETTLE_NANOS = Duration.ofSeconds(30).toNanos();

  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final ExecutorService clients;
  private volatile boolean stopping;

  private OrderLoad(int clients) {
    this.clients = Executors.newFixedThreadPool(clients);
  }

  /** Starts one client per customer token, each placing an order of {@code product} per pace. */
  public static OrderLoad start(Api api, List<String> customers, String product, Duration pace) {
    Map<String, String> productOf = new LinkedHashMap<>();
    customers.forEach(c -> productOf.put(c, product));
    return start(api, productOf, pace);
  }

  /**
   * Starts one client per customer token, each placing orders of its own product (customer to
   * product) per pace: no row of stock is shared, so the clients do not queue on one lock.
   */
  public static OrderLoad start(Api api, Map<String, String> productOf, Duration pace) {
    OrderLoad load = new OrderLoad(productOf.size());
    productOf.forEach(
        (customer, product) -> load.clients.execute(() -> load.run(api, customer, product, pace)));
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
      String key = "load-" + UUID.randomUUID();
      Answer first = place(api, customer, key, product, quantity);
      long firstMillis = Duration.ofNanos(System.nanoTime() - at).toMillis();
      Answer last = first;
      int attempts = 1;
      while (last.unknown() && System.nanoTime() - at < SETTLE_NANOS) {
        Lab.sleep(pace.toMillis());
        last = place(api, customer, key, product, quantity);
        attempts++;
      }
      sent.add(
          new Sent(
              customer,
              at,
              wall,
              first.status(),
              firstMillis,
              last.status(),
              attempts,
              last.id(),
              quantity));
      Lab.sleep(pace.toMillis());
    }
  }

  private record Answer(int status, String id) {
    boolean unknown() {
      return status == -1 || status == 502 || status == 503 || status == 504;
    }
  }

  private static Answer place(Api api, String customer, String key, String product, int quantity) {
    try {
      HttpResponse<String> placed = api.order(customer, key, Api.line(product, quantity));
      int status = placed.statusCode();
      return new Answer(
          status,
          status == 202 || status == 200 ? new JsonObject(placed.body()).getString("id") : null);
    } catch (AssertionError noAnswer) {
      return new Answer(-1, null); // Http reports a connection failure or a 10 s timeout this way
    }
  }
}
