package dev.microshop.launcher;

import static dev.microshop.launcher.support.KubeRendering.has;
import static dev.microshop.launcher.support.KubeRendering.list;
import static dev.microshop.launcher.support.KubeRendering.map;
import static dev.microshop.launcher.support.KubeRendering.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.KubeRendering;
import dev.microshop.launcher.support.KubeRendering.Container;
import dev.microshop.launcher.support.KubeRendering.Pod;
import dev.microshop.launcher.support.KubeSelector;
import dev.microshop.launcher.support.TestEnv;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests in deploy/kubernetes, rendered by the real {@code kubectl kustomize}
 * (dev with placeholder secret files in the layout {@code launcher.jar secrets} writes) and held to
 * what the launcher accepts: real settings, mounted secret files, probes on the management port,
 * one cluster DNS name, NetworkPolicies that admit what pods listen on and keep the database to its
 * owners, the project's image, hardened and budgeted Deployments, autoscaled gateway and orders.
 */
class KubernetesManifestsTest {
  private static final Path SOURCE = TestEnv.repoRoot().resolve("deploy/kubernetes");
  private static final Path DEV_SECRETS = Path.of("overlays", "dev", "secrets");
  private static final String IMAGE = "microshop/microshop";
  private static final String DB_INIT = "db-init";
  private static final String PART_OF = "app.kubernetes.io/part-of";
  private static final int DB_PORT = 5432;
  private static final String CA_KEY = "cluster-tls/ca-key.pem";

  private static final Map<String, KubeRendering> OVERLAYS = new LinkedHashMap<>();
  private static String missing;

  @BeforeAll
  static void render(@TempDir Path work) throws IOException {
    missing = KubeRendering.unavailable().orElse(null);
    if (missing != null) {
      return; // each test is skipped with the reason (Surefire would not show a class abort)
    }
    Path copy = work.resolve("kubernetes");
    copyWithoutSecrets(SOURCE, copy);
    placeholderSecrets(copy.resolve(DEV_SECRETS));
    for (String overlay : List.of("dev", "prod")) {
      OVERLAYS.put(overlay, KubeRendering.of(copy.resolve("overlays").resolve(overlay)));
    }
  }

