package dev.microshop.launcher.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One host of a {@link Lab}: a network namespace with one address, the processes started on it, and
 * the faults a test can inflict on all of them at once.
 */
public final class LabHost {
  private final int number;
  private final String namespace;
  private final String address;
  private final String switchNamespace;
  private final String switchPort;
  private final Path dir;
  private final List<ServiceProcess> jvms = new CopyOnWriteArrayList<>();

  LabHost(
      int number,
      String namespace,
      String address,
      String switchNamespace,
      String switchPort,
      Path dir) {
    this.number = number;
    this.namespace = namespace;
    this.address = address;
    this.switchNamespace = switchNamespace;
    this.switchPort = switchPort;
    this.dir = dir;
  }

  public int number() {
    return number;
  }

  /** This host's only address on the lab network (besides its own loopback). */
  public String address() {
    return address;
  }

  public String namespace() {
    return namespace;
  }

  /** A directory for this host's own files, as if on its own disk. */
  public Path dir() {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code java -jar launcher.jar <args>} on this host, configured by {@code env} only. */
  public ServiceProcess java(Map<String, String> env, String... args) {
    ServiceProcess jvm = ServiceProcess.startIn(namespace, "h" + number, env, args);
    jvms.add(jvm);
    return jvm;
  }

  /** Any other program on this host (a database server), its output appended to {@code log}. */
  public Process exec(List<String> command, Path log) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(command);
    try {
      Files.createDirectories(log.getParent());
      return new ProcessBuilder(full)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command + " on host " + number, e);
    }
  }

  /** Every process running on this host, whoever started it. */
  public Set<Long> pids() {
    return Lab.pids(namespace);
  }

  /** The JVMs started here and still running. */
  public List<ServiceProcess> jvms() {
    return jvms.stream().filter(ServiceProcess::alive).toList();
  }

  /** Sets a kernel setting of this host's network stack (each namespace has its own). */
  public void sysctl(String name, String value) {
    Commands.run("ip", "netns", "exec", namespace, "sysctl", "-qw", name + "=" + value);
  }

  /** The host dies: SIGKILL to every process on it, as when the machine loses power. */
  public void kill() {
    Lab.killAll(namespace);
    jvms.forEach(jvm -> jvm.awaitExit(Duration.ofSeconds(10)));
  }

  /** The host hangs: SIGSTOP to every process on it. Its sockets stay open, nothing answers. */
  public void freeze() {
    signal("STOP");
  }

  public void thaw() {
    signal("CONT");
  }

  /**
   * The host's cable is pulled: its port on the lab's switch goes down, so its packets are dropped
   * without any reset, as in a network partition. Its processes keep running.
   */
  public void cut() {
    Commands.run("ip", "-n", switchNamespace, "link", "set", switchPort, "down");
  }

  public void restore() {
    Commands.run("ip", "-n", switchNamespace, "link", "set", switchPort, "up");
  }

  private void signal(String name) {
    Set<Long> pids = pids();
    if (pids.isEmpty()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("kill", "-s", name));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    // A process that exited since the listing is no error: it is as stopped as it gets.
    Commands.tryRun(command.toArray(String[]::new));
  }

  @Override
  public String toString() {
    return "host " + number + " (" + address + ")";
  }
}
