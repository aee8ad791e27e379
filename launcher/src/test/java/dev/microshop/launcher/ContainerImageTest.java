package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.TestEnv;
import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The container image, checked without a container engine (none runs here): the Containerfile and
 * the Jib build in launcher/pom.xml must agree with each other, with the JVM options {@code up}
 * gives its JVMs and with the jar's manifest, and run as a non-root user.
 */
class ContainerImageTest {
  private static final List<String> PORTS = List.of("8080", "9190", "5701", "5710");
  private static List<String> lines;
  private static Element jib;
  private static Element shade;
  private static String version;

  @BeforeAll
  static void read() throws Exception {
    Path root = TestEnv.repoRoot();
    lines = joinContinuations(Files.readAllLines(root.resolve("Containerfile")));
    var factory = DocumentBuilderFactory.newInstance();
    Document launcher =
        factory.newDocumentBuilder().parse(root.resolve("launcher/pom.xml").toFile());
    jib = plugin(launcher, "jib-maven-plugin");
    shade = plugin(launcher, "maven-shade-plugin");
    Document parent = factory.newDocumentBuilder().parse(root.resolve("pom.xml").toFile());
    version = child(parent.getDocumentElement(), "version").getTextContent().trim();
  }

  @Test
  void theContainerfileBuildsWithTheWrapperAndRunsOnAJreAsANonRootUser() {
    List<String> from = instructions("FROM");
    assertThat(from).as("stages").hasSizeGreaterThanOrEqualTo(2);
    assertThat(from.get(0)).contains("-jdk").endsWith("AS build");
    assertThat(from.get(from.size() - 1)).contains("-jre");
    assertThat(instructions("RUN")).anyMatch(run -> run.contains("./mvnw"));
    List<String> users = instructions("USER");
    assertThat(users).hasSize(1);
    assertThat(numericUser(users.get(0))).isGreaterThan(0);
    assertThat(instructions("COPY")).anyMatch(c -> c.startsWith("--from=build"));
  }

  @Test
  void theEntrypointIsExecFormJavaWithUpsJvmOptionsSoSigtermReachesTheJvm() {
    List<String> entrypoint = execForm(single("ENTRYPOINT"));
    List<String> expected = new ArrayList<>(List.of("java"));
    expected.addAll(upJvmOptions());
    expected.addAll(List.of("-jar", "/app/launcher.jar"));

    assertThat(entrypoint).isEqualTo(expected);
    assertThat(single("STOPSIGNAL")).isEqualTo("SIGTERM");
  }

  @Test
  void theContainerfileExposesEveryPortAndSetsOnlyRealSettings() {
    assertThat(Arrays.asList(single("EXPOSE").split("\\s+")))
        .containsExactlyInAnyOrderElementsOf(PORTS);
    Map<String, String> env = new HashMap<>();
    for (String pair : single("ENV").split("\\s+")) {
      String[] kv = pair.split("=", 2);
      env.put(kv[0], kv[1]);
    }
    assertThat(env).containsKeys(Settings.CONFIG_DIR_ENV, "MICROSHOP_DATA_DIR");
    realSettingsOnly(env);
  }

  @Test
  void jibBuildsTheSameImageNameUserPortsAndJvmOptions() {
    Element container = child(child(jib, "configuration"), "container");
    assertThat(child(child(child(jib, "configuration"), "to"), "image").getTextContent().trim())
        .isEqualTo("microshop/microshop:${project.version}");
    assertThat(
            child(child(container, "labels"), "org.opencontainers.image.version").getTextContent())
        .isEqualTo("${project.version}");
    assertThat(version).as("project version").isNotBlank();
    assertThat(child(container, "user").getTextContent().trim()).isEqualTo(single("USER").trim());
    assertThat(texts(child(container, "ports"), "port")).containsExactlyInAnyOrderElementsOf(PORTS);
    assertThat(child(container, "mainClass").getTextContent().trim())
        .isEqualTo(Main.class.getName());
    Map<String, String> env = new HashMap<>();
    NodeList vars = child(container, "environment").getChildNodes();
    for (int i = 0; i < vars.getLength(); i++) {
      if (vars.item(i) instanceof Element var) {
        env.put(var.getTagName(), var.getTextContent().trim());
      }
    }
    assertThat(env).containsKeys(Settings.CONFIG_DIR_ENV, "MICROSHOP_DATA_DIR");
    realSettingsOnly(env);
  }

