package dev.microshop.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings and SettingsRules against config files written here, never the repo's own config/. */
class SettingsTest {
  private static final String COMMON =
      """
      {
        "dataDir": ".microshop",
        "cluster": {
          "name": "test-cluster",
          "port": 5701,
          "members": ["127.0.0.1:5701", "127.0.0.1:5702"],
          "eventBusPort": 0
        },
        "bus": { "requestTimeoutMs": 2000 },
        "db": { "host": "", "socketDir": "", "name": "", "poolSize": 4, "durable": true },
        "log": { "format": "", "level": "INFO" },
        "tracing": { "exporter": "none" },
        "up": {
          "jvmOptions": ["-Xmx64m"],
          "readyTimeoutSeconds": 180,
          "logFileMaxMb": 10,
          "logFilesKept": 5
        }
      }
      """;
  private static final String ORDERS =
      """
      { "db": { "name": "orders", "poolSize": 8 } }
      """;
  private static final String GATEWAY =
      """
      { "http": { "port": 8080 } }
      """;

  @TempDir Path dir;

  @BeforeEach
  void writeConfig() throws IOException {
    Files.writeString(dir.resolve("common.json"), COMMON);
    Files.writeString(dir.resolve("orders.json"), ORDERS);
    Files.writeString(dir.resolve("gateway.json"), GATEWAY);
  }

  private Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put(Settings.CONFIG_DIR_ENV, dir.toString());
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static ConfigException configError(Runnable action) {
    Throwable thrown = catchThrowable(action::run);
    assertThat(thrown).isInstanceOf(ConfigException.class);
    return (ConfigException) thrown;
  }

  @Test
  void serviceFileOverridesCommonAndKeepsTheRestOfCommon() {
    JsonObject config = Settings.load("orders", env());

    assertThat(config.getString("service")).isEqualTo("orders");
    assertThat(config.getJsonObject("db").getInteger("poolSize")).isEqualTo(8);
    assertThat(config.getJsonObject("db").getString("name")).isEqualTo("orders");
    assertThat(config.getJsonObject("db").getBoolean("durable")).isTrue();
    assertThat(config.getJsonObject("cluster").getString("name")).isEqualTo("test-cluster");
  }

  @Test
  void aServiceWithoutItsOwnFileGetsCommonOnly() {
    JsonObject config = Settings.load("users", env());

    assertThat(config.getJsonObject("db").getInteger("poolSize")).isEqualTo(4);
    assertThat(config.getJsonObject("db").getString("name")).isEmpty();
    assertThat(config.containsKey("http")).isFalse();
  }

  @Test
  void globalEnvBeatsTheFiles() {
    JsonObject config = Settings.load("orders", env("MICROSHOP_DB_POOL_SIZE", "12"));

    assertThat(config.getJsonObject("db").getInteger("poolSize")).isEqualTo(12);
  }

  @Test
  void perServiceEnvBeatsGlobalEnv() {
    Map<String, String> env =
        env("MICROSHOP_DB_POOL_SIZE", "12", "MICROSHOP_ORDERS_DB_POOL_SIZE", "16");

    assertThat(Settings.load("orders", env).getJsonObject("db").getInteger("poolSize"))
        .isEqualTo(16);
    assertThat(Settings.load("users", env).getJsonObject("db").getInteger("poolSize"))
        .isEqualTo(12);
  }

  @Test
  void anotherServicesEnvDoesNotApply() {
    JsonObject config = Settings.load("orders", env("MICROSHOP_USERS_DB_POOL_SIZE", "3"));

    assertThat(config.getJsonObject("db").getInteger("poolSize")).isEqualTo(8);
  }

  @Test
  void envNameSplitsCamelCaseAndDotsAndPrefixesTheService() {
    assertThat(Settings.envName(null, "db.poolSize")).isEqualTo("MICROSHOP_DB_POOL_SIZE");
    assertThat(Settings.envName("orders", "db.poolSize"))
        .isEqualTo("MICROSHOP_ORDERS_DB_POOL_SIZE");
    assertThat(Settings.envName(null, "cluster.eventBusPort"))
        .isEqualTo("MICROSHOP_CLUSTER_EVENT_BUS_PORT");
    assertThat(Settings.envName(null, "dataDir")).isEqualTo("MICROSHOP_DATA_DIR");
  }

