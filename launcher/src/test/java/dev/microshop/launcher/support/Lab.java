package dev.microshop.launcher.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A lab of hosts on one machine, for tests of what must work across machines. Each host is a Linux
 * network namespace with its own address on a private /24, so a JVM on one host reaches another
 * only over the lab's network, as on real machines: its own loopback, its own ports, its own link
 * to cut. Processes start on a host through {@code ip netns exec} and are configured by environment
 * only, as an operator would configure them.
 *
 * <p>Nothing outside the lab is touched. The bridge joining the hosts lives in a namespace of its
 * own (the "switch"), not in the root namespace, where the machine's firewall could drop bridged
 * traffic (br_netfilter hands bridged frames to iptables). The root namespace gets one veth,
 * holding the lab's .254 address, so the test JVM reaches every host. The /24 is drawn at random
 * from 10.213/16 among the subnets that no route or address of the machine overlaps.
 *
 * <p>Faults: {@link LabHost#kill()}, {@link LabHost#freeze()} and {@link LabHost#thaw()}, {@link
 * LabHost#cut()} and {@link LabHost#restore()}.
 *
 * <p>Teardown, by {@link #close()} or else by a shutdown hook (a failed or interrupted test): every
 * process in the lab's namespaces is killed by pid and the namespaces are deleted, which takes
 * their links and the bridge with them. Namespaces are named {@code msl-<pid>-<id>-<role>} after
 * the test JVM that made them, so a lab whose JVM was killed outright is swept by the next one;
 * namespaces of a live JVM are never touched.
 *
 * <p>Needs root and iproute2: {@link #unavailable()} says why a lab cannot be built, for a test to
 * skip with that reason.
 */
public final class Lab implements AutoCloseable {
  private static final String PREFIX = "msl-";
  private static final Pattern OURS = Pattern.compile("msl-(\\d+)-[0-9a-f]{6}-(sw|h\\d+)");
  private static final Pattern PREFIX_TEXT =
      Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)(?:/(\\d+))?");
  private final String id;
  private final String subnet;
  private final String rootLink;
  private final Path dir;
  private final List<String> namespaces = new ArrayList<>();
  private final List<LabHost> hosts = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread hook = new Thread(this::teardown, "lab-teardown");

  private Lab(String hex, String subnet, Path dir) {
    this.id = ProcessHandle.current().pid() + "-" + hex;
    this.subnet = subnet;
    this.rootLink = "msl" + hex;
    this.dir = dir;
  }

  /** Why no lab can be built here (no {@code ip}, not root), or empty when one can. */
  public static Optional<String> unavailable() {
    Commands.Result version = Commands.tryRun("ip", "-V");
    if (!version.ok()) {
      return Optional.of("the ip command (iproute2) cannot run: " + version.output().strip());
    }
    String probe = PREFIX + ProcessHandle.current().pid() + "-" + hex() + "-h0";
    Commands.Result add = Commands.tryRun("ip", "netns", "add", probe);
    if (!add.ok()) {
      return Optional.of("cannot create a network namespace (needs root): " + add.output().strip());
    }
    Commands.tryRun("ip", "netns", "del", probe);
    return Optional.empty();
  }

  /** Builds {@code count} hosts, numbered from 1, with addresses {@code <subnet>.1} onwards. */
  public static Lab create(int count) {
    sweepAbandoned();
    Lab lab = new Lab(hex(), freeSubnet(), TestEnv.tempDir("microshop-lab-"));
    Runtime.getRuntime().addShutdownHook(lab.hook);
    try {
      lab.build(count);
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  /** Host {@code n}, from 1. */
  public LabHost host(int n) {
    return hosts.get(n - 1);
  }

  public List<LabHost> hosts() {
    return List.copyOf(hosts);
  }

  /** The lab's network, e.g. {@code 10.213.7.0/24}: what a server on a host lets in. */
  public String cidr() {
    return subnet + ".0/24";
  }

  /** A directory of the lab's own, deleted with it: hosts' data, secrets handed to them. */
  public Path dir() {
    return dir;
  }

  /** A unique name for this lab's cluster, so it never meets another test's. */
  public String name() {
    return "lab-" + id;
  }

  @Override
  public void close() {
    teardown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // already running as the hook
    }
  }

  private void build(int count) {
    String sw = namespace("sw");
    addNamespace(sw);
    Commands.run("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
    Commands.run("ip", "-n", sw, "link", "set", "br0", "up");
    // The test JVM's way in, from the root namespace.
    Commands.run(
        "ip", "link", "add", rootLink, "type", "veth", "peer", "name", "root", "netns", sw);
    Commands.run("ip", "-n", sw, "link", "set", "root", "master", "br0", "up");
    Commands.run("ip", "addr", "add", subnet + ".254/24", "dev", rootLink);
    Commands.run("ip", "link", "set", rootLink, "up");
    for (int n = 1; n <= count; n++) {
      String ns = namespace("h" + n);
      addNamespace(ns);
      String port = "h" + n;
      Commands.run(
          "ip", "-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
      Commands.run("ip", "-n", sw, "link", "set", port, "master", "br0", "up");
      Commands.run("ip", "-n", ns, "addr", "add", subnet + "." + n + "/24", "dev", "eth0");
      Commands.run("ip", "-n", ns, "link", "set", "eth0", "up");
      Commands.run("ip", "-n", ns, "link", "set", "lo", "up");
      hosts.add(new LabHost(n, ns, subnet + "." + n, sw, port, dir.resolve("h" + n)));
    }
  }

  private String namespace(String role) {
    return PREFIX + id + "-" + role;
  }

  private void addNamespace(String ns) {
    Commands.run("ip", "netns", "add", ns);
    namespaces.add(ns);
  }

  private void teardown() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Hosts before the switch: a host's veth goes with its namespace.
    List<String> order = new ArrayList<>(namespaces);
    Collections.reverse(order);
    for (String ns : order) {
      killAll(ns);
      Commands.tryRun("ip", "netns", "del", ns);
    }
    if (Commands.tryRun("ip", "link", "show", rootLink).ok()) {
      Commands.tryRun("ip", "link", "del", rootLink); // normally gone with the switch already
    }
    deleteTree(dir);
  }

  /** SIGKILL to every process in {@code ns}, until none is left (bounded: about 10 s). */
  static void killAll(String ns) {
    for (int round = 0; round < 100; round++) {
      Set<Long> pids = pids(ns);
      if (pids.isEmpty()) {
        return;
      }
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      sleep(100);
    }
  }

  /** The processes whose network namespace is {@code ns}: what runs on that host. */
  static Set<Long> pids(String ns) {
    Commands.Result listed = Commands.tryRun("ip", "netns", "pids", ns);
    Set<Long> pids = new LinkedHashSet<>();
    if (listed.ok()) {
      listed
          .output()
          .lines()
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .map(Long::valueOf)
          .forEach(pids::add);
    }
    return pids;
  }

  /** Removes the namespaces of labs whose test JVM is gone (killed before its hook could run). */
  private static void sweepAbandoned() {
    for (String line : Commands.run("ip", "netns", "list").split("\n")) {
      String name = line.strip().split(" ")[0];
      Matcher ours = OURS.matcher(name);
      if (ours.matches()
          && ProcessHandle.of(Long.parseLong(ours.group(1)))
              .filter(ProcessHandle::isAlive)
              .isEmpty()) {
        killAll(name);
        Commands.tryRun("ip", "netns", "del", name);
      }
    }
  }

  /** A /24 in 10.213/16 that no route or address of this machine overlaps. */
  private static String freeSubnet() {
    String taken =
        Commands.run("ip", "-4", "route", "show", "table", "all")
            + Commands.run("ip", "-4", "-o", "addr", "show");
    List<long[]> used = new ArrayList<>();
    Matcher m = PREFIX_TEXT.matcher(taken);
    while (m.find()) {
      long address = 0;
      for (int i = 1; i <= 4; i++) {
        address = (address << 8) | (Long.parseLong(m.group(i)) & 0xff);
      }
      used.add(new long[] {address, m.group(5) == null ? 32 : Long.parseLong(m.group(5))});
    }
    for (int attempt = 0; attempt < 100; attempt++) {
      int third = 1 + ThreadLocalRandom.current().nextInt(254);
      long candidate = (10L << 24) | (213L << 16) | ((long) third << 8);
      if (used.stream().noneMatch(p -> overlaps(candidate, 24, p[0], (int) p[1]))) {
        return "10.213." + third;
      }
    }
    throw new IllegalStateException("no free /24 in 10.213.0.0/16 for a lab");
  }

  private static boolean overlaps(long a, int aLength, long b, int bLength) {
    int common = Math.min(aLength, bLength);
    long mask = common == 0 ? 0 : (0xffffffffL << (32 - common)) & 0xffffffffL;
    return (a & mask) == (b & mask);
  }

  private static String hex() {
    byte[] random = new byte[3];
    ThreadLocalRandom.current().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
