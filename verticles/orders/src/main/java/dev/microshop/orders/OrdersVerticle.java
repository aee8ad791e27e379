package dev.microshop.orders;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** The orders service: order placement and the saga that orchestrates inventory and payments. */
public class OrdersVerticle extends ServiceVerticle {
  private Placement placement;
  private SagaClock clock;

  public OrdersVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.ORDERS;
  }

  @Override
  protected Future<?> startService() {
    JsonObject saga = config().getJsonObject("saga");
    placement = new Placement(relay, saga.getLong("deadlineSeconds"));
    clock = new SagaClock(vertx, pool, saga, () -> relay.kick());
    // Participants answer reserve and charge in their reply, the saga's one way in: the transition
    // runs before the command counts as delivered (a crash in between sends it again, and the
    // transition, keyed on the order's state, ignores it).
    relay.onAnswer(InventoryApi.RESERVE_STOCK, Saga::answered);
    relay.onAnswer(PaymentsApi.CHARGE, Saga::answered);
    return Future.all(
            java.util.List.of(
                consumers.on(OrdersApi.PLACE, msg -> place(msg.headers(), msg.body())),
                consumers.on(OrdersApi.GET, msg -> get(msg.headers(), msg.body())),
                consumers.on(OrdersApi.LIST, msg -> list(msg.headers(), msg.body())),
                consumers.on(OrdersApi.CANCEL, msg -> cancel(msg.headers(), msg.body()))))
        .onSuccess(v -> clock.start());
  }

  @Override
  protected Future<?> stopService() {
    if (clock != null) {
      clock.stop();
    }
    return Future.succeededFuture();
  }

  private Future<JsonObject> place(MultiMap headers, JsonObject body) {
    UUID user = caller(headers);
    Placement.Request request = Placement.validate(user, body == null ? new JsonObject() : body);
    return placement.place(request);
  }

  private Future<JsonObject> get(MultiMap headers, JsonObject body) {
    return Orders.get(pool, caller(headers), orderId(body));
  }

  private Future<JsonObject> list(MultiMap headers, JsonObject body) {
    JsonObject query = body == null ? new JsonObject() : body;
    Object limit = query.getValue("limit", 20);
    if (!(limit instanceof Integer n) || n < 1 || n > 100) {
      return Future.failedFuture(new ServiceFailure(400, "limit must be an integer from 1 to 100"));
    }
    return Orders.list(pool, caller(headers), query.getString("cursor"), n);
  }

  private Future<JsonObject> cancel(MultiMap headers, JsonObject body) {
    UUID user = caller(headers);
    UUID id = orderId(body);
    return transaction(
            tx ->
                tx.preparedQuery(OrdersSql.LOCK_OWN)
                    .execute(Tuple.of(id, user))
                    .compose(
                        rows -> {
                          if (rows.size() == 0) {
                            return Future.failedFuture(
                                new ServiceFailure(404, "order " + id + " not found"));
                          }
                          OrderRow order = OrderRow.from(rows.iterator().next());
                          if (!order.pending()) {
                            return Future.failedFuture(
                                new ServiceFailure(
                                    409, "order " + id + " is already " + order.status()));
                          }
                          return Saga.cancel(tx, order, "CANCELLED_BY_CUSTOMER");
                        }))
        .compose(v -> Orders.get(pool, user, id));
  }

  private static UUID caller(MultiMap headers) {
    Identity identity = Identity.from(headers);
    if (identity == null) {
      throw new ServiceFailure(401, "authentication required");
    }
    try {
      return UUID.fromString(identity.userId());
    } catch (IllegalArgumentException e) {
      throw new ServiceFailure(401, "the caller's user id is not a UUID");
    }
  }

  private static UUID orderId(JsonObject body) {
    try {
      return UUID.fromString(body.getString("id"));
    } catch (RuntimeException e) {
      throw new ServiceFailure(400, "id must be a UUID");
    }
  }
}