  @Test
  void camelCaseKeysAreOverriddenThroughTheirEnvName() {
    JsonObject config =
        Settings.load(
            "orders",
            env(
                "MICROSHOP_CLUSTER_EVENT_BUS_PORT", "6000",
                "MICROSHOP_UP_READY_TIMEOUT_SECONDS", "30",
                "MICROSHOP_DATA_DIR", "/tmp/elsewhere"));

    assertThat(config.getJsonObject("cluster").getInteger("eventBusPort")).isEqualTo(6000);
    assertThat(config.getJsonObject("up").getInteger("readyTimeoutSeconds")).isEqualTo(30);
    assertThat(config.getString("dataDir")).isEqualTo("/tmp/elsewhere");
  }

  @Test
  void aNonIntegerForAnIntegerKeyNamesTheDottedKeyAndTheEnvVar() {
    ConfigException global =
        configError(() -> Settings.load("users", env("MICROSHOP_DB_POOL_SIZE", "four")));
    assertThat(global.key()).isEqualTo("db.poolSize");
    assertThat(global.getMessage())
        .contains("MICROSHOP_DB_POOL_SIZE")
        .contains("four")
        .contains("not an integer");

    ConfigException perService =
        configError(() -> Settings.load("orders", env("MICROSHOP_ORDERS_DB_POOL_SIZE", "4.5")));
    assertThat(perService.key()).isEqualTo("db.poolSize");
    assertThat(perService.getMessage()).contains("MICROSHOP_ORDERS_DB_POOL_SIZE");
  }

  @Test
  void integersMayCarrySurroundingBlanks() {
    JsonObject config = Settings.load("orders", env("MICROSHOP_DB_POOL_SIZE", " 6 "));

    assertThat(config.getJsonObject("db").getInteger("poolSize")).isEqualTo(6);
  }

  @Test
  void booleansMustBeTrueOrFalse() {
    assertThat(
            Settings.load("orders", env("MICROSHOP_DB_DURABLE", "false"))
                .getJsonObject("db")
                .getBoolean("durable"))
        .isFalse();
    assertThat(
            Settings.load("orders", env("MICROSHOP_DB_DURABLE", "true"))
                .getJsonObject("db")
                .getBoolean("durable"))
        .isTrue();

    for (String bad : List.of("yes", "1", "off", "")) {
      ConfigException e =
          configError(() -> Settings.load("orders", env("MICROSHOP_DB_DURABLE", bad)));
      assertThat(e.key()).isEqualTo("db.durable");
      assertThat(e.getMessage()).contains("MICROSHOP_DB_DURABLE").contains("must be true or false");
    }
  }

  @Test
  void listValuesAreCommaSplitTrimmedAndSkipBlanks() {
    JsonObject config =
        Settings.load(
            "orders",
            env(
                "MICROSHOP_CLUSTER_MEMBERS", "127.0.0.1:5801, 127.0.0.1:5802,,127.0.0.1:5803 ",
                "MICROSHOP_UP_JVM_OPTIONS", "-Xmx32m,-XX:+UseSerialGC"));

    assertThat(config.getJsonObject("cluster").getJsonArray("members"))
        .isEqualTo(new JsonArray(List.of("127.0.0.1:5801", "127.0.0.1:5802", "127.0.0.1:5803")));
    assertThat(config.getJsonObject("up").getJsonArray("jvmOptions"))
        .isEqualTo(new JsonArray(List.of("-Xmx32m", "-XX:+UseSerialGC")));
  }

  @Test
  void portsOutsideZeroTo65535AreRejected() {
    for (String bad : List.of("65536", "-1", "70000")) {
      ConfigException e =
          configError(() -> Settings.load("orders", env("MICROSHOP_CLUSTER_PORT", bad)));
      assertThat(e.key()).isEqualTo("cluster.port");
      assertThat(e.getMessage()).contains("out of range 0..65535");
    }
    ConfigException eventBus =
        configError(
            () -> Settings.load("orders", env("MICROSHOP_CLUSTER_EVENT_BUS_PORT", "65536")));
    assertThat(eventBus.key()).isEqualTo("cluster.eventBusPort");
    ConfigException http =
        configError(() -> Settings.load("gateway", env("MICROSHOP_GATEWAY_HTTP_PORT", "99999")));
    assertThat(http.key()).isEqualTo("http.port");
  }

