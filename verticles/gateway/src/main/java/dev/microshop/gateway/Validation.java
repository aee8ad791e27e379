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
  private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]+)\"");
  private static final Pattern TOO_FEW =
      Pattern.compile("too few items \\(\\s*\\+?\\s*(\\d+)\\s*<\\s*(\\d+)\\s*\\)");
  private static final Pattern TOO_MANY =
      Pattern.compile("too many items \\(\\s*\\+?\\s*(\\d+)\\s*>\\s*(\\d+)\\s*\\)");

  private Validation() {}

  static Problems.HttpProblem problem(ValidatorException e) {
    if (e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT
        && e.getMessage().contains("request body")) {
      return new Problems.HttpProblem(415, "send the body as application/json");
    }
    Map<String, List<String>> byField = new LinkedHashMap<>();
    if (e instanceof NulCharacter nul) {
      byField.put(nul.field, List.of("must not contain the character U+0000 (NUL)"));
    } else if (e instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
      collect(schema.getOutputUnit(), parameterOf(e.getMessage()), byField);
    }
    if (byField.isEmpty()) {
      byField.put(parameterOf(e.getMessage()), List.of(e.getMessage()));
    }
    JsonArray errors = new JsonArray();
    StringBuilder summary = new StringBuilder("the request does not match the API contract: ");
    byField.forEach(
        (field, messages) ->
            messages.forEach(
                message -> {
                  errors.add(new JsonObject().put("field", field).put("message", message));
                  summary
                      .append(errors.size() == 1 ? "" : "; ")
                      .append(field)
                      .append(": ")
                      .append(message);
                }));
    return new Problems.HttpProblem(400, summary.toString(), errors, Map.of());
  }

  /**
   * Leaf errors only. The validator also reports "does not match schema" for the parent of every
   * failure, and an additionalProperties failure for declared properties whose value failed; a
   * field is called unknown only when that is its sole error.
   */
  private static void collect(
      OutputUnit root, String parameter, Map<String, List<String>> byField) {
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
        unknown
            .computeIfAbsent(field, f -> new ArrayList<>())
            .add("unknown field: not part of the API");
      } else if (keyword.endsWith("/required") && requiredName(leaf.getError()) != null) {
        String name = requiredName(leaf.getError());
        String at = field.equals(parameter) ? name : field + "." + name;
        byField.computeIfAbsent(at, f -> new ArrayList<>()).add("is required");
      } else {
        byField.computeIfAbsent(field, f -> new ArrayList<>()).add(readable(leaf.getError()));
      }
    }
    unknown.forEach(byField::putIfAbsent);
  }

  /**
   * The property a "required" error names: {@code Instance does not have required property
   * "email"}.
   */
  private static String requiredName(String error) {
    Matcher m = error == null ? null : REQUIRED.matcher(error);
    return m != null && m.find() ? m.group(1) : null;
  }

  /**
   * The schema library's wording where it garbles or says nothing useful; its other messages are
   * kept.
   */
  private static String readable(String error) {
    if (error == null) {
      return "is invalid";
    }
    Matcher few = TOO_FEW.matcher(error);
    if (few.find()) {
      return "must have at least " + few.group(2) + " items (has " + few.group(1) + ")";
    }
    Matcher many = TOO_MANY.matcher(error);
    if (many.find()) {
      return "must have at most " + many.group(2) + " items (has " + many.group(1) + ")";
    }
    if (error.contains("matched \"not\" schema")) {
      return "this value is not allowed";
    }
    return error;
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
