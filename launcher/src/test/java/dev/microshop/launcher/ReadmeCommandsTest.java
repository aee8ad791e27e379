package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.launcher.support.TestEnv;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The README opens with the two commands a new user types, and they need nothing but a JDK: the
 * Maven wrapper (pinned to Maven 3.9) builds, the jar runs the system, and CI runs the same test
 * command. CI itself runs that command on a fresh clone; this keeps the text and the wrapper from
 * drifting away from it.
 */
class ReadmeCommandsTest {
  private static final Path ROOT = TestEnv.repoRoot();

  @Test
  void theReadmeOpensWithExactlyTheBuildAndRunCommandAndTheTestCommand() throws Exception {
    List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
    int fence = lines.indexOf("```bash");
    assertThat(fence).as("the first code block").isBetween(1, 4);
    List<String> block = lines.subList(fence + 1, lines.indexOf("```"));

    assertThat(block)
        .containsExactly(
            "./mvnw -B -q -DskipTests package && java -jar launcher/target/launcher.jar up",
            "./mvnw -B verify");
  }

  @Test
  void ciRunsTheReadmesTestCommand() throws Exception {
    List<String> run = Files.readAllLines(ROOT.resolve(".ci/run"));

    assertThat(run).contains("./mvnw -B verify");
  }

  @Test
  void theWrapperFetchesAPinnedMaven39AndIsExecutable() throws Exception {
    Properties wrapper = new Properties();
    try (Reader in =
        Files.newBufferedReader(ROOT.resolve(".mvn/wrapper/maven-wrapper.properties"))) {
      wrapper.load(in);
    }

    assertThat(wrapper.getProperty("distributionUrl"))
        .startsWith("https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.")
        .endsWith("-bin.zip");
    assertThat(Files.isExecutable(ROOT.resolve("mvnw"))).as("mvnw is executable").isTrue();
  }
}
