package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.Api;
import dev.microshop.launcher.support.Browser;
import dev.microshop.launcher.support.Cluster;
import dev.microshop.launcher.support.Db;
import dev.microshop.launcher.support.Http;
import dev.microshop.launcher.support.SharedDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operations console at /ops in a real headless Chromium, against the six services as separate
 * JVMs: an admin logs in and sees every service UP; a service killed with -9 shows DOWN within 5 s;
 * what its outage costs (a message its consumer never got) appears as a dead letter, and its
 * redrive empties the list and delivers the message; a customer is shown the door, and the data
 * behind the page answers a customer's token with 403.
 */
class ConsoleIT {
  private static Cluster cluster;
  private static Api api;
  private static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    String missing = Browser.missing();
    Assumptions.assumeTrue(missing == null, missing);
    // Few, quick retries, so a message to a service that is down becomes a dead letter in seconds.
    cluster =
        new Cluster(
                SharedDatabase.env()
                    .with("MICROSHOP_OUTBOX_MAX_ATTEMPTS", "3")
                    .with("MICROSHOP_OUTBOX_BASE_BACKOFF_MS", "100")
                    .with("MICROSHOP_OUTBOX_MAX_BACKOFF_MS", "500"))
            .startAll();
    api = new Api(cluster.gateway(), SharedDatabase.dataDir());
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anAdminWatchesAServiceGoDownItsDeadLetterAppearAndARedriveEmptyTheList() throws Exception {
    String admin = api.admin();
    String product = api.product(admin, 900, 1);
    String customer = api.newCustomer();
    String tooMany = placed(customer, product, 5); // only 1 in stock: cancelled, a failed order
    logIn("admin@microshop.local", adminPassword());

    for (String service : Services.ALL) {
      awaitText(By.cssSelector(serviceStatus(service)), "UP", Duration.ofSeconds(30));
    }
    awaitText(
        By.cssSelector("tr[data-order='" + tooMany + "'] td:nth-child(2)"),
        "CANCELLED",
        Duration.ofSeconds(30));
    assertThat(text(By.cssSelector("tr[data-order='" + tooMany + "'] td:nth-child(3)")))
        .isEqualTo("OUT_OF_STOCK");
    assertThat(Double.parseDouble(text(By.id("orders-rate")))).isPositive();

    long killed = System.nanoTime();
    cluster.kill(Services.NOTIFICATIONS);
    awaitText(By.cssSelector(serviceStatus(Services.NOTIFICATIONS)), "DOWN", Duration.ofSeconds(5));
    System.out.printf(
        "console: notifications shown DOWN %d ms after kill -9%n",
        Duration.ofNanos(System.nanoTime() - killed).toMillis());

    // A registration while notifications is down: users' welcome event has no consumer.
    String email = "welcome-" + UUID.randomUUID() + "@example.com";
    api.register(email);
    By deadLetter = By.cssSelector("#dead-letters tr[data-dead-letter]");
    new WebDriverWait(browser, Duration.ofSeconds(90))
        .until(ExpectedConditions.visibilityOfElementLocated(deadLetter));
    assertThat(browser.findElement(deadLetter).getText())
        .contains("users", "notifications.on.users.user.registered");
    assertThat(deadLetters(email)).isEqualTo(1);

    cluster.restart(Services.NOTIFICATIONS);
    awaitText(By.cssSelector(serviceStatus(Services.NOTIFICATIONS)), "UP", Duration.ofSeconds(10));
    browser.findElement(By.cssSelector("#dead-letters button.redrive")).click();

    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("no-dead-letters")));
    assertThat(browser.findElements(deadLetter)).isEmpty();
    assertThat(deadLetters(email)).isZero();
    String welcomed = api.login(email, Api.PASSWORD);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (api.notifications(welcomed).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(api.notifications(welcomed)).as("the redriven welcome was delivered").hasSize(1);
  }

  @Test
  void aCustomerIsShownTheDoorAndTheDataBehindThePageAnswersTheirToken403() throws Exception {
    String customer = api.newCustomer();

    for (String path : List.of("/v1/admin/ops", "/v1/admin/ops/stream")) {
      var refused =
          Http.get(cluster.gateway() + path, Map.of("Authorization", "Bearer " + customer));
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(refused.body()).doesNotContain("services", "outboxes");
    }

    String email = "shopper-" + UUID.randomUUID() + "@example.com";
    api.register(email);
    logIn(email, Api.PASSWORD);

    awaitText(
        By.id("login-error"), "this operation requires the admin role", Duration.ofSeconds(10));
    assertThat(browser.findElement(By.id("console")).isDisplayed()).isFalse();
    assertThat(browser.findElements(By.cssSelector("#services tbody tr"))).isEmpty();
  }

  private static void logIn(String email, String password) {
    browser.manage().deleteAllCookies();
    browser.get(cluster.gateway() + "/ops");
    browser.executeScript("sessionStorage.clear()");
    browser.navigate().refresh();
    WebElement field =
        new WebDriverWait(browser, Duration.ofSeconds(10))
            .until(ExpectedConditions.visibilityOfElementLocated(By.id("email")));
    field.clear();
    field.sendKeys(email);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.id("login-button")).click();
  }

  private static String serviceStatus(String service) {
    return "#services tr[data-service='" + service + "'] td.status";
  }

  private static void awaitText(By element, String text, Duration within) {
    new WebDriverWait(browser, within)
        .withMessage(() -> element + " never read '" + text + "'; the page: " + pageText(browser))
        .until(ExpectedConditions.textToBePresentInElementLocated(element, text));
  }

  private static String text(By element) {
    return browser.findElement(element).getText().trim();
  }

  private static String pageText(WebDriver driver) {
    return driver.findElement(By.tagName("body")).getText();
  }

  private static String placed(String customer, String product, int quantity) {
    var placed = api.order(customer, "k-" + UUID.randomUUID(), Api.line(product, quantity));
    assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
    return new JsonObject(placed.body()).getString("id");
  }

  /** Dead letters in users' outbox about the registration of {@code email}. */
  private static long deadLetters(String email) {
    return Db.number(
        Services.USERS,
        "SELECT count(*) FROM outbox WHERE status = 'DEAD' AND payload->>'email' = ?",
        email);
  }

  private static String adminPassword() throws Exception {
    return Files.readString(SharedDatabase.dataDir().resolve("secrets/admin-password")).trim();
  }
}
