package dev.microshop.launcher;

import java.lang.reflect.Proxy;

/**
 * SIGTERM and SIGINT run a graceful stop, then exit 0. A plain shutdown hook would leave the JVM's
 * exit status at 143, which process supervisors read as a crash.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported, present in every JDK) is reached by
 * reflection: javac flags any compile-time use of it as a proprietary API, and the build treats
 * warnings as errors.
 */
final class Signals {
  private Signals() {}

  static void onTermination(Runnable stop) {
    handle("TERM", stop);
    handle("INT", stop);
  }

  private static void handle(String name, Runnable stop) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object onSignal =
          Proxy.newProxyInstance(
              Signals.class.getClassLoader(),
              new Class<?>[] {handler},
              (proxy, method, args) -> method.getName().equals("handle") ? exitAfter(stop) : null);
      signal
          .getMethod("handle", signal, handler)
          .invoke(null, signal.getConstructor(String.class).newInstance(name), onSignal);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot handle SIG" + name + ": " + e, e);
    }
  }

  private static Object exitAfter(Runnable stop) {
    Thread stopper =
        new Thread(
            () -> {
              stop.run();
              System.exit(0);
            },
            "microshop-stop");
    stopper.start();
    return null;
  }
}
