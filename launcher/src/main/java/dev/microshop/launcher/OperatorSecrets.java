package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.Secrets;
import dev.microshop.platform.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code secrets <dir>}: everything an installation outside dev mode is handed, made in one
 * directory an operator then loads into a secret store (Kubernetes Secrets, a vault): the cluster
 * CA and one certificate per service, the key that signs access tokens, the admin's password, a
 * password per service database and one for a PostgreSQL superuser. Nothing there is replaced: run
 * it again and only what is missing is made (a new service's certificate), so it is also how to
 * issue one more certificate of the same CA. {@code cluster-tls/ca-key.pem} signs certificates and
 * stays with the operator; no service needs it.
 */
public final class OperatorSecrets {
  static final String NAME = "secrets";
  static final String CLUSTER_TLS = "cluster-tls";
  static final String SIGNING_KEY = "signing-key.pem";
  static final String ADMIN_PASSWORD = "admin-password";
  static final String DB = "db";

  /** One file of the directory: where it is, whether this run made it, which setting reads it. */
  record Item(Path file, boolean made, String setting) {}

  private OperatorSecrets() {}

  static int run(Path dir) {
    List<Item> items = ensure(dir);
    System.out.println("microshop: secrets in " + dir.toAbsolutePath().normalize());
    for (Item item : items) {
      System.out.printf(
          "  %-5s %-40s %s%n",
          item.made() ? "made" : "kept", dir.relativize(item.file()), item.setting());
    }
    System.out.println(
        "Give each service only its own files; cluster-tls/ca-key.pem stays with you.");
    return 0;
  }

  /** Makes what is missing in {@code dir} and lists every file with the setting that reads it. */
  public static List<Item> ensure(Path dir) {
    try {
      Secrets.privateDirectory(dir);
      List<Item> items = new ArrayList<>();
      Path tls = dir.resolve(CLUSTER_TLS);
      boolean hadCa = Files.exists(tls.resolve("ca.pem"));
      List<String> missing =
          Services.ALL.stream().filter(s -> !Files.exists(tls.resolve(s + ".pem"))).toList();
      DevTls.ensureIn(tls, new LinkedHashSet<>(Services.ALL), "127.0.0.1");
      items.add(new Item(tls.resolve("ca.pem"), !hadCa, "MICROSHOP_CLUSTER_TLS_CA_FILE"));
      items.add(new Item(tls.resolve("ca-key.pem"), !hadCa, "(the operator's; no service)"));
      for (String service : Services.ALL) {
        boolean made = missing.contains(service);
        items.add(
            new Item(
                tls.resolve(service + ".pem"),
                made,
                Settings.envName(service, "cluster.tls.certFile")));
        items.add(
            new Item(
                tls.resolve(service + "-key.pem"),
                made,
                Settings.envName(service, "cluster.tls.keyFile")));
      }
      Path key = dir.resolve(SIGNING_KEY);
      items.add(
          new Item(
              key, DevTls.ensureKey(key), Settings.envName(Services.USERS, "auth.signingKeyFile")));
      items.add(
          password(dir, ADMIN_PASSWORD, Settings.envName(Services.USERS, "admin.passwordFile")));
      for (String service : Services.WITH_DATABASE) {
        items.add(password(dir, DB + "/" + service, Settings.envName(service, "db.passwordFile")));
      }
      items.add(password(dir, DB + "/postgres", "MICROSHOP_DB_INIT_ADMIN_PASSWORD_FILE"));
      return items;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write secrets in " + dir, e);
    }
  }

  private static Item password(Path dir, String name, String setting) {
    Path file = dir.resolve(name);
    boolean made = !Files.exists(file);
    Secrets.getOrCreateIn(file.getParent(), file.getFileName().toString());
    return new Item(file, made, setting);
  }
}