  @Test
  void portsAtTheEdgesOfTheRangeAreAccepted() {
    assertThat(
            Settings.load("gateway", env("MICROSHOP_HTTP_PORT", "0"))
                .getJsonObject("http")
                .getInteger("port"))
        .isEqualTo(0);
    assertThat(
            Settings.load("gateway", env("MICROSHOP_HTTP_PORT", "65535"))
                .getJsonObject("http")
                .getInteger("port"))
        .isEqualTo(65535);
  }

  @Test
  void aPortOutOfRangeInAFileIsRejectedToo() throws IOException {
    Files.writeString(dir.resolve("gateway.json"), "{\"http\": {\"port\": 65536}}");

    assertThat(configError(() -> Settings.load("gateway", env())).key()).isEqualTo("http.port");
  }

  @Test
  void millisecondsSizesAndSecondsMustBeAtLeastOne() {
    Map<String, String> zeroes =
        Map.of(
            "MICROSHOP_BUS_REQUEST_TIMEOUT_MS", "bus.requestTimeoutMs",
            "MICROSHOP_DB_POOL_SIZE", "db.poolSize",
            "MICROSHOP_UP_READY_TIMEOUT_SECONDS", "up.readyTimeoutSeconds");
    zeroes.forEach(
        (name, key) -> {
          ConfigException e = configError(() -> Settings.load("users", env(name, "0")));
          assertThat(e.key()).isEqualTo(key);
          assertThat(e.getMessage()).contains("0 is out of range 1..");
        });

    JsonObject ones =
        Settings.load(
            "users",
            env(
                "MICROSHOP_BUS_REQUEST_TIMEOUT_MS",
                "1",
                "MICROSHOP_DB_POOL_SIZE",
                "1",
                "MICROSHOP_UP_READY_TIMEOUT_SECONDS",
                "1"));
    assertThat(ones.getJsonObject("bus").getInteger("requestTimeoutMs")).isEqualTo(1);
    assertThat(ones.getJsonObject("db").getInteger("poolSize")).isEqualTo(1);
    assertThat(ones.getJsonObject("up").getInteger("readyTimeoutSeconds")).isEqualTo(1);
  }

  @Test
  void logFormatIsLeftEmptyByDefaultSoTheModeChoosesItAndAnExplicitOneIsKept() {
    assertThat(Settings.load("users", env()).getJsonObject("log").getString("format")).isEmpty();
    assertThat(
            Settings.load("users", env("MICROSHOP_DEV", "true", "MICROSHOP_LOG_FORMAT", "json"))
                .getJsonObject("log")
                .getString("format"))
        .isEqualTo("json");
    assertThat(
            Settings.load("users", env("MICROSHOP_USERS_LOG_FORMAT", "text"))
                .getJsonObject("log")
                .getString("format"))
        .isEqualTo("text");
  }

  @Test
  void upLogFileSizeAndCountMustBeInTheirRangesAndAnErrorNamesTheSetting() {
    Map<String, String> keys =
        Map.of(
            "MICROSHOP_UP_LOG_FILE_MAX_MB", "up.logFileMaxMb",
            "MICROSHOP_UP_LOG_FILES_KEPT", "up.logFilesKept");
    keys.forEach(
        (name, key) -> {
          for (String value : List.of("0", "-1", "100000")) {
            ConfigException e = configError(() -> Settings.load("users", env(name, value)));
            assertThat(e.key()).as(name + "=" + value).isEqualTo(key);
            assertThat(e.getMessage()).contains("is out of range 1..");
          }
          assertThat(configError(() -> Settings.load("users", env(name, "ten"))).key())
              .isEqualTo(key);
        });

    JsonObject up =
        Settings.load(
                "users",
                env("MICROSHOP_UP_LOG_FILE_MAX_MB", "1024", "MICROSHOP_UP_LOG_FILES_KEPT", "100"))
            .getJsonObject("up");
    assertThat(up.getInteger("logFileMaxMb")).isEqualTo(1024);
    assertThat(up.getInteger("logFilesKept")).isEqualTo(100);
  }

  @Test
  void aFileCannotGiveTheUpLogSizeAsText() throws IOException {
    Files.writeString(
        dir.resolve("common.json"),
        COMMON.replace("\"logFileMaxMb\": 10", "\"logFileMaxMb\": \"10MB\""));

    assertThat(configError(() -> Settings.load("users", env())).key()).isEqualTo("up.logFileMaxMb");
  }

