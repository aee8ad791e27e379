package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify}'s arguments: bad input exits 2 with one line naming it, before any database. */
class VerifyCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void helpPrintsTheUsageWithEveryOptionAndExitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(text(out)).contains("usage: java -jar launcher.jar verify", "--acknowledged <file>");
    assertThat(text(out)).contains("--grace <seconds>");
    assertThat(text(err)).isEmpty();
  }

  @Test
  void theLauncherDispatchesVerifyAndTheHelpTextListsIt() {
    assertThat(Tools.run(new String[] {"verify", "--nope"}, Map.of())).hasValue(Main.USAGE);
    assertThat(Help.text())
        .contains("verify [--acknowledged <file>] [--grace <seconds>] [--settle <seconds>]");
  }

  @Test
  void anUnknownArgumentIsNamed() {
    assertUsage(run("--acknowledge", "x"), "unknown argument '--acknowledge'");
  }

  @Test
  void anOptionWithoutItsValueIsNamed() {
    assertUsage(run("--acknowledged"), "--acknowledged needs a value");
    assertUsage(run("--grace"), "--grace needs a value");
    assertUsage(run("--settle"), "--settle needs a value");
  }

  @Test
  void aGraceThatIsNotAWholeNumberOfSecondsIsRefused() {
    assertUsage(run("--grace", "ten"), "--grace must be a whole number of seconds");
    assertUsage(run("--grace", "-1"), "not '-1'");
    assertThat(VerifyOptions.parse(new String[] {"--grace", "0"}).graceSeconds()).isZero();
    assertThat(VerifyOptions.parse(new String[] {}).graceSeconds()).isEqualTo(30);
  }

  @Test
  void aSettleThatIsNotAWholeNumberOfSecondsIsRefused() {
    assertUsage(run("--settle", "1m"), "--settle must be a whole number of seconds");
    assertUsage(run("--settle", "-5"), "not '-5'");
    assertThat(VerifyOptions.parse(new String[] {"--settle", "60"}).settleSeconds()).isEqualTo(60);
    assertThat(VerifyOptions.parse(new String[] {}).settleSeconds()).isZero();
  }

  @Test
  void aMissingAcknowledgedFileIsNamed() {
    Path missing = dir.resolve("nope.txt");
    assertUsage(run("--acknowledged", missing.toString()), "--acknowledged " + missing);
  }

  @Test
  void aLineOfTheAcknowledgedFileThatIsNoUuidIsNamedByNumber() throws IOException {
    Path file = dir.resolve("acked.txt");
    Files.writeString(file, "1b4e28ba-2fa1-11d2-883f-0016d3cca427\n\nnot-an-id\n");
    assertUsage(run("--acknowledged", file.toString()), "line 3 is not an order id");
  }

  @Test
  void theAcknowledgedFileIsOneUuidALineBlankLinesAllowed() throws IOException {
    Path file = dir.resolve("acked.txt");
    Files.writeString(
        file, "1b4e28ba-2fa1-11d2-883f-0016d3cca427\n\n 6f1c1b0e-3a5e-4f52-9c8e-2f1d3c4b5a69 \n");
    assertThat(VerifyCommand.readAcknowledged(file)).hasSize(2);
  }

  @Test
  void aMisspeltSettingIsRefusedBeforeAnyDatabaseIsOpened() {
    assertThat(
            VerifyCommand.run(
                new String[] {},
                Map.of("MICROSHOP_DATA_DIRR", "x"),
                new PrintStream(out),
                new PrintStream(err)))
        .isEqualTo(Main.USAGE);
    assertThat(text(err)).contains("MICROSHOP_DATA_DIRR");
  }

  @Test
  void aDataDirectoryWithNoRunningDatabaseIsNamed() {
    assertThat(
            VerifyCommand.run(
                new String[] {},
                Map.of("MICROSHOP_DATA_DIR", dir.toString()),
                new PrintStream(out),
                new PrintStream(err)))
        .isEqualTo(Main.USAGE);
    assertThat(text(err).lines().toList()).hasSize(1);
    assertThat(text(err)).contains("embedded PostgreSQL in " + dir, "is not running");
  }

  @Test
  void theTableHasARowPerCheckWithItsOutcomeAndFigures() {
    String table =
        VerifyCommand.table(
            List.of(
                Check.of("stock conserved per product", true, "2 products"),
                Check.of("at most one charge per order", false, "1 more than once"),
                Check.notChecked("every 202-acknowledged order present", "no file")));
    assertThat(table.lines().toList())
        .containsExactly(
            "invariant                                   figures",
            "stock conserved per product           ok    2 products",
            "at most one charge per order          FAIL  1 more than once",
            "every 202-acknowledged order present  -     not checked: no file");
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    return VerifyCommand.run(args, Map.of(), new PrintStream(out), new PrintStream(err));
  }

  private void assertUsage(int code, String message) {
    assertThat(code).isEqualTo(Main.USAGE);
    assertThat(text(out)).isEmpty();
    assertThat(text(err).lines().toList()).hasSize(1);
    assertThat(text(err)).startsWith("microshop: ").contains(message);
  }

  private static String text(ByteArrayOutputStream stream) {
    return stream.toString(StandardCharsets.UTF_8);
  }
}
