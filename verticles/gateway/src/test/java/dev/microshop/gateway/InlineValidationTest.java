package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own validation against the real contract: it accepts and refuses what the library
 * would.
 */
class InlineValidationTest {
  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static InlineValidation validation;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract = OpenAPIContract.from(vertx, "api/openapi.yaml").await(30, TimeUnit.SECONDS);
    validation = new InlineValidation(vertx, contract);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aPathIdIsTheTextItselfWhenItIsAUuidAndAProblemOtherwise() {
    Parameter id = parameter("getProduct", "id");
    String uuid = UUID.randomUUID().toString();

    assertThat(validation.validateParameter(id, new RequestParameterImpl(uuid)).getString())
        .isEqualTo(uuid);
    assertThat(
            validation
                .validateParameter(id, new RequestParameterImpl(uuid.toUpperCase()))
                .getString())
        .isEqualTo(uuid.toUpperCase());
    for (String bad :
        new String[] {"42", "not-a-uuid", uuid + "0", uuid.replace('-', 'x'), "\"" + uuid + "\""}) {
      assertThatThrownBy(() -> validation.validateParameter(id, new RequestParameterImpl(bad)))
          .as(bad)
          .isInstanceOf(ValidatorException.class)
          .hasMessageContaining("id");
    }
    assertThatThrownBy(() -> validation.validateParameter(id, new RequestParameterImpl(null)))
        .isInstanceOf(ValidatorException.class);
  }

  @Test
  void otherParametersStillGoThroughTheirSchema() {
    Parameter limit = parameter("listProducts", "limit");
    Parameter q = parameter("listProducts", "q");

    assertThat(validation.validateParameter(limit, new RequestParameterImpl("50")).getInteger())
        .isEqualTo(50);
    assertThatThrownBy(() -> validation.validateParameter(limit, new RequestParameterImpl("101")))
        .isInstanceOf(ValidatorException.class);
    assertThatThrownBy(() -> validation.validateParameter(limit, new RequestParameterImpl("ten")))
        .isInstanceOf(ValidatorException.class);
    // A text filter is text, even when it looks like JSON.
    assertThat(validation.validateParameter(q, new RequestParameterImpl("12-3")).getString())
        .isEqualTo("12-3");
    assertThat(validation.validateParameter(q, new RequestParameterImpl("1.5")).getString())
        .isEqualTo("1.5");
    assertThatThrownBy(
            () -> validation.validateParameter(q, new RequestParameterImpl("x".repeat(101))))
        .isInstanceOf(ValidatorException.class);
  }

