package dev.microshop.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns an OpenAPI validation failure into a 400 problem that lists each invalid field and why. */
final class Validation {
  private static final Pattern PARAMETER = Pattern.compile("parameter (\\S+)");

  private Validation() {}

  static Problems.HttpProblem problem(ValidatorException e) {
    if (e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT && e.getMessage().contains("request body")) {
      return new Problems.HttpProblem(415, "send the body as application/json");
    }
    Map<String, List<String>> byField = new LinkedHashMap<>();
    if (e instanceof InlineValidation.NulCharacter nul) {
      byField.put(nul.field, List.of("must not contain the character U+0000 (NUL)"));
    } else if (e instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
      collect(schema.getOutputUnit(), parameterOf(e.getMessage()), byField);
    }
    if (byField.isEmpty()) {
      byField.put(parameterOf(e.getMessage()), List.of(e.getMessage()));
    }
    JsonArray errors = new JsonArray();
    StringBuilder summary = new StringBuilder("the request does not match the API contract: ");
    byField.forEach((field, messages) -> messages.forEach(message -> {
      errors.add(new JsonObject().put("field", field).put("message", message));
      summary.append(errors.size() == 1 ? "" : "; ").append(field).append(": ").append(message);
    }));
    return new Problems.HttpProblem(400, summary.toString(), errors, Map.of());
  }

  /**
   * Leaf errors only. The validator also reports "does not match schema" for the parent of every failure, and an
   * additionalProperties failure for declared properties whose value failed; a field is called unknown only when
   * that is its sole error.
   */
  private static void collect(OutputUnit root, String parameter, Map<String, List<String>> byField) {
    List<OutputUnit> leaves = new ArrayList<>();
    leaves(root, leaves);
    Map<String, List<String>> unknown = new LinkedHashMap<>();
    for (OutputUnit leaf : leaves) {
      String keyword = leaf.getKeywordLocation() == null ? "" : leaf.getKeywordLocation();
      String field = field(leaf.getInstanceLocation(), parameter);
      if (keyword.endsWith("/properties")) {
        continue;
      }
      if (keyword.endsWith("/additionalProperties")) {
        unknown.computeIfAbsent(field, f -> new ArrayList<>()).add("unknown field: not part of the API");
      } else {
        byField.computeIfAbsent(field, f -> new ArrayList<>()).add(leaf.getError());
      }
    }
    unknown.forEach(byField::putIfAbsent);
  }

  private static void leaves(OutputUnit unit, List<OutputUnit> out) {
    if (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
      unit.getErrors().forEach(child -> leaves(child, out));
    } else if (unit.getError() != null) {
      out.add(unit);
    }
  }

  private static String field(String instanceLocation, String parameter) {
    if (instanceLocation == null || instanceLocation.isEmpty() || instanceLocation.equals("#")) {
      return parameter;
    }
    return instanceLocation.replaceFirst("^#?/?", "").replace('/', '.');
  }

  private static String parameterOf(String message) {
    Matcher m = message == null ? null : PARAMETER.matcher(message);
    return m != null && m.find() ? m.group(1) : "body";
  }
}