  @Test
  void aSizeAboveIntRangeIsRejectedRatherThanTruncated() {
    ConfigException e =
        configError(() -> Settings.load("users", env("MICROSHOP_DB_POOL_SIZE", "4294967300")));

    assertThat(e.key()).isEqualTo("db.poolSize");
  }

  @Test
  void logFormatAndTracingExporterMustBeOneOfTheirChoices() {
    assertThat(
            Settings.load("users", env("MICROSHOP_LOG_FORMAT", "json"))
                .getJsonObject("log")
                .getString("format"))
        .isEqualTo("json");
    assertThat(
            Settings.load("users", env("MICROSHOP_TRACING_EXPORTER", "otlp"))
                .getJsonObject("tracing")
                .getString("exporter"))
        .isEqualTo("otlp");

    ConfigException format =
        configError(() -> Settings.load("users", env("MICROSHOP_LOG_FORMAT", "xml")));
    assertThat(format.key()).isEqualTo("log.format");
    assertThat(format.getMessage())
        .contains("\"xml\"")
        .contains("[text, json] (or \"\" for the default)");

    ConfigException exporter =
        configError(() -> Settings.load("users", env("MICROSHOP_TRACING_EXPORTER", "jaeger")));
    assertThat(exporter.key()).isEqualTo("tracing.exporter");
    assertThat(exporter.getMessage()).contains("\"jaeger\"").contains("[none, zipkin, otlp, log]");
  }

  @Test
  void aSocketDirMustBeAnAbsoluteDirectoryWhoseSocketPathFits() {
    assertThat(
            Settings.load("orders", env("MICROSHOP_DB_SOCKET_DIR", "/var/run/postgresql"))
                .getJsonObject("db")
                .getString("socketDir"))
        .isEqualTo("/var/run/postgresql");

    ConfigException relative =
        configError(() -> Settings.load("orders", env("MICROSHOP_DB_SOCKET_DIR", "run/pg")));
    assertThat(relative.key()).isEqualTo("db.socketDir");
    assertThat(relative.getMessage()).contains("\"run/pg\"").contains("not an absolute directory");

    // "/.s.PGSQL.5432" is 14 bytes: a directory of 93 bytes makes a 107-byte socket path, the most
    // there may be.
    String fits = "/" + "d".repeat(92);
    assertThat(
            Settings.load("orders", env("MICROSHOP_DB_SOCKET_DIR", fits))
                .getJsonObject("db")
                .getString("socketDir"))
        .isEqualTo(fits);
    String deep = fits + "d";
    ConfigException tooLong =
        configError(() -> Settings.load("orders", env("MICROSHOP_DB_SOCKET_DIR", deep)));
    assertThat(tooLong.key()).isEqualTo("db.socketDir");
    assertThat(tooLong.getMessage()).contains(deep + "/.s.PGSQL.5432").contains("107 bytes");
    // Counted in bytes: 47 two-byte letters are 94 bytes, too long, though the path has only 62
    // characters.
    String wide = "/" + "é".repeat(47);
    assertThat(
            configError(() -> Settings.load("orders", env("MICROSHOP_DB_SOCKET_DIR", wide))).key())
        .isEqualTo("db.socketDir");
  }

  @Test
  void clusterMembersMustBeHostColonPort() {
    for (String bad :
        List.of(
            "127.0.0.1:5701-5703",
            "127.0.0.1",
            "127.0.0.1:",
            ":5701",
            "127.0.0.1:0",
            "127.0.0.1:65536")) {
      ConfigException e =
          configError(() -> Settings.load("orders", env("MICROSHOP_CLUSTER_MEMBERS", bad)));
      assertThat(e.key()).as(bad).isEqualTo("cluster.members");
      assertThat(e.getMessage()).as(bad).contains("\"" + bad + "\"").contains("not host:port");
    }
  }

  @Test
  void aRangeOfMembersInAFileIsRejected() throws IOException {
    Files.writeString(
        dir.resolve("orders.json"), "{\"cluster\": {\"members\": [\"127.0.0.1:5701-5703\"]}}");

    ConfigException e = configError(() -> Settings.load("orders", env()));

    assertThat(e.key()).isEqualTo("cluster.members");
    assertThat(e.getMessage()).contains("127.0.0.1:5701-5703");
  }

  @Test
  void invalidJsonInAConfigFileIsAConfigException() throws IOException {
    Path orders = dir.resolve("orders.json");
    Files.writeString(orders, "{ \"db\": { \"poolSize\": 8, } ");

    ConfigException e = configError(() -> Settings.load("orders", env()));

    assertThat(e.key()).isEqualTo(orders.toString());
    assertThat(e.getMessage()).contains("orders.json").contains("not valid JSON");
  }