  @Test
  void aBodyIsJudgedByItsSchemaEveryTimeThoughTheCompiledValidatorIsKept() {
    MediaType json =
        contract.operation("placeOrder").getRequestBody().determineContentType("application/json");
    String good =
        new JsonObject()
            .put(
                "lines",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("productId", UUID.randomUUID().toString())
                            .put("quantity", 2)))
            .encode();
    String bad =
        new JsonObject()
            .put(
                "lines",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("productId", UUID.randomUUID().toString())
                            .put("quantity", "two")))
            .encode();

    for (int round = 0; round < 3; round++) {
      assertThat(
              body(json, good)
                  .getJsonObject()
                  .getJsonArray("lines")
                  .getJsonObject(0)
                  .getInteger("quantity"))
          .as("round %d", round)
          .isEqualTo(2);
      assertThatThrownBy(() -> body(json, bad))
          .as("round %d", round)
          .isInstanceOf(SchemaValidationException.class)
          .hasMessageContaining("\"lines\"");
      assertThatThrownBy(() -> body(json, "{\"lines\": ["))
          .as("round %d: not JSON", round)
          .isInstanceOf(ValidatorException.class);
    }
  }

  @Test
  void aNulCharacterInAParameterOrAnywhereInABodyIsRefusedNamingWhereItIs() {
    assertThatThrownBy(
            () ->
                validation.validateParameter(
                    parameter("listProducts", "q"), new RequestParameterImpl("a\u0000b")))
        .isInstanceOfSatisfying(NulCharacter.class, e -> assertThat(e.field).isEqualTo("q"));
    MediaType json =
        contract.operation("placeOrder").getRequestBody().determineContentType("application/json");
    String line = "{\"productId\": \"" + UUID.randomUUID() + "\", \"quantity\": 1}";
    assertThatThrownBy(
            () -> body(json, "{\"lines\": [" + line + ", {\"productId\": \"x\\u0000\"}]}"))
        .isInstanceOfSatisfying(
            NulCharacter.class, e -> assertThat(e.field).isEqualTo("lines.1.productId"));
    assertThatThrownBy(() -> body(json, "{\"lines\": [" + line + "], \"k\\u0000\": 1}"))
        .isInstanceOfSatisfying(NulCharacter.class, e -> assertThat(e.field).isEqualTo("k\u0000"));
    assertThat(NulCharacter.find(new JsonObject().put("a", new JsonArray().add("ok").add(1)), ""))
        .isNull();
  }

  @Test
  void operationsWithoutTheirOwnSecurityNeedTheGlobalBearerTokenAndPublicOnesNone() {
    // The gateway authenticates exactly these before validating their requests.
    assertThat(contract.operation("placeOrder").getSecurityRequirements()).isNotEmpty();
    assertThat(contract.operation("createProduct").getSecurityRequirements()).isNotEmpty();
    assertThat(contract.operation("listProducts").getSecurityRequirements()).isEmpty();
    assertThat(contract.operation("issueToken").getSecurityRequirements()).isEmpty();
  }

  @Test
  void aProblemNamesAMissingPropertyAndSaysHowManyItemsAnArrayNeeds() {
    MediaType user =
        contract
            .operation("registerUser")
            .getRequestBody()
            .determineContentType("application/json");
    MediaType order =
        contract.operation("placeOrder").getRequestBody().determineContentType("application/json");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 21; i++) {
      many.add(new JsonObject().put("productId", UUID.randomUUID().toString()).put("quantity", 1));
    }

    assertThat(errors(user, "{\"email\": \"x@y.io\"}"))
        .contains("displayName: is required", "password: is required");
    assertThat(errors(order, "{\"lines\": []}"))
        .contains("lines: must have at least 1 items (has 0)");
    assertThat(errors(order, new JsonObject().put("lines", many).encode()))
        .contains("lines: must have at most 20 items (has 21)");
  }

  private static java.util.List<String> errors(MediaType type, String body) {
    try {
      body(type, body);
    } catch (ValidatorException e) {
      return Validation.problem(e).errors.stream()
          .map(JsonObject.class::cast)
          .map(error -> error.getString("field") + ": " + error.getString("message"))
          .toList();
    }
    throw new AssertionError("accepted: " + body);
  }

  @Test
  void theUuidCheckAcceptsOnlyTheCanonicalForm() {
    assertThat(UuidText.isCanonical("123e4567-e89b-12d3-a456-426614174000")).isTrue();
    assertThat(UuidText.isCanonical("123E4567-E89B-12D3-A456-426614174000")).isTrue();
    assertThat(UuidText.isCanonical("123e4567e89b12d3a456426614174000")).isFalse();
    assertThat(UuidText.isCanonical("123e4567-e89b-12d3-a456-42661417400g")).isFalse();
    assertThat(UuidText.isCanonical("123e4567-e89b-12d3-a456_426614174000")).isFalse();
    assertThat(UuidText.isCanonical("")).isFalse();
  }

  private static RequestParameter body(MediaType type, String text) {
    return validation.validate(
        type, "application/json", Buffer.buffer(text), ValidationContext.REQUEST);
  }

  private static Parameter parameter(String operation, String name) {
    return contract.operation(operation).getParameters().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
