package dev.microshop.launcher.support;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes label selector as the API server applies it: {@code matchLabels} and {@code
 * matchExpressions} together, every term required. An empty selector selects everything.
 */
public final class KubeSelector {
  private KubeSelector() {}

  /** True when {@code selector} ({@code matchLabels}/{@code matchExpressions}) selects labels. */
  public static boolean matches(Map<String, Object> selector, Map<String, String> labels) {
    for (Map.Entry<String, Object> wanted : KubeRendering.map(selector, "matchLabels").entrySet()) {
      if (!String.valueOf(wanted.getValue()).equals(labels.get(wanted.getKey()))) {
        return false;
      }
    }
    for (Object item : KubeRendering.list(selector, "matchExpressions")) {
      String key = KubeRendering.text(item, "key");
      List<String> values =
          KubeRendering.list(item, "values").stream().map(String::valueOf).toList();
      String value = labels.get(key);
      boolean ok =
          switch (String.valueOf(KubeRendering.text(item, "operator"))) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A Service's selector: plain labels, every one required; none selects no pod. */
  public static boolean serviceSelects(Map<String, Object> selector, Map<String, String> labels) {
    return !selector.isEmpty()
        && selector.entrySet().stream()
            .allMatch(e -> String.valueOf(e.getValue()).equals(labels.get(e.getKey())));
  }
}
