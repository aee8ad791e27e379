package dev.microshop.launcher;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT run a graceful stop, then exit 0. A plain shutdown hook would leave the JVM's exit
 * status at 143, which process supervisors read as a crash.
 */
final class Signals {
  private Signals() {}

  static void onTermination(Runnable stop) {
    Signal.handle(new Signal("TERM"), sig -> exitAfter(stop));
    Signal.handle(new Signal("INT"), sig -> exitAfter(stop));
  }

  private static void exitAfter(Runnable stop) {
    Thread stopper = new Thread(() -> {
      stop.run();
      System.exit(0);
    }, "microshop-stop");
    stopper.start();
  }
}
