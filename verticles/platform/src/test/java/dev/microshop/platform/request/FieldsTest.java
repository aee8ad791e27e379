package dev.microshop.platform.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.messaging.FieldError;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FieldsTest {

  @Test
  void everyProblemIsCollectedWithItsFieldAndOne400NamesThemAll() {
    Fields fields =
        new Fields(
            new JsonObject()
                .put("name", " ")
                .put("priceMinor", 12.5)
                .put("currency", "euro")
                .put("id", "1-1-1-1-1"));

    fields.text("name", true, 1, 200);
    fields.integer("priceMinor", true, 0, 100);
    fields.currency("currency", true);
    fields.uuid("id", true);
    fields.uuid("owner", true);

    assertThat(fields.errors())
        .extracting(FieldError::field)
        .containsExactly("name", "priceMinor", "currency", "id", "owner");
    assertThatThrownBy(fields::check)
        .isInstanceOfSatisfying(
            ServiceFailure.class,
            failure -> {
              assertThat(failure.code()).isEqualTo(400);
              assertThat(failure.errors()).isEqualTo(fields.errors());
            })
        .hasMessage(
            "name must be 1 to 200 characters, not blank (got 0); "
                + "priceMinor must be an integer from 0 to 100; "
                + "currency must be an ISO 4217 code like EUR; "
                + "id must be a UUID; "
                + "owner is required: a UUID");
  }

  @Test
  void validFieldsAreReadAndCheckPasses() {
    String id = UUID.randomUUID().toString();
    Fields fields =
        new Fields(
            new JsonObject()
                .put("name", "  Tea  ")
                .put("n", 7)
                .put("id", id)
                .put("password", " secret ")
                .put("unknown", true));

    assertThat(fields.text("name", true, 1, 10)).isEqualTo("Tea");
    assertThat(fields.integer("n", true, 1, 10)).isEqualTo(7L);
    assertThat(fields.integer("absent", 1, 10, 5)).isEqualTo(5L);
    assertThat(fields.uuid("id", true)).isEqualTo(UUID.fromString(id));
    assertThat(fields.string("password", true)).isEqualTo(" secret ");
    assertThat(fields.text("missing", false, 0, 10)).isNull();
    fields.check();
    assertThat(fields.valid()).isTrue();
  }

  @Test
  void integersAreWholeJsonNumbersInRange() {
    JsonObject body =
        new JsonObject()
            .put("fraction", 12.0)
            .put("text", "12")
            .put("huge", new BigInteger("99999999999999999999"))
            .put("low", -1);
    Fields fields = new Fields(body);
    fields.integer("fraction", true, 0, 100);
    fields.integer("text", true, 0, 100);
    fields.integer("huge", true, 0, 100);
    fields.integer("low", true, 0, 100);

    assertThat(fields.errors())
        .extracting(FieldError::message)
        .containsExactly(
            "fraction must be an integer from 0 to 100",
            "text must be an integer from 0 to 100",
            "huge must be an integer from 0 to 100 (got 99999999999999999999)",
            "low must be an integer from 0 to 100 (got -1)");
  }

  @Test
  void anExplicitNullForAnOptionalFieldIsRefused() {
    Fields fields = new Fields(new JsonObject().putNull("description"));
    assertThat(fields.text("description", false, 0, 10)).isNull();
    assertThat(fields.errors())
        .containsExactly(
            new FieldError("description", "description must not be null: leave it out instead"));
  }

  @Test
  void lineRefusesControlCharactersTextKeepsThem() {
    Fields fields = new Fields(new JsonObject().put("a", "x\ny").put("b", "x\ny"));
    assertThat(fields.text("a", true, 1, 10)).isEqualTo("x\ny");
    assertThat(fields.line("b", true, 1, 10)).isNull();
    assertThat(fields.errors())
        .containsExactly(new FieldError("b", "b must not contain control characters"));
  }

  @Test
  void elementsOfAnArrayReportUnderTheirPath() {
    JsonArray lines = new JsonArray().add(new JsonObject().put("quantity", 0)).add("not an object");
    Fields fields = new Fields(new JsonObject().put("lines", lines));

    JsonArray read = fields.array("lines", true, 1, 5);
    Fields first = fields.element("lines", read, 0, "{productId, quantity}");
    first.uuid("productId", true);
    first.integer("quantity", true, 1, 10);
    assertThat(fields.element("lines", read, 1, "{productId, quantity}")).isNull();

    assertThat(fields.errors())
        .extracting(FieldError::field)
        .containsExactly("lines.0.productId", "lines.0.quantity", "lines.1");
    assertThat(fields.errors().get(2).message())
        .isEqualTo("lines.1 must be an object {productId, quantity}");
  }

  @Test
  void anArrayOutsideItsSizeIsRefused() {
    Fields fields = new Fields(new JsonObject().put("lines", new JsonArray()).put("tags", "x"));
    assertThat(fields.array("lines", true, 1, 5)).isNull();
    assertThat(fields.array("tags", true, 0, 5)).isNull();
    assertThat(fields.errors())
        .extracting(FieldError::message)
        .containsExactly(
            "lines must be an array of 1 to 5 elements",
            "tags must be an array of 0 to 5 elements");
  }

  @Test
  void thePageSizeIsOneRuleForEveryList() {
    assertThat(new Fields(new JsonObject()).pageSize()).isEqualTo(Page.DEFAULT_SIZE);
    assertThat(new Fields(new JsonObject().put("limit", 100)).pageSize()).isEqualTo(100);
    for (Object bad : List.of(0, 101, "5", 5.5)) {
      Fields fields = new Fields(new JsonObject().put("limit", bad));
      fields.pageSize();
      assertThat(fields.errors())
          .as("%s", bad)
          .extracting(FieldError::field)
          .containsExactly("limit");
    }
  }

  @Test
  void aCursorIsATokenOfBoundedLength() {
    assertThat(new Fields(new JsonObject()).cursor(10)).isNull();
    assertThat(new Fields(new JsonObject().put("cursor", "AbC-_9")).cursor(10)).isEqualTo("AbC-_9");
    for (Object bad : List.of("has space", "A".repeat(11), 42)) {
      Fields fields = new Fields(new JsonObject().put("cursor", bad));
      assertThat(fields.cursor(10)).as("%s", bad).isNull();
      assertThat(fields.errors()).extracting(FieldError::field).containsExactly("cursor");
    }
  }

  @Test
  void aProblemAboutTheWholeRequestNamesTheBody() {
    Fields fields = new Fields(null);
    fields.rejectBody("nothing to update");
    assertThat(fields.errors()).containsExactly(new FieldError("body", "nothing to update"));
  }
}
