package dev.microshop.launcher.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What {@code kubectl kustomize} makes of one kustomization: its objects as snakeyaml reads them,
 * the pods their templates describe, and each container's environment as the kubelet would build it
 * from {@code env} and {@code envFrom}.
 */
public final class KubeRendering {
  private static final long TIMEOUT_SECONDS = 120;
  private static final List<String> TEMPLATED =
      List.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job");

  private final List<Map<String, Object>> objects;

  private KubeRendering(List<Map<String, Object>> objects) {
    this.objects = objects;
  }

  /** A pod template and the object that owns it ({@code Deployment orders}). */
  public record Pod(
      String kind,
      String name,
      String namespace,
      Map<String, String> labels,
      Map<String, Object> spec) {
    public List<Container> containers() {
      return list(spec, "containers").stream().map(c -> new Container(this, asMap(c))).toList();
    }

    @Override
    public String toString() {
      return kind + " " + namespace + "/" + name;
    }
  }

  /** One container of a pod template. */
  public record Container(Pod pod, Map<String, Object> yaml) {
    public String name() {
      return text(yaml, "name");
    }

    public String image() {
      return text(yaml, "image");
    }

    public List<String> args() {
      return list(yaml, "args").stream().map(String::valueOf).toList();
    }

    /** Container port number by name; unnamed ports under their number. */
    public Map<String, Integer> ports() {
      Map<String, Integer> ports = new LinkedHashMap<>();
      for (Object port : list(yaml, "ports")) {
        int number = Integer.parseInt(text(port, "containerPort"));
        String name = text(port, "name");
        ports.put(name == null ? Integer.toString(number) : name, number);
      }
      return ports;
    }

    public List<Map<String, Object>> volumeMounts() {
      return list(yaml, "volumeMounts").stream().map(KubeRendering::asMap).toList();
    }

    /** A port given by number or by the name of one of this container's ports; null if neither. */
    public Integer port(Object numberOrName) {
      String text = String.valueOf(numberOrName);
      return text.matches("\\d+") ? Integer.valueOf(text) : ports().get(text);
    }

    @Override
    public String toString() {
      return pod + " container " + name();
    }
  }

  /** Why {@code kubectl kustomize} cannot run here, or empty when it can. */
  public static Optional<String> unavailable() {
    try {
      Process kubectl =
          new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
      String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!kubectl.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        kubectl.destroyForcibly();
        return Optional.of("'kubectl version --client' did not answer");
      }
      if (kubectl.exitValue() != 0 || !out.contains("Kustomize")) {
        return Optional.of(
            "'kubectl version --client' exited " + kubectl.exitValue() + ": " + out.strip());
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  /** Renders the kustomization in {@code dir}; a kustomize error fails with its message. */
  public static KubeRendering of(Path dir) {
    try {
      Path errors = Files.createTempFile("kustomize", ".err");
      try {
        Process kubectl =
            new ProcessBuilder("kubectl", "kustomize", dir.toString())
                .redirectError(errors.toFile())
                .start();
        String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kubectl.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          kubectl.destroyForcibly();
          throw new AssertionError("kubectl kustomize " + dir + " did not finish");
        }
        if (kubectl.exitValue() != 0) {
          throw new AssertionError(
              "kubectl kustomize " + dir + " failed: " + Files.readString(errors).strip());
        }
        return parse(yaml);
      } finally {
        Files.deleteIfExists(errors);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static KubeRendering parse(String yaml) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
      if (document instanceof Map<?, ?>) {
        objects.add(asMap(document));
      }
    }
    return new KubeRendering(objects);
  }

  public List<Map<String, Object>> objects(String kind) {
    return objects.stream().filter(o -> kind.equals(text(o, "kind"))).toList();
  }

  /** The object of this kind, name and namespace, if rendered. */
  public Optional<Map<String, Object>> object(String kind, String name, String namespace) {
    return objects(kind).stream()
        .filter(o -> name.equals(text(o, "metadata", "name")))
        .filter(o -> String.valueOf(namespace).equals(String.valueOf(namespaceOf(o))))
        .findFirst();
  }

  /** Every pod template: of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs. */
  public List<Pod> pods() {
    List<Pod> pods = new ArrayList<>();
    for (Map<String, Object> object : objects) {
      String kind = text(object, "kind");
      Map<String, Object> template =
          TEMPLATED.contains(kind)
              ? map(object, "spec", "template")
              : "CronJob".equals(kind)
                  ? map(object, "spec", "jobTemplate", "spec", "template")
                  : null;
      if (template != null) {
        Map<String, String> labels = new LinkedHashMap<>();
        map(template, "metadata", "labels").forEach((k, v) -> labels.put(k, String.valueOf(v)));
        pods.add(
            new Pod(
                kind,
                text(object, "metadata", "name"),
                namespaceOf(object),
                labels,
                map(template, "spec")));
      }
    }
    return pods;
  }

  /**
   * The container's environment as the kubelet builds it: {@code envFrom} first, then {@code env},
   * which wins. A value the manifests cannot know (a pod's IP, a Secret's key) is null.
   */
  public Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    String namespace = container.pod().namespace();
    for (Object source : list(container.yaml(), "envFrom")) {
      String prefix = Optional.ofNullable(text(source, "prefix")).orElse("");
      String configMap = text(source, "configMapRef", "name");
      String secret = text(source, "secretRef", "name");
      String kind = configMap != null ? "ConfigMap" : "Secret";
      String name = configMap != null ? configMap : secret;
      Map<String, Object> object =
          object(kind, name, namespace)
              .orElseThrow(
                  () ->
                      new AssertionError(
                          container + " takes envFrom " + kind + " " + name + ", not rendered"));
      map(object, "data")
          .forEach((k, v) -> env.put(prefix + k, kind.equals("Secret") ? null : v(v)));
    }
    for (Object variable : list(container.yaml(), "env")) {
      String name = text(variable, "name");
      String configMap = text(variable, "valueFrom", "configMapKeyRef", "name");
      if (configMap != null) {
        String key = text(variable, "valueFrom", "configMapKeyRef", "key");
        env.put(
            name,
            object("ConfigMap", configMap, namespace)
                .map(o -> v(map(o, "data").get(key)))
                .orElse(null));
      } else {
        env.put(name, text(variable, "value"));
      }
    }
    return env;
  }

  private static String v(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  public static String namespaceOf(Map<String, Object> object) {
    return text(object, "metadata", "namespace");
  }

  /** The map at {@code path} under {@code node}; empty where there is none. */
  public static Map<String, Object> map(Object node, String... path) {
    Object value = at(node, path);
    return value instanceof Map<?, ?> ? asMap(value) : Map.of();
  }

  /** The list at {@code path} under {@code node}; empty where there is none. */
  public static List<Object> list(Object node, String... path) {
    Object value = at(node, path);
    if (!(value instanceof List<?> items)) {
      return List.of();
    }
    return new ArrayList<>(items);
  }

  /** The scalar at {@code path} under {@code node} as text; null where there is none. */
  public static String text(Object node, String... path) {
    Object value = at(node, path);
    return value == null || value instanceof Map<?, ?> || value instanceof List<?>
        ? null
        : String.valueOf(value);
  }

  /** Whether {@code path} is present under {@code node}, even if empty ({@code from: []}). */
  public static boolean has(Object node, String... path) {
    return at(node, path) != null;
  }

  private static Object at(Object node, String... path) {
    Object current = node;
    for (String step : path) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(step);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object node) {
    return (Map<String, Object>) node;
  }
}
