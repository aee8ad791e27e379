package dev.microshop.platform.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What leaves a JVM as spans names what was done, not whom it was done for: ids in paths and
 * addresses ({@code /v1/orders/2f0c…}, {@code notifications.user.9a1e….created}) become {@code
 * {id}}, as the metrics' labels do, and a span is named by that template ({@code GET
 * /v1/orders/{id}}, {@code publish notifications.user.{id}.created}) rather than Vert.x's bare
 * {@code get} or {@code publish}, so a trace reads as a list of operations and spans of one kind
 * group together in a backend. SQL already carries placeholders, never values.
 *
 * <p>Done on the way out (a wrapper of the exporter), because Vert.x sets these attributes itself
 * when it starts a span, before any handler could.
 */
final class IdFreeSpans implements SpanExporter {
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> OLD_METHOD = AttributeKey.stringKey("http.method");

  /** Attributes that may hold a path or an address; query strings are dropped with the ids. */
  private static final List<AttributeKey<String>> ADDRESSES =
      List.of(
          DESTINATION,
          PATH,
          AttributeKey.stringKey("http.url"),
          AttributeKey.stringKey("url.full"),
          AttributeKey.stringKey("http.target"));

  /**
   * A query string on its own: search text, a cursor (a time and an id), an email in a filter. Not
   * sent at all.
   */
  private static final AttributeKey<String> QUERY = AttributeKey.stringKey("url.query");

  private final SpanExporter delegate;

  IdFreeSpans(SpanExporter delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return delegate.export(spans.stream().map(IdFreeSpans::named).toList());
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  static SpanData named(SpanData span) {
    Attributes original = span.getAttributes();
    AttributesBuilder attributes = original.toBuilder();
    for (AttributeKey<String> key : ADDRESSES) {
      String value = original.get(key);
      if (value != null) {
        attributes.put(key, template(value));
      }
    }
    attributes.remove(QUERY);
    Attributes cleaned = attributes.build();
    String name = name(span, cleaned);
    return new DelegatingSpanData(span) {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public Attributes getAttributes() {
        return cleaned;
      }
    };
  }

  private static String name(SpanData span, Attributes attributes) {
    String destination = attributes.get(DESTINATION);
    if (destination != null) {
      return span.getName() + " " + destination;
    }
    String method =
        attributes.get(METHOD) != null ? attributes.get(METHOD) : attributes.get(OLD_METHOD);
    String path = attributes.get(PATH);
    if (span.getKind() == SpanKind.SERVER && method != null && path != null) {
      return method + " " + path;
    }
    return span.getName();
  }

  static String template(String value) {
    int query = value.indexOf('?');
    String withoutQuery = query < 0 ? value : value.substring(0, query);
    return UUID.matcher(withoutQuery).replaceAll("{id}");
  }
}
