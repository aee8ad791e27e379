package dev.microshop.launcher.load;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The arguments of {@code load}, checked: a bad one is a {@link BadArgument} naming it, which the
 * command turns into one line and exit code 2.
 */
record LoadOptions(
    Scenario scenario,
    URI gateway,
    double rate,
    int concurrency,
    Duration duration,
    Duration warmup,
    boolean json,
    int connections,
    String path,
    double orderShare,
    Path acknowledged,
    int customers,
    String customerPrefix,
    String customerPassword,
    Path adminPasswordFile,
    String adminEmail,
    int products,
    Follow follow,
    Duration pollInterval,
    Duration finalTimeout,
    Map<String, Long> pids,
    boolean honorRetryAfter) {

  /** What each operation does. */
  enum Scenario {
    BROWSE,
    ORDER,
    MIXED
  }

  /** How an order's final state is seen. */
  enum Follow {
    SSE,
    POLL
  }

  static final String USAGE =
      """
      Usage: java -jar launcher.jar load <browse|order|mixed> (--rate N | --concurrency N) [options]

      Drives a running microshop through its gateway and reports throughput and latency percentiles.
        browse    GET /v1/products (one in five) and GET /v1/products/{id} of the catalog
        order     POST /v1/orders as registered customers, each order followed to CONFIRMED or CANCELLED
        mixed     --order-share of the operations are orders, the rest browse

        --gateway URL          the gateway (default http://127.0.0.1:8080)
        --rate N               open loop: N operations per second, each timed from its intended send time,
                               so a stall shows as the latency it caused (no coordinated omission)
        --concurrency N        closed loop: N clients, each starts its next operation when one ends
        --duration D           measured window (default 30s; 500ms, 10s, 2m)
        --warmup D             driven but not measured, before the window (default 5s)
        --json                 the result as one line of JSON on stdout (progress goes to stderr)
        --connections N        HTTP connections to the gateway (default: the concurrency, or 64)
        --path P               browse reads only GET P (any server: a baseline for the catalog)
        --order-share F        mixed: the share of orders, 0 to 1 (default 0.2)
        --acknowledged FILE    order/mixed: the id of every order answered 202, one per line
        --customers N          customers the orders are spread over (default: the concurrency, or rate/4)
        --customer-prefix S    customers are S-<i>@example.com, registered or reused (default load)
        --customer-password P  their password (default microshop-load-password)
        --data-dir D           dev: log in as admin with D/secrets/admin-password
        --admin-password-file F, --admin-email E (default admin@microshop.local)
                               as admin: create --products, and sample the outbox lag each second
        --products N           create N products (price 1, stock 1000000) instead of using the catalog's
        --follow sse|poll      see the final state on the customer's notification stream (default), or
                               by polling GET /v1/orders/{id} every --poll-ms (default 5)
        --final-timeout D      an order not final this long after its POST is an error (default 30s)
        --pids name=pid,...    report the cores these processes (with their descendants), this command,
                               the rest of the host used during the window (Linux)
        --retry-after honor|ignore
                               closed loop: a client answered 429 or 503 with Retry-After waits
                               that long (at most 5 s) before its next operation, as a polite
                               client does (default honor); ignore retries at once. An open loop
                               keeps its schedule.

      Exit code 0 when every request succeeded (429s are reported apart) and every acknowledged order
      became final; 1 otherwise or when the gateway cannot be reached; 2 on bad arguments.
      """;

  /** An argument that cannot be used, with the message naming it. */
  static final class BadArgument extends Exception {
    private static final long serialVersionUID = 1L;

    BadArgument(String message) {
      super(message);
    }
  }

  /** The options {@code args} give, or {@code null} when help was asked. */
  static LoadOptions parse(String[] args) throws BadArgument {
    List<String> positional = new ArrayList<>();
    java.util.LinkedHashMap<String, String> o = new java.util.LinkedHashMap<>();
    boolean json = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return null;
      } else if (a.equals("--json")) {
        json = true;
      } else if (a.startsWith("--")) {
        String name = a.substring(2);
        String value;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new BadArgument("--" + name + " needs a value");
        }
        if (!KNOWN.contains(name)) {
          throw new BadArgument("unknown option --" + name + " (load --help lists them)");
        }
        if (o.put(name, value) != null) {
          throw new BadArgument("--" + name + " is given twice");
        }
      } else {
        positional.add(a);
      }
    }
    if (positional.isEmpty()) {
      throw new BadArgument("no scenario: browse, order or mixed (load --help)");
    }
    if (positional.size() > 1) {
      throw new BadArgument("one scenario only, got " + String.join(" ", positional));
    }
    Scenario scenario =
        switch (positional.get(0)) {
          case "browse" -> Scenario.BROWSE;
          case "order" -> Scenario.ORDER;
          case "mixed" -> Scenario.MIXED;
          default ->
              throw new BadArgument(
                  "unknown scenario '" + positional.get(0) + "': browse, order or mixed");
        };
    boolean hasRate = o.containsKey("rate");
    boolean hasConcurrency = o.containsKey("concurrency");
    if (hasRate == hasConcurrency) {
      throw new BadArgument(
          "give exactly one of --rate (open loop) and --concurrency (closed loop)");
    }
    double rate = hasRate ? positive(o, "rate") : 0;
    int concurrency = hasConcurrency ? positiveInt(o, "concurrency") : 0;
    URI gateway = gateway(o.getOrDefault("gateway", "http://127.0.0.1:8080"));
    Duration duration = duration(o, "duration", "30s", false);
    Duration warmup = duration(o, "warmup", "5s", true);
    int connections =
        o.containsKey("connections")
            ? positiveInt(o, "connections")
            : hasConcurrency ? concurrency : 64;
    String path = o.get("path");
    if (path != null && !path.startsWith("/")) {
      throw new BadArgument("--path must start with /, got '" + path + "'");
    }
    if (path != null && scenario != Scenario.BROWSE) {
      throw new BadArgument("--path is for browse only");
    }
    double share = 0.2;
    if (o.containsKey("order-share")) {
      share = number(o, "order-share");
      if (share < 0 || share > 1 || scenario != Scenario.MIXED) {
        throw new BadArgument("--order-share is a number from 0 to 1, for mixed only");
      }
    }
    boolean orders = scenario != Scenario.BROWSE;
    for (String name :
        List.of(
            "acknowledged",
            "customers",
            "customer-prefix",
            "customer-password",
            "products",
            "follow",
            "poll-ms",
            "final-timeout")) {
      if (!orders && o.containsKey(name)) {
        throw new BadArgument("--" + name + " is for the order and mixed scenarios");
      }
    }
    int customers =
        o.containsKey("customers")
            ? positiveInt(o, "customers")
            : hasConcurrency ? concurrency : (int) Math.min(128, Math.max(2, Math.ceil(rate / 4)));
    Path adminFile = null;
    if (o.containsKey("admin-password-file") && o.containsKey("data-dir")) {
      throw new BadArgument("give --data-dir or --admin-password-file, not both");
    }
    if (o.containsKey("admin-password-file")) {
      adminFile = Path.of(o.get("admin-password-file"));
    } else if (o.containsKey("data-dir")) {
      adminFile = Path.of(o.get("data-dir"), "secrets", "admin-password");
    }
    int products = o.containsKey("products") ? nonNegativeInt(o, "products") : 0;
    if (products > 0 && adminFile == null) {
      throw new BadArgument("--products needs an admin login: --data-dir or --admin-password-file");
    }
    Follow follow =
        switch (o.getOrDefault("follow", "sse")) {
          case "sse" -> Follow.SSE;
          case "poll" -> Follow.POLL;
          default ->
              throw new BadArgument("--follow is sse or poll, got '" + o.get("follow") + "'");
        };
    Duration poll = Duration.ofMillis(o.containsKey("poll-ms") ? positiveInt(o, "poll-ms") : 5);
    Duration finalTimeout = duration(o, "final-timeout", "30s", false);
    return new LoadOptions(
        scenario,
        gateway,
        rate,
        concurrency,
        duration,
        warmup,
        json,
        connections,
        path,
        share,
        o.containsKey("acknowledged") ? Path.of(o.get("acknowledged")) : null,
        customers,
        o.getOrDefault("customer-prefix", "load"),
        o.getOrDefault("customer-password", "microshop-load-password"),
        adminFile,
        o.getOrDefault("admin-email", "admin@microshop.local"),
        products,
        follow,
        poll,
        finalTimeout,
        pids(o.getOrDefault("pids", "")),
        honorRetryAfter(o));
  }

  private static boolean honorRetryAfter(Map<String, String> o) throws BadArgument {
    return switch (o.getOrDefault("retry-after", "honor")) {
      case "honor" -> true;
      case "ignore" -> false;
      default ->
          throw new BadArgument(
              "--retry-after is honor or ignore, got '" + o.get("retry-after") + "'");
    };
  }

  private static Map<String, Long> pids(String text) throws BadArgument {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    for (String item : text.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.indexOf('=');
      try {
        if (eq <= 0) {
          throw new NumberFormatException();
        }
        out.put(item.substring(0, eq).trim(), Long.parseLong(item.substring(eq + 1).trim()));
      } catch (NumberFormatException e) {
        throw new BadArgument("--pids is name=pid,name=pid..., got '" + item + "'");
      }
    }
    return out;
  }

  boolean openLoop() {
    return rate > 0;
  }

  /** One line saying how the load is applied, for the progress header and the table. */
  String describe() {
    String how =
        openLoop()
            ? String.format(Locale.ROOT, "open loop at %s/s", trim(rate))
            : "closed loop at concurrency " + concurrency;
    return String.format(
        Locale.ROOT,
        "load %s: %s for %s (warm-up %s) against %s",
        scenario.name().toLowerCase(Locale.ROOT),
        how,
        human(duration),
        human(warmup),
        gateway);
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static final List<String> KNOWN =
      List.of(
          "gateway",
          "rate",
          "concurrency",
          "duration",
          "warmup",
          "connections",
          "path",
          "order-share",
          "acknowledged",
          "customers",
          "customer-prefix",
          "customer-password",
          "data-dir",
          "admin-password-file",
          "admin-email",
          "products",
          "follow",
          "poll-ms",
          "final-timeout",
          "pids",
          "retry-after");

  private static final Pattern DURATION = Pattern.compile("(-?[0-9]+(?:\\.[0-9]+)?)(ms|s|m)?");

  private static Duration duration(
      Map<String, String> o, String name, String fallback, boolean zeroOk) throws BadArgument {
    String text = o.getOrDefault(name, fallback);
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new BadArgument(
          "--" + name + " is a duration such as 500ms, 10s or 2m, got '" + text + "'");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    long ms = Math.round(v * (unit.equals("ms") ? 1 : unit.equals("s") ? 1000 : 60_000));
    if (ms < 0 || (ms == 0 && !zeroOk)) {
      throw new BadArgument(
          "--"
              + name
              + " must be "
              + (zeroOk ? "zero or more" : "more than zero")
              + ", got '"
              + text
              + "'");
    }
    return Duration.ofMillis(ms);
  }

  private static URI gateway(String text) throws BadArgument {
    try {
      URI uri = new URI(text);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new BadArgument(
            "--gateway is an http(s) URL such as http://127.0.0.1:8080, got '" + text + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new BadArgument(
          "--gateway is an http(s) URL such as http://127.0.0.1:8080, got '" + text + "'");
    }
  }

  private static double number(Map<String, String> o, String name) throws BadArgument {
    try {
      double v = Double.parseDouble(o.get(name));
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new BadArgument("--" + name + " is a number, got '" + o.get(name) + "'");
    }
  }

  private static double positive(Map<String, String> o, String name) throws BadArgument {
    double v = number(o, name);
    if (v <= 0) {
      throw new BadArgument("--" + name + " must be more than zero, got '" + o.get(name) + "'");
    }
    return v;
  }

  private static int positiveInt(Map<String, String> o, String name) throws BadArgument {
    int v = nonNegativeInt(o, name);
    if (v == 0) {
      throw new BadArgument("--" + name + " must be more than zero, got '" + o.get(name) + "'");
    }
    return v;
  }

  private static int nonNegativeInt(Map<String, String> o, String name) throws BadArgument {
    try {
      int v = Integer.parseInt(o.get(name));
      if (v < 0) {
        throw new BadArgument("--" + name + " must not be negative, got '" + o.get(name) + "'");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new BadArgument("--" + name + " is a whole number, got '" + o.get(name) + "'");
    }
  }
}