  @BeforeEach
  void requireKubectl() {
    if (missing != null) {
      Assumptions.abort("kubectl with Kustomize is not installed: " + missing);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod"})
  void everyMicroshopVariableNamesARealSetting(String overlay) {
    KubeRendering rendering = OVERLAYS.get(overlay);
    List<String> problems = new ArrayList<>();
    for (Container container : microshopContainers(rendering)) {
      Map<String, String> env = new HashMap<>(rendering.env(container));
      if (env.containsKey("MICROSHOP_DEV")) {
        problems.add(container + " sets MICROSHOP_DEV: dev mode has no place on Kubernetes");
      }
      // The repo's config, which the image bundles; values do not matter, names do.
      env.put(Settings.CONFIG_DIR_ENV, TestEnv.repoRoot().resolve("config").toString());
      try {
        Settings.rejectUnknownEnv(env, Services.ALL, Set.of());
      } catch (ConfigException e) {
        problems.add(container + ": " + e.getMessage());
      }
    }
    assertThat(problems).as("variables the launcher would refuse (exit 2)").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod"})
  void everyFileSettingNamesAFileOfAMountedVolume(String overlay) {
    KubeRendering rendering = OVERLAYS.get(overlay);
    List<String> problems = new ArrayList<>();
    for (Container container : microshopContainers(rendering)) {
      for (Map.Entry<String, String> variable : rendering.env(container).entrySet()) {
        String name = variable.getKey();
        boolean files = name.endsWith("_FILE") || name.endsWith("_FILES");
        if (!name.startsWith(Settings.ENV_PREFIX) || !files || variable.getValue() == null) {
          continue;
        }
        for (String file : variable.getValue().split(",")) {
          String problem = file.isBlank() ? null : mountedFile(rendering, container, file.trim());
          if (problem != null) {
            problems.add(container + ": " + name + "=" + file.trim() + " " + problem);
          }
        }
      }
    }
    assertThat(problems).as("file settings that point at no mounted file").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod"})
  void probesAskTheManagementPortOnThePodAddress(String overlay) {
    KubeRendering rendering = OVERLAYS.get(overlay);
    List<String> problems = new ArrayList<>();
    for (Container container : serviceContainers(rendering)) {
      Map<String, String> env = rendering.env(container);
      String service = container.args().get(0);
      Integer management = intOrNull(setting(env, service, "management.port"));
      if (management == null) {
        problems.add(container + ": MICROSHOP_MANAGEMENT_PORT is not set to a number");
        continue;
      }
      if (!Objects.equals(container.ports().get("management"), management)) {
        problems.add(
            container + ": its port named management is not " + management + " (management.port)");
      }
      String host =
          Objects.requireNonNullElse(
              setting(env, service, "management.host"), "127.0.0.1 (the default)");
      if (!"0.0.0.0".equals(host)) {
        problems.add(
            container + ": management.host is " + host + ", which the kubelet cannot reach");
      }
      Map<String, String> paths =
          Map.of(
              "startupProbe", "/health/live",
              "readinessProbe", "/health/ready",
              "livenessProbe", "/health/live");
      paths.forEach(
          (probe, path) -> {
            Map<String, Object> httpGet = map(container.yaml(), probe, "httpGet");
            Integer port = container.port(text(httpGet, "port"));
            if (httpGet.isEmpty()) {
              problems.add(container + ": no " + probe + " with httpGet " + path);
            } else if (!Objects.equals(port, management)) {
              problems.add(
                  String.format(
                      "%s: %s asks port %s, not the management port %d",
                      container, probe, text(httpGet, "port"), management));
            } else if (!path.equals(text(httpGet, "path"))) {
              problems.add(container + ": " + probe + " asks " + text(httpGet, "path"));
            }
          });
    }
    assertThat(problems).as("probes").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod"})
  void servicesJoinByTheDnsNameOfTheHeadlessServiceThatSelectsThem(String overlay) {
    KubeRendering rendering = OVERLAYS.get(overlay);
    List<String> problems = new ArrayList<>();
    for (Container container : serviceContainers(rendering)) {
      Map<String, String> env = rendering.env(container);
      String service = container.args().get(0);
      String join = setting(env, service, "cluster.join");
      if (!"dns".equals(join)) {
        problems.add(container + ": cluster.join is " + join + ", not dns");
      }
      Pod pod = container.pod();
      List<Map<String, Object>> headless =
          rendering.objects("Service").stream()
              .filter(s -> "None".equals(text(s, "spec", "clusterIP")))
              .filter(s -> Objects.equals(KubeRendering.namespaceOf(s), pod.namespace()))
              .filter(s -> KubeSelector.serviceSelects(map(s, "spec", "selector"), pod.labels()))
              .toList();
      if (headless.size() != 1) {
        problems.add(pod + ": selected by " + headless.size() + " headless Services, not 1");
        continue;
      }
      Map<String, Object> members = headless.get(0);
      String expected =
          text(members, "metadata", "name") + "." + pod.namespace() + ".svc.cluster.local";
      String dns = setting(env, service, "cluster.serviceDns");
      if (!expected.equals(dns)) {
        problems.add(container + ": MICROSHOP_CLUSTER_SERVICE_DNS is " + dns + ", not " + expected);
      }
      if (!Boolean.TRUE.equals(map(members, "spec").get("publishNotReadyAddresses"))) {
        problems.add(
            expected + " does not publish pods before they are ready (members join first)");
      }
      String port = setting(env, service, "cluster.port");
      if (list(members, "spec", "ports").stream().noneMatch(p -> text(p, "port").equals(port))) {
        problems.add(expected + " has no port " + port + " (cluster.port)");
      }
      Map<String, Object> host = envVar(container, "MICROSHOP_CLUSTER_HOST");
      if (!"status.podIP".equals(text(host, "valueFrom", "fieldRef", "fieldPath"))) {
        problems.add(container + ": MICROSHOP_CLUSTER_HOST is not the pod's IP (status.podIP)");
      }
    }
    assertThat(problems).as("cluster membership").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod"})
  void networkPoliciesAdmitEveryPortAMicroshopPodListensOnAndClusterPortsOnlyFromMembers(
      String overlay) {
    KubeRendering rendering = OVERLAYS.get(overlay);
    List<String> problems = new ArrayList<>();
    for (Pod pod : rendering.pods()) {
      if (!"microshop".equals(pod.labels().get(PART_OF))) {
        continue;
      }
      for (Container container : pod.containers()) {
        Map<Integer, String> listening = listening(rendering, container);
        Set<Integer> clusterPorts = clusterPorts(rendering, container);
        listening.forEach(
            (port, what) -> {
              List<Map<String, Object>> rules = admitting(rendering, container, port);
              if (rules.isEmpty()) {
                problems.add(
                    container + ": no NetworkPolicy admits port " + port + " (" + what + ")");
              }
              if (clusterPorts.contains(port)) {
                for (Map<String, Object> rule : rules) {
                  if (!onlyFromMicroshopPods(rule)) {
                    problems.add(
                        String.format(
                            "%s: port %d (%s) is open beyond microshop pods: %s",
                            container, port, what, rule));
                  }
                }
              }
            });
      }
    }
    assertThat(problems).as("NetworkPolicies").isEmpty();
  }

  @Test
  void inDevOnlyTheServicesWithADatabaseAndDbInitReachPostgres() {
    KubeRendering rendering = OVERLAYS.get("dev");
    List<Container> databases =
        rendering.pods().stream()
            .flatMap(p -> p.containers().stream())
            .filter(c -> c.ports().containsValue(DB_PORT))
            .toList();
    assertThat(databases).as("containers listening on " + DB_PORT).isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (Container database : databases) {
      Set<String> reaching = new LinkedHashSet<>();
      for (Map<String, Object> rule : admitting(rendering, database, DB_PORT)) {
        List<Object> peers = list(rule, "from");
        if (peers.isEmpty()) {
          problems.add(database + ": port " + DB_PORT + " is open to everyone: " + rule);
        }
        for (Object peer : peers) {
          if (has(peer, "ipBlock") || has(peer, "namespaceSelector") || !has(peer, "podSelector")) {
            problems.add(
                database + ": port " + DB_PORT + " is open beyond this namespace: " + peer);
            continue;
          }
          for (Pod pod : rendering.pods()) {
            if (Objects.equals(pod.namespace(), database.pod().namespace())
                && KubeSelector.matches(map(peer, "podSelector"), pod.labels())) {
              reaching.add(launcherCommand(pod));
            }
          }
        }
      }
      Set<String> owners = new LinkedHashSet<>(Services.WITH_DATABASE);
      owners.add(DB_INIT);
      assertThat(reaching)
          .as(database + " is reached by (launcher commands; null: not a microshop JVM)")
          .containsExactlyInAnyOrderElementsOf(owners);
    }
    assertThat(problems).as("database NetworkPolicies").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod"})
  void microshopContainersRunTheImageOfThisProjectVersion(String overlay) throws Exception {
    String version =
        XPathFactory.newInstance()
            .newXPath()
            .evaluate(
                "/project/version",
                DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(TestEnv.repoRoot().resolve("pom.xml").toFile()));
    assertThat(version).as("version of the root pom.xml").isNotBlank();
    List<Container> containers = microshopContainers(OVERLAYS.get(overlay));
    assertThat(containers).isNotEmpty();
    for (Container container : containers) {
      assertThat(container.image()).as(container.toString()).isEqualTo(IMAGE + ":" + version);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod"})
  void everyServiceHasAHardenedSizedDeploymentWithADisruptionBudget(String overlay) {
    KubeRendering rendering = OVERLAYS.get(overlay);
    List<String> problems = new ArrayList<>();
    Map<String, Pod> deployments = new LinkedHashMap<>();
    for (Pod pod : rendering.pods()) {
      if (!pod.kind().equals("Deployment")) {
        continue;
      }
      deployments.put(launcherCommand(pod), pod);
      if (!Boolean.FALSE.equals(pod.spec().get("enableServiceLinks"))) {
        // A Service named microshop-* would add MICROSHOP_*_SERVICE_HOST: an unknown setting.
        problems.add(pod + ": enableServiceLinks is not false");
      }
      for (Container container : pod.containers()) {
        Map<String, Object> security = map(container.yaml(), "securityContext");
        boolean nonRoot =
            Boolean.TRUE.equals(security.get("runAsNonRoot"))
                || (!security.containsKey("runAsNonRoot")
                    && Boolean.TRUE.equals(map(pod.spec(), "securityContext").get("runAsNonRoot")));
        if (!nonRoot) {
          problems.add(container + ": not runAsNonRoot");
        }
        if (!Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
          problems.add(container + ": root file system not read-only");
        }
        if (!Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
          problems.add(container + ": allowPrivilegeEscalation is not false");
        }
        if (!list(security, "capabilities", "drop").contains("ALL")) {
          problems.add(container + ": capabilities not dropped (ALL)");
        }
        Map<String, Object> resources = map(container.yaml(), "resources");
        if (text(resources, "requests", "cpu") == null
            || text(resources, "requests", "memory") == null
            || text(resources, "limits", "memory") == null) {
          problems.add(container + ": no cpu and memory requests and memory limit: " + resources);
        }
      }
    }
    assertThat(deployments.keySet()).as("services with a Deployment").containsAll(Services.ALL);
    for (String service : Services.ALL) {
      Pod pod = deployments.get(service);
      boolean budgeted =
          rendering.objects("PodDisruptionBudget").stream()
              .filter(b -> Objects.equals(KubeRendering.namespaceOf(b), pod.namespace()))
              .anyMatch(b -> KubeSelector.matches(map(b, "spec", "selector"), pod.labels()));
      if (!budgeted) {
        problems.add(pod + ": no PodDisruptionBudget selects its pods");
      }
    }
    assertThat(problems).as("Deployments").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"dev", "prod"})
  void gatewayAndOrdersScaleOnCpu(String overlay) {
    List<String> problems = new ArrayList<>();
    for (String service : List.of(Services.GATEWAY, Services.ORDERS)) {
      List<Map<String, Object>> autoscalers =
          OVERLAYS.get(overlay).objects("HorizontalPodAutoscaler").stream()
              .filter(h -> "Deployment".equals(text(h, "spec", "scaleTargetRef", "kind")))
              .filter(h -> service.equals(text(h, "spec", "scaleTargetRef", "name")))
              .toList();
      if (autoscalers.isEmpty()) {
        problems.add("no HorizontalPodAutoscaler scales Deployment " + service);
      }
      for (Map<String, Object> hpa : autoscalers) {
        String name = "HorizontalPodAutoscaler " + text(hpa, "metadata", "name");
        if (!"autoscaling/v2".equals(text(hpa, "apiVersion"))) {
          problems.add(name + " is " + text(hpa, "apiVersion") + ", not autoscaling/v2");
        }
        boolean onCpu =
            list(hpa, "spec", "metrics").stream()
                .anyMatch(
                    m ->
                        "cpu".equals(text(m, "resource", "name"))
                            && "Utilization".equals(text(m, "resource", "target", "type")));
        if (!onCpu) {
          problems.add(name + " does not scale on CPU utilisation");
        }
        Integer min = intOrNull(text(hpa, "spec", "minReplicas"));
        Integer max = intOrNull(text(hpa, "spec", "maxReplicas"));
        if (min == null || max == null || min < 2 || max <= min) {
          problems.add(
              name + " scales " + min + ".." + max + " (want 2 or more, and room to grow)");
        }
      }
    }
    assertThat(problems).as("autoscaling").isEmpty();
  }

  @Test
  void theClusterCaKeyNeverEntersTheCluster() {
    String caKey = placeholder(CA_KEY);
    for (Map<String, Object> secret : OVERLAYS.get("dev").objects("Secret")) {
      for (Object value : map(secret, "data").values()) {
        String decoded =
            new String(Base64.getDecoder().decode(String.valueOf(value)), StandardCharsets.UTF_8);
        assertThat(decoded)
            .as(
                "Secret %s holds %s, which stays with the operator",
                text(secret, "metadata", "name"), CA_KEY)
            .isNotEqualTo(caKey);
      }
    }
  }

  /** Containers that run the launcher: its image, a launcher command, or MICROSHOP_ settings. */
  private static List<Container> microshopContainers(KubeRendering rendering) {
    return rendering.pods().stream()
        .flatMap(p -> p.containers().stream())
        .filter(
            c ->
                String.valueOf(c.image()).startsWith(IMAGE)
                    || (!c.args().isEmpty() && isLauncherCommand(c.args().get(0)))
                    || list(c.yaml(), "env").stream()
                        .anyMatch(e -> text(e, "name").startsWith(Settings.ENV_PREFIX)))
        .toList();
  }

  /** Containers of Deployments that run one service (args: the service's name). */
  private static List<Container> serviceContainers(KubeRendering rendering) {
    return microshopContainers(rendering).stream()
        .filter(c -> c.pod().kind().equals("Deployment"))
        .filter(c -> c.args().size() == 1 && Services.ALL.contains(c.args().get(0)))
        .toList();
  }

  private static boolean isLauncherCommand(String arg) {
    return Services.ALL.contains(arg) || DB_INIT.equals(arg);
  }

  /** The launcher command a pod's containers run (a service, db-init), or null. */
  private static String launcherCommand(Pod pod) {
    return pod.containers().stream()
        .map(Container::args)
        .filter(args -> !args.isEmpty() && isLauncherCommand(args.get(0)))
        .map(args -> args.get(0))
        .findFirst()
        .orElse(null);
  }

  /**
   * A setting's value as the launcher reads it: {@code MICROSHOP_<SERVICE>_<KEY>}, else {@code
   * MICROSHOP_<KEY>}.
   */
  private static String setting(Map<String, String> env, String service, String key) {
    String specific = env.get(Settings.envName(service, key));
    return specific != null ? specific : env.get(Settings.envName(null, key));
  }

  private static Map<String, Object> envVar(Container container, String name) {
    return list(container.yaml(), "env").stream()
        .filter(e -> name.equals(text(e, "name")))
        .map(e -> map(e))
        .findFirst()
        .orElse(Map.of());
  }

  private static Integer intOrNull(String text) {
    return text != null && text.matches("\\d+") ? Integer.valueOf(text) : null;
  }

  /** Ports a container listens on: its containerPorts, and those its settings name. */
  private static Map<Integer, String> listening(KubeRendering rendering, Container container) {
    Map<Integer, String> ports = new LinkedHashMap<>();
    container.ports().forEach((name, port) -> ports.put(port, "containerPort " + name));
    if (container.args().size() == 1 && Services.ALL.contains(container.args().get(0))) {
      Map<String, String> env = rendering.env(container);
      String service = container.args().get(0);
      for (String key :
          List.of("management.port", "cluster.port", "cluster.eventBusPort", "http.port")) {
        Integer port = intOrNull(setting(env, service, key));
        if (port != null && port != 0) {
          ports.putIfAbsent(port, key);
        }
      }
    }
    return ports;
  }

  /** The Hazelcast and event-bus ports a service container's settings name. */
  private static Set<Integer> clusterPorts(KubeRendering rendering, Container container) {
    Set<Integer> ports = new LinkedHashSet<>();
    if (container.args().size() == 1 && Services.ALL.contains(container.args().get(0))) {
      Map<String, String> env = rendering.env(container);
      for (String key : List.of("cluster.port", "cluster.eventBusPort")) {
        Integer port = intOrNull(setting(env, container.args().get(0), key));
        if (port != null) {
          ports.add(port);
        }
      }
    }
    return ports;
  }

  /**
   * The ingress rules of the NetworkPolicies selecting the container's pod that let some peer reach
   * {@code port} (given by number or by the name of the container's port, or all ports).
   */
  private static List<Map<String, Object>> admitting(
      KubeRendering rendering, Container container, int port) {
    List<Map<String, Object>> rules = new ArrayList<>();
    Pod pod = container.pod();
    for (Map<String, Object> policy : rendering.objects("NetworkPolicy")) {
      List<Object> types = list(policy, "spec", "policyTypes");
      if (!Objects.equals(KubeRendering.namespaceOf(policy), pod.namespace())
          || !KubeSelector.matches(map(policy, "spec", "podSelector"), pod.labels())
          || !(types.isEmpty() || types.contains("Ingress"))) {
        continue;
      }
      for (Object rule : list(policy, "spec", "ingress")) {
        List<Object> ports = list(rule, "ports");
        boolean covers =
            ports.isEmpty()
                || ports.stream()
                    .anyMatch(
                        p -> {
                          Integer from = container.port(text(p, "port"));
                          String end = text(p, "endPort");
                          return text(p, "port") == null
                              || (from != null
                                  && (from == port
                                      || (end != null
                                          && from <= port
                                          && port <= Integer.parseInt(end))));
                        });
        if (covers) {
          rules.add(map(rule));
        }
      }
    }
    return rules;
  }

  /** A rule whose every peer is a pod of this namespace labelled part-of microshop. */
  private static boolean onlyFromMicroshopPods(Map<String, Object> rule) {
    List<Object> peers = list(rule, "from");
    return !peers.isEmpty()
        && peers.stream()
            .allMatch(
                peer ->
                    !has(peer, "ipBlock")
                        && !has(peer, "namespaceSelector")
                        && "microshop".equals(text(peer, "podSelector", "matchLabels", PART_OF)));
  }

  /**
   * Null when {@code file} lies in a volume the container mounts and, where the volume's Secret or
   * ConfigMap is rendered, is one of its keys; else what is wrong.
   */
  private static String mountedFile(KubeRendering rendering, Container container, String file) {
    for (Map<String, Object> mount : container.volumeMounts()) {
      String at = text(mount, "mountPath").replaceAll("/+$", "");
      String subPath = text(mount, "subPath");
      boolean inside = subPath != null ? file.equals(at) : file.startsWith(at + "/");
      if (!inside) {
        continue;
      }
      String name = subPath != null ? subPath : file.substring(at.length() + 1);
      Map<String, Object> volume =
          list(container.pod().spec(), "volumes").stream()
              .map(v -> map(v))
              .filter(v -> text(mount, "name").equals(text(v, "name")))
              .findFirst()
              .orElse(Map.of());
      String kind =
          has(volume, "secret") ? "Secret" : has(volume, "configMap") ? "ConfigMap" : null;
      if (kind == null) {
        return volume.isEmpty() ? "is in a mount of no volume" : null;
      }
      String source =
          kind.equals("Secret")
              ? text(volume, "secret", "secretName")
              : text(volume, "configMap", "name");
      Map<String, Object> object =
          rendering.object(kind, source, container.pod().namespace()).orElse(null);
      if (object == null) {
        return null; // made by the operator (prod): only the mount can be checked
      }
      Set<String> files = new LinkedHashSet<>();
      List<Object> items = list(volume, kind.equals("Secret") ? "secret" : "configMap", "items");
      if (items.isEmpty()) {
        files.addAll(map(object, "data").keySet());
        files.addAll(map(object, "binaryData").keySet());
      } else {
        items.forEach(item -> files.add(text(item, "path")));
      }
      return files.contains(name) ? null : "is not in " + kind + " " + source + " " + files;
    }
    return "lies in no volume the container mounts";
  }

  private static void copyWithoutSecrets(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path relative = from.relativize(path);
        Path target = to.resolve(relative.toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else if (!relative.startsWith(DEV_SECRETS)) {
          // A developer's real keys in overlays/dev/secrets stay where they are.
          Files.copy(path, target);
        }
      }
    }
  }

  /** The files {@code launcher.jar secrets <dir>} writes, with dummy text kustomize only reads. */
  private static void placeholderSecrets(Path dir) throws IOException {
    List<String> files = new ArrayList<>(List.of("cluster-tls/ca.pem", CA_KEY));
    for (String service : Services.ALL) {
      files.add("cluster-tls/" + service + ".pem");
      files.add("cluster-tls/" + service + "-key.pem");
    }
    files.add("signing-key.pem");
    files.add("admin-password");
    Services.WITH_DATABASE.forEach(service -> files.add("db/" + service));
    files.add("db/postgres");
    for (String file : files) {
      Path path = dir.resolve(file);
      Files.createDirectories(path.getParent());
      Files.writeString(path, placeholder(file));
    }
  }

  private static String placeholder(String file) {
    return "placeholder for " + file + "\n";
  }
}
