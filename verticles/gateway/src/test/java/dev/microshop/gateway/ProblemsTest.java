package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The errors list the gateway builds from a service's 400, in the shape request validation uses.
 */
class ProblemsTest {
  @Test
  void eachProblemOfAServiceNamesItsFieldOrTheBody() {
    var errors =
        Problems.fieldErrors(
            "displayName: must not contain control characters; currency XYZ is not an ISO "
                + "4217 code; lines[1].productId: each product may appear once; delta must not be 0; nothing to update: "
                + "give at least one of name, description");

    assertThat(errors.stream().map(e -> ((JsonObject) e).getString("field")).toList())
        .containsExactly("displayName", "currency", "lines.1.productId", "delta", "body");
    assertThat(errors.getJsonObject(2).getString("message"))
        .isEqualTo("lines[1].productId: each product may appear once");
  }
}
