package dev.microshop.gateway;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.analyser.ContentAnalyser;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.LabelTransformer;
import io.vertx.openapi.validation.transformer.MatrixTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request validation against the OpenAPI contract, on the event loop. vertx-openapi 5.0.8's
 * validator sends every request through an ordered {@code executeBlocking} (two thread hand-offs,
 * and one validation at a time per verticle) and compiles a fresh JSON-schema validator for every
 * parameter of every request; together that cost the gateway more CPU than everything else a
 * catalog read does. This runs the same checks (the library's own transformers, schemas and body
 * validation, so errors look the same) inline, with one compiled validator per parameter. Schema
 * validation of a body of at most 64 KiB is CPU work of microseconds, not blocking work.
 *
 * <p>One deliberate difference: a parameter of type string in the simple or form style is the text
 * as sent. The library first tries to parse such text as JSON, so {@code q=1.5} was refused as "not
 * a string", {@code q=12" monitor} as undecodable, and {@code q="abc"} searched for abc; here all
 * three search for what the client typed, and the schema (length, format, pattern) judges that
 * text.
 */
final class InlineValidation extends RequestValidatorImpl {
  private final Map<Style, ParameterTransformer> transformers = new EnumMap<>(Style.class);
  private final Map<Parameter, Validator> validators = new ConcurrentHashMap<>();
  private final Map<MediaType, Validator> bodyValidators = new ConcurrentHashMap<>();
  private final Map<Parameter, Boolean> uuidOnly = new ConcurrentHashMap<>();

  InlineValidation(Vertx vertx, OpenAPIContract contract) {
    super(vertx, contract);
    transformers.put(Style.SIMPLE, new SimpleTransformer());
    transformers.put(Style.LABEL, new LabelTransformer());
    transformers.put(Style.MATRIX, new MatrixTransformer());
    transformers.put(Style.FORM, new FormTransformer());
  }

  /**
   * The handler that replaces the router builder's validation (set {@code setDoValidation(false)}).
   */
  Handler<RoutingContext> handler(Operation operation) {
    return ctx -> {
      ValidatedRequest validated;
      try {
        validated = validate(ctx, operation);
      } catch (ValidatorException e) {
        ctx.fail(new HttpException(400, e.getMessage(), e));
        return;
      }
      ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
      ctx.next();
    };
  }

  ValidatedRequest validate(RoutingContext ctx, Operation operation) {
    Map<String, RequestParameter> cookies = new HashMap<>();
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter parameter : operation.getParameters()) {
      RequestParameter valid =
          validateParameter(parameter, new RequestParameterImpl(sent(ctx, parameter)));
      Map<String, RequestParameter> in =
          switch (parameter.getIn()) {
            case COOKIE -> cookies;
            case HEADER -> headers;
            case PATH -> path;
            case QUERY -> query;
          };
      in.put(parameter.getName(), valid);
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    // Media types are case-insensitive (RFC 9110); the library matches them as written.
    contentType = contentType == null ? null : contentType.toLowerCase(Locale.ROOT);
    RequestParameter validBody =
        validateBody(
            operation.getRequestBody(),
            new ValidatableRequestImpl(
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(),
                new RequestParameterImpl(body),
                contentType));
    return new ValidatedRequestImpl(cookies, headers, path, query, validBody);
  }

  /**
   * A parameter as sent, decoded once. The library's extraction URL-decodes query values that
   * Vert.x has already decoded (so {@code q=100%25} was refused and {@code q=%2541} searched for
   * "A"), and header values, which are not URL-encoded at all. Every query parameter of the
   * contract is a scalar.
   */
  private static String sent(RoutingContext ctx, Parameter parameter) {
    String name = parameter.getName();
    try {
      return switch (parameter.getIn()) {
        case COOKIE ->
            ctx.request().getCookie(name) == null ? null : ctx.request().getCookie(name).getValue();
        case HEADER -> ctx.request().getHeader(name);
        case PATH -> ctx.pathParam(name);
        case QUERY -> ctx.queryParams().get(name);
      };
    } catch (HttpException
        | IllegalArgumentException e) { // Vert.x wraps Netty's refusal of an escape like %zz
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ValidatorException(
          "parameter " + name + " is not validly URL-encoded: " + cause.getMessage(),
          ValidatorErrorType.ILLEGAL_VALUE);
    }
  }

  /** As the library's, but with the parameter's compiled schema validator kept. */
  @Override
  public RequestParameter validateParameter(Parameter parameter, RequestParameter value)
      throws ValidatorException {
    if (value == null || value.isNull()) {
      if (parameter.isRequired()) {
        throw ValidatorException.createMissingRequiredParameter(parameter);
      }
      return new RequestParameterImpl(null);
    }
    ParameterTransformer transformer = transformers.get(parameter.getStyle());
    if (transformer == null) {
      throw ValidatorException.createUnsupportedValueFormat(parameter);
    }
    String raw = String.valueOf(value.get());
    if (raw.indexOf(NulCharacter.NUL) >= 0) {
      throw new NulCharacter(parameter.getName());
    }
    // A plain string parameter is the text itself. The library's transformer would first run a
    // regex compiled per
    // call and then try to parse the text as JSON, throwing an exception for every UUID in a path.
    boolean plain = parameter.getStyle() == Style.SIMPLE || parameter.getStyle() == Style.FORM;
    Object transformed =
        plain && parameter.getSchemaType() == SchemaType.STRING
            ? raw
            : transformer.transform(parameter, raw);
    if (plain
        && transformed instanceof String text
        && uuidOnly.computeIfAbsent(parameter, UuidText::isUuidOnly)
        && UuidText.isCanonical(text)) {
      return new RequestParameterImpl(
          transformed); // what the schema would accept; anything else gets its verdict
    }
    OutputUnit result =
        validators
            .computeIfAbsent(
                parameter, p -> contract.getSchemaRepository().validator(p.getSchema()))
            .validate(transformed);
    try {
      result.checkValidity();
    } catch (JsonSchemaValidationException e) {
      throw SchemaValidationException.createErrorFromOutputUnitType(parameter, result, e);
    }
    return new RequestParameterImpl(transformed);
  }

  /**
   * As the library's body validation (the same analysers, checks and errors), but with the media
   * type's compiled schema validator kept: the library compiles one for every request body, which
   * took a tenth of the gateway's CPU under the order load.
   */
  @Override
  protected RequestParameterImpl validate(
      MediaType type, String contentType, Buffer raw, ValidationContext context) {
    ContentAnalyser analyser =
        type == null ? null : ContentAnalyser.getContentAnalyser(type, contentType, raw, context);
    if (analyser == null) {
      throw new ValidatorException(
          "The format of the " + context + " body is not supported",
          ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT);
    }
    analyser.checkSyntacticalCorrectness();
    if (!isSchemaValidationRequired(type)) {
      return new RequestParameterImpl(raw);
    }
    Object transformed = analyser.transform();
    String withNul = NulCharacter.find(transformed, "");
    if (withNul != null) {
      throw new NulCharacter(withNul.isEmpty() ? "body" : withNul);
    }
    OutputUnit result =
        bodyValidators
            .computeIfAbsent(type, t -> contract.getSchemaRepository().validator(t.getSchema()))
            .validate(transformed);
    try {
      result.checkValidity();
    } catch (JsonSchemaValidationException e) {
      throw SchemaValidationException.createInvalidValueBody(result, context, e);
    }
    return new RequestParameterImpl(transformed);
  }
}