  /**
   * Jib runs the classes, not the shaded jar: its flags are up's JVM options followed by the
   * manifest's Add-Opens and Add-Exports as command-line options, so neither build lacks one.
   */
  @Test
  void jibsJvmFlagsAreUpsOptionsAndTheJarManifestsOpens() {
    List<String> flags = texts(child(child(jib, "configuration"), "container"), "jvmFlag");
    List<String> expected = new ArrayList<>(upJvmOptions());
    Element entries = descendant(shade, "manifestEntries");
    for (String open : child(entries, "Add-Opens").getTextContent().trim().split("\\s+")) {
      expected.add("--add-opens=" + open + "=ALL-UNNAMED");
    }
    for (String export : child(entries, "Add-Exports").getTextContent().trim().split("\\s+")) {
      expected.add("--add-exports=" + export + "=ALL-UNNAMED");
    }

    assertThat(flags).isEqualTo(expected);
  }

  /** Fails on a MICROSHOP_ name no service knows, read against the repo's config (the image's). */
  private static void realSettingsOnly(Map<String, String> env) {
    Map<String, String> here = new HashMap<>(env);
    here.put(Settings.CONFIG_DIR_ENV, TestEnv.repoRoot().resolve("config").toString());
    Settings.rejectUnknownEnv(here, Services.ALL, Set.of());
  }

  private static List<String> upJvmOptions() {
    JsonArray options =
        Settings.load(
                Services.ORDERS,
                Map.of(Settings.CONFIG_DIR_ENV, TestEnv.repoRoot().resolve("config").toString()))
            .getJsonObject("up")
            .getJsonArray("jvmOptions");
    return options.stream().map(String::valueOf).toList();
  }

  private static List<String> joinContinuations(List<String> raw) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : raw) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
      } else {
        out.add(current.append(trimmed).toString());
        current.setLength(0);
      }
    }
    return out;
  }

  private static List<String> instructions(String keyword) {
    return lines.stream()
        .filter(l -> l.startsWith(keyword + " "))
        .map(l -> l.substring(keyword.length() + 1).strip())
        .toList();
  }

  private static String single(String keyword) {
    List<String> found = instructions(keyword);
    assertThat(found).as(keyword).hasSize(1);
    return found.get(0);
  }

  private static List<String> execForm(String value) {
    assertThat(value).as("exec form (a JSON array), not a shell command").startsWith("[");
    return new JsonArray(value).stream().map(String::valueOf).toList();
  }

  private static int numericUser(String user) {
    return Integer.parseInt(user.split(":")[0]);
  }

  private static Element plugin(Document pom, String artifactId) {
    NodeList plugins = pom.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if (child(plugin, "artifactId").getTextContent().trim().equals(artifactId)) {
        return plugin;
      }
    }
    throw new AssertionError("launcher/pom.xml has no " + artifactId);
  }

  private static Element child(Element parent, String tag) {
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element e && e.getTagName().equals(tag)) {
        return e;
      }
    }
    throw new AssertionError("<" + parent.getTagName() + "> has no <" + tag + ">");
  }

  private static Element descendant(Element parent, String tag) {
    NodeList found = parent.getElementsByTagName(tag);
    if (found.getLength() == 0) {
      throw new AssertionError("<" + parent.getTagName() + "> has no <" + tag + ">");
    }
    return (Element) found.item(0);
  }

  private static List<String> texts(Element parent, String tag) {
    NodeList found = parent.getElementsByTagName(tag);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < found.getLength(); i++) {
      out.add(found.item(i).getTextContent().trim());
    }
    return out;
  }
}
