package dev.microshop.launcher.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium driven by Selenium: Debian's {@code chromium} and {@code chromium-driver}
 * (.ci/tools.sh installs them), never a browser a tool downloads.
 */
public final class Browser {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Browser() {}

  /**
   * Null when the browser is there; else the one line a test skips with. While .ci/run is still
   * installing it in the background (its pending marker), waits for that first.
   */
  public static String missing() throws InterruptedException {
    Path pending = Path.of("..", ".ci", "cache", "chromium.pending");
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!installed() && Files.exists(pending) && System.nanoTime() < deadline) {
      Thread.sleep(1000);
    }
    if (!installed()) {
      return "Debian's chromium and chromium-driver are not installed (.ci/run installs them as"
          + " root): the console's browser test cannot run";
    }
    return null;
  }

  private static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
  }

  /**
   * A fresh headless browser with an empty profile. Its background connections are off: this
   * machine's closed network refuses them, and a test must not depend on them.
   */
  public static ChromeDriver start() {
    try {
      Path profile = Files.createTempDirectory("microshop-chromium");
      ChromeOptions options =
          new ChromeOptions()
              .setBinary(CHROMIUM.toFile())
              .addArguments(
                  "--headless=new",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--disable-dev-shm-usage",
                  "--disable-quic",
                  "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update",
                  "--disable-sync",
                  "--window-size=1280,1600",
                  "--user-data-dir=" + profile);
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(new File(DRIVER.toString()))
              .usingAnyFreePort()
              .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      return driver;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
