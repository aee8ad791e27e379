package dev.microshop.launcher;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.Slice;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of STYLE.md, checked on the compiled main classes of every module (the
 * launcher's test classpath holds them all). A violation fails {@code mvn verify} naming the class
 * and the dependency.
 */
class ArchitectureTest {
  private static final String[] SERVICES = {
    "gateway", "users", "inventory", "orders", "payments", "notifications"
  };
  private static JavaClasses main;

  // Module classes come as directories (mvn test) or as jars (mvn verify, after package): both are
  // read.
  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.microshop");
  }

  @Test
  void noServiceModuleUsesAnother() {
    slices()
        .matching("dev.microshop.(*)..")
        .that(belongToServices())
        .should()
        .notDependOnEachOther()
        .because(
            "services talk over the event bus through contracts, never by importing each other")
        .check(main);
  }

  @Test
  void contractsAndPlatformKnowNoService() {
    for (String service : SERVICES) {
      noClasses()
          .that()
          .resideInAnyPackage("dev.microshop.contracts..", "dev.microshop.platform..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.microshop." + service + "..")
          .because("contracts and platform sit below every service")
          .check(main);
    }
  }

  @Test
  void contractsHoldDataNotBehaviour() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("dev.microshop.contracts..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "dev.microshop.platform..",
                "io.vertx.sqlclient..",
                "io.vertx.ext..",
                "com.hazelcast..")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("io.vertx.core.Vertx")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("io.vertx.core.Future")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("io.vertx.core.eventbus.EventBus")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("io.vertx.core.eventbus.MessageConsumer")
            // Headers (DeliveryOptions) are part of a message's shape, as JSON bodies are; sending
            // and receiving are not.
            .because(
                "a contract is addresses, message shapes and codes: what both sides agree on, no logic");
    rule.check(main);
  }

  @Test
  void theEmbeddedDatabaseStaysOutOfServicesAndPlatform() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.microshop.launcher..", "dev.microshop.testkit..", "dev.microshop.devdb..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.microshop.devdb..", "io.zonky..")
        .because(
            "dev mode's PostgreSQL is started by the launcher; a service only knows db settings")
        .check(main);
  }

  @Test
  void onlyTheGatewayRateLimits() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.microshop.gateway..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.github.bucket4j..")
        .check(main);
  }

  @Test
  void onlyUsersAndTheLauncherReachForBouncyCastle() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.microshop.users..", "dev.microshop.launcher..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.bouncycastle..")
        .because(
            "the JDK does the cryptography; users needs Bouncy Castle for one derivation and the"
                + " launcher to make dev certificates")
        .check(main);
  }

  @Test
  void verticlesExtendTheServiceBase() {
    classes()
        .that()
        .resideInAnyPackage(servicePackages())
        .and()
        .haveSimpleNameEndingWith("Verticle")
        .should()
        .beAssignableTo("dev.microshop.platform.service.ServiceVerticle")
        .check(main);
  }

  @Test
  void nothingPrintsStackTraces() {
    noClasses()
        .that()
        .resideInAPackage("dev.microshop..")
        .should()
        .callMethod(Throwable.class, "printStackTrace")
        .because("errors are logged once, where they are handled, through SLF4J")
        .check(main);
  }

  @Test
  void failuresCarryNamedCodesNotNumbers() {
    // A service fails through ServiceFailure's named factories (its constructor is private); only
    // the platform's consumers turn one into Message.fail, so no error code is spelled as a
    // number.
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.microshop.platform.messaging..")
        .should()
        .callMethod(Message.class, "fail", int.class, String.class)
        .orShould()
        .callConstructor(ReplyException.class, ReplyFailure.class, int.class, String.class)
        .because("the gateway maps codes to statuses in one place; services name them")
        .check(main);
  }

  @Test
  void requestsAreReadWithThePlatformKit() {
    noClasses()
        .that()
        .resideInAnyPackage(servicePackages())
        .should()
        .haveSimpleName("Fields")
        .orShould()
        .haveSimpleName("Callers")
        .because("field validation and caller checks live once, in platform.request")
        .check(main);
  }

  private static DescribedPredicate<Slice> belongToServices() {
    return DescribedPredicate.describe(
        "are service modules", slice -> Arrays.asList(SERVICES).contains(slice.getNamePart(1)));
  }

  private static String[] servicePackages() {
    return Arrays.stream(SERVICES).map(s -> "dev.microshop." + s + "..").toArray(String[]::new);
  }
}
