package dev.microshop.platform.messaging;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

/** The effect of a reliably delivered message, inside its transaction. */
@FunctionalInterface
public interface TxEffect {
  Future<?> apply(SqlConnection tx, JsonObject message);
}
