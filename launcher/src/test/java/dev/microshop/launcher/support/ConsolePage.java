package dev.microshop.launcher.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The operations console (/ops) as a person at the browser sees it, in a headless Chromium. */
public final class ConsolePage implements AutoCloseable {
  private static final By DEAD_LETTER = By.cssSelector("#dead-letters tr[data-dead-letter]");
  private final ChromeDriver browser;
  private final String gateway;

  private ConsolePage(ChromeDriver browser, String gateway) {
    this.browser = browser;
    this.gateway = gateway;
  }

  /** A fresh browser on the console of the gateway at {@code gateway}. */
  public static ConsolePage open(String gateway) {
    return new ConsolePage(Browser.start(), gateway);
  }

  /** Opens /ops with nothing remembered and logs in through the form. */
  public void logIn(String email, String password) {
    browser.get(gateway + "/ops");
    browser.executeScript("sessionStorage.clear()");
    browser.navigate().refresh();
    WebElement field = visible(By.id("email"), Duration.ofSeconds(10));
    field.sendKeys(email);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.id("login-button")).click();
  }

  public void awaitServiceStatus(String service, String status, Duration within) {
    awaitText(
        By.cssSelector("#services tr[data-service='" + service + "'] td.status"), status, within);
  }

  /** Waits for the order's row among the failed or slow ones; returns its text. */
  public String awaitRecentOrder(String orderId, String status, Duration within) {
    By row = By.cssSelector("#recent-orders tr[data-order='" + orderId + "']");
    awaitText(row, status, within);
    return browser.findElement(row).getText();
  }

  /** The href of the order's trace link. */
  public String traceLink(String orderId) {
    return browser
        .findElement(By.cssSelector("#recent-orders tr[data-order='" + orderId + "'] a.trace"))
        .getAttribute("href");
  }

  public double ordersPerSecond() {
    return Double.parseDouble(browser.findElement(By.id("orders-rate")).getText().trim());
  }

  /** Waits for a dead letter in the list; returns its row's text. */
  public String awaitDeadLetter(Duration within) {
    return visible(DEAD_LETTER, within).getText();
  }

  /**
   * Clicks the Redrive button of every dead letter listed, one at a time: each redrive redraws the
   * list.
   */
  public void redriveEvery() throws InterruptedException {
    for (int i = 0; i < 20; i++) {
      List<WebElement> buttons =
          browser.findElements(By.cssSelector("#dead-letters button.redrive:enabled"));
      if (buttons.isEmpty()) {
        return;
      }
      try {
        buttons.get(0).click();
      } catch (StaleElementReferenceException redrawn) {
        // the list was redrawn under the click: look again
      }
      Thread.sleep(300);
    }
  }

  /** Waits until the page says there is no dead letter; true when no row is left either. */
  public boolean awaitNoDeadLetters(Duration within) {
    visible(By.id("no-dead-letters"), within);
    return browser.findElements(DEAD_LETTER).isEmpty();
  }

  public void awaitLoginError(String text, Duration within) {
    awaitText(By.id("login-error"), text, within);
  }

  /** True when the console (not the login form) is on screen, or any service row is. */
  public boolean showsAnyData() {
    return browser.findElement(By.id("console")).isDisplayed()
        || !browser.findElements(By.cssSelector("#services tbody tr")).isEmpty();
  }

  /** Saves what the page shows now, for people reading the build's output. */
  public void screenshot(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.copy(
          browser.getScreenshotAs(OutputType.FILE).toPath(),
          file,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private WebElement visible(By element, Duration within) {
    return new WebDriverWait(browser, within)
        .withMessage(() -> element + " not shown; the page: " + pageText())
        .until(ExpectedConditions.visibilityOfElementLocated(element));
  }

  private void awaitText(By element, String text, Duration within) {
    new WebDriverWait(browser, within)
        .withMessage(() -> element + " never read '" + text + "'; the page: " + pageText())
        .until(ExpectedConditions.textToBePresentInElementLocated(element, text));
  }

  private String pageText() {
    return browser.findElement(By.tagName("body")).getText();
  }

  @Override
  public void close() {
    browser.quit();
  }
}