  @Test
  void invalidJsonInCommonBreaksEveryService() throws IOException {
    Files.writeString(dir.resolve("common.json"), "not json");

    ConfigException e = configError(() -> Settings.load("users", env()));

    assertThat(e.key()).isEqualTo(dir.resolve("common.json").toString());
  }

  @Test
  void aMissingConfigDirIsAConfigExceptionNamingTheVariable() {
    Path missing = dir.resolve("nope");
    Map<String, String> env = Map.of(Settings.CONFIG_DIR_ENV, missing.toString());

    ConfigException e = configError(() -> Settings.load("orders", env));

    assertThat(e.key()).isEqualTo("MICROSHOP_CONFIG_DIR");
    assertThat(e.getMessage()).contains("MICROSHOP_CONFIG_DIR").contains(missing.toString());
  }

  @Test
  void rejectUnknownEnvRejectsAMisspeltVariable() {
    ConfigException e =
        configError(
            () ->
                Settings.rejectUnknownEnv(
                    env("MICROSHOP_FOO", "1"), List.of("orders", "gateway"), Set.of()));

    assertThat(e.key()).isEqualTo("MICROSHOP_FOO");
    assertThat(e.getMessage()).contains("no such setting");
  }

  @Test
  void rejectUnknownEnvAcceptsKnownGlobalPerServiceAndExtraNames() {
    Map<String, String> env =
        env(
            "MICROSHOP_DB_POOL_SIZE", "2",
            "MICROSHOP_ORDERS_DB_POOL_SIZE", "3",
            "MICROSHOP_GATEWAY_HTTP_PORT", "0",
            "MICROSHOP_HTTP_PORT", "0",
            "MICROSHOP_CLUSTER_MEMBERS", "127.0.0.1:5801",
            "MICROSHOP_PARENT_PID", "1",
            "PATH", "/usr/bin",
            "HOME", "/root");

    Settings.rejectUnknownEnv(env, List.of("orders", "gateway"), Set.of("MICROSHOP_PARENT_PID"));
  }

  @Test
  void rejectUnknownEnvRejectsASettingOfAServiceThatDoesNotHaveIt() {
    assertThatThrownBy(
            () ->
                Settings.rejectUnknownEnv(
                    env("MICROSHOP_ORDERS_HTTP_PORT", "0"), List.of("orders", "gateway"), Set.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MICROSHOP_ORDERS_HTTP_PORT");
    assertThatThrownBy(
            () ->
                Settings.rejectUnknownEnv(
                    env("MICROSHOP_USERS_DB_POOL_SIZE", "2"),
                    List.of("orders", "gateway"),
                    Set.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MICROSHOP_USERS_DB_POOL_SIZE");
  }

  @Test
  void rejectUnknownEnvRejectsTheExtraNameWhenItIsNotPassed() {
    assertThatThrownBy(
            () ->
                Settings.rejectUnknownEnv(
                    env("MICROSHOP_PARENT_PID", "1"), List.of("orders"), Set.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MICROSHOP_PARENT_PID");
  }

  @Test
  void flattenListsEveryLeafAsADottedKey() {
    Map<String, Object> leaves = Settings.flatten(new JsonObject(ORDERS));

    assertThat(leaves).containsExactly(Map.entry("db.name", "orders"), Map.entry("db.poolSize", 8));
  }

  @Test
  void aSampleRatioOutsideZeroToOneIsAStartupErrorNamingIt() throws IOException {
    Files.writeString(
        dir.resolve("common.json"),
        COMMON.replace(
            "\"tracing\": { \"exporter\": \"none\" }",
            "\"tracing\": { \"exporter\": \"zipkin\", \"sampleRatio\": 0.1 }"));

    assertThat(
            Settings.load("orders", env("MICROSHOP_TRACING_SAMPLE_RATIO", "0.5"))
                .getJsonObject("tracing")
                .getDouble("sampleRatio"))
        .isEqualTo(0.5);
    ConfigException e =
        configError(() -> Settings.load("orders", env("MICROSHOP_TRACING_SAMPLE_RATIO", "1.5")));
    assertThat(e.key()).isEqualTo("tracing.sampleRatio");
    assertThat(e.getMessage()).contains("not between 0 and 1");
  }
}
