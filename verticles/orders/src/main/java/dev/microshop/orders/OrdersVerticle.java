package dev.microshop.orders;

import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.request.Callers;
import dev.microshop.platform.request.Fields;
import dev.microshop.platform.request.TimeCursor;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.List;
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
            List.of(
                consumers.on(OrdersApi.PLACE, msg -> place(msg.headers(), msg.body())),
                consumers.on(OrdersApi.GET, msg -> get(msg.headers(), msg.body())),
                consumers.on(OrdersApi.LIST, msg -> list(msg.headers(), msg.body())),
                consumers.on(OrdersApi.CANCEL, msg -> cancel(msg.headers(), msg.body())),
                consumers.on(OrdersApi.ACTIVITY, msg -> activity(msg.headers(), msg.body()))))
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
    UUID user = Callers.user(headers);
    Placement.Request request = Placement.validate(user, body == null ? new JsonObject() : body);
    return placement.place(request);
  }

  private Future<JsonObject> get(MultiMap headers, JsonObject body) {
    return Orders.get(pool, Callers.user(headers), orderId(body));
  }

  private Future<JsonObject> list(MultiMap headers, JsonObject body) {
    UUID user = Callers.user(headers);
    Fields query = new Fields(body);
    int limit = query.pageSize();
    String cursor = query.cursor(TimeCursor.MAX_TOKEN_LENGTH);
    query.check();
    return Orders.list(pool, user, TimeCursor.decode(cursor), limit);
  }

  private Future<JsonObject> activity(MultiMap headers, JsonObject body) {
    Callers.admin(headers);
    return Activity.read(pool, body);
  }

  private Future<JsonObject> cancel(MultiMap headers, JsonObject body) {
    UUID user = Callers.user(headers);
    UUID id = orderId(body);
    return transaction(
            tx ->
                tx.preparedQuery(OrdersSql.LOCK_OWN)
                    .execute(Tuple.of(id, user))
                    .compose(
                        rows -> {
                          if (rows.size() == 0) {
                            return Future.failedFuture(
                                ServiceFailure.notFound("order " + id + " not found"));
                          }
                          OrderRow order = OrderRow.from(rows.iterator().next());
                          if (!order.pending()) {
                            return Future.failedFuture(
                                ServiceFailure.conflict(
                                    "order " + id + " is already " + order.status()));
                          }
                          return Saga.cancel(tx, order, "CANCELLED_BY_CUSTOMER");
                        }))
        .compose(v -> Orders.get(pool, user, id));
  }

  private static UUID orderId(JsonObject body) {
    Fields fields = new Fields(body);
    UUID id = fields.uuid("id", true);
    fields.check();
    return id;
  }
}
