package dev.microshop.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Several outbox messages for one address as one event-bus request, and one reply carrying each
 * one's outcome. A relay sends a batch when one commit (or one claim) hands it more than one
 * message for the same address; a lone message still goes to the address itself, as it always did.
 * The receiver applies each item exactly as it would have applied it alone (its own inbox entry,
 * its own answer or failure), so a batch changes the number of hops, never an outcome.
 *
 * <p>Request, to {@link #address}: {@code {"items": [message, ...]}}, 1 to {@link #MAX_ITEMS}
 * messages, each the body the address takes. Reply: {@code {"outcomes": [outcome, ...]}} in the
 * same order, each {@code {"answer": {...}}} (the item's reply; {@code {}} for a plain
 * acknowledgement) or {@code {"code": 503, "message": "..."}} (the failure it would have replied).
 * A batch that fails as a whole (refused, malformed, timed out) fails every item in it.
 */
public final class RelayBatch {
  /** What a relayed address's batch address adds to it. */
  public static final String SUFFIX = ".batch";

  /**
   * The most messages in one batch: as many as one group commit applies ({@code
   * TransactionGroups.MAX_GROUP}), so a batch is one transaction at the receiver.
   */
  public static final int MAX_ITEMS = 32;

  public static final String ITEMS = "items";
  public static final String OUTCOMES = "outcomes";

  private RelayBatch() {}

  /** Where batches for {@code address} go. */
  public static String address(String address) {
    return address + SUFFIX;
  }

  public static JsonObject request(List<JsonObject> items) {
    return new JsonObject().put(ITEMS, new JsonArray(new ArrayList<>(items)));
  }

  /** One item's outcome: its answer, or the failure it would have replied with alone. */
  public record Outcome(JsonObject answer, int code, String message) {
    public static Outcome answered(JsonObject answer) {
      return new Outcome(answer, 0, null);
    }

    public static Outcome failed(int code, String message) {
      return new Outcome(null, code, message);
    }

    public boolean succeeded() {
      return answer != null;
    }

    public JsonObject toJson() {
      return succeeded()
          ? new JsonObject().put("answer", answer)
          : new JsonObject().put("code", code).put("message", message);
    }

    /** An outcome as a receiver wrote it; anything else is an item that failed with 500. */
    public static Outcome fromJson(Object json) {
      if (json instanceof JsonObject outcome) {
        if (outcome.getValue("answer") instanceof JsonObject answer) {
          return answered(answer);
        }
        if (outcome.getValue("code") instanceof Integer code) {
          return failed(code, String.valueOf(outcome.getValue("message")));
        }
      }
      return failed(ErrorCodes.INTERNAL, "the batch reply has no outcome for this item");
    }
  }

  public static JsonObject reply(List<Outcome> outcomes) {
    JsonArray array = new JsonArray(new ArrayList<>(outcomes.size()));
    outcomes.forEach(outcome -> array.add(outcome.toJson()));
    return new JsonObject().put(OUTCOMES, array);
  }

  /**
   * The outcomes of a reply to a batch of {@code size} items, in their order; an item the reply has
   * no outcome for failed.
   */
  public static List<Outcome> outcomes(Object reply, int size) {
    JsonArray array =
        reply instanceof JsonObject json && json.getValue(OUTCOMES) instanceof JsonArray outcomes
            ? outcomes
            : new JsonArray();
    List<Outcome> outcomes = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      outcomes.add(Outcome.fromJson(i < array.size() ? array.getValue(i) : null));
    }
    return outcomes;
  }
}
