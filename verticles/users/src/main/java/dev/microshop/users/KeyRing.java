package dev.microshop.users;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key that signs access tokens and the public keys that verify them. The signing key comes from
 * {@code auth.signingKeyFile} (or the PEM itself in {@code auth.signingKey}); in dev mode without
 * either it is generated once into {@code <dataDir>/keys/}. {@code auth.previousPublicKeyFiles}
 * keep tokens of a rotated-out key verifying until they expire.
 *
 * @param signing the current key
 * @param kid the current key's id: its RFC 7638 thumbprint, so it changes exactly when the key does
 * @param verifying every public key to publish, current first, by kid
 */
record KeyRing(ECPrivateKey signing, String kid, Map<String, ECPublicKey> verifying) {
  static final String SIGNING_KEY_FILE = "auth.signingKeyFile";
  static final String SIGNING_KEY = "auth.signingKey";
  static final String PREVIOUS_KEYS = "auth.previousPublicKeyFiles";
  static final String DEV_KEY_FILE = "signing-key.pem";
  static final String DEV_PUBLIC_KEY_FILE = "signing-key.pub.pem";
  private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);

  /**
   * Loads the keys named by {@code config}; blocking file I/O. Fails with a ConfigException naming
   * the key.
   */
  static KeyRing load(JsonObject config) {
    JsonObject auth = config.getJsonObject("auth", new JsonObject());
    String file = auth.getString("signingKeyFile", "").trim();
    String inline = auth.getString("signingKey", "").trim();
    ECPrivateKey signing;
    ECPublicKey current = null;
    if (!file.isEmpty() && !inline.isEmpty()) {
      throw new ConfigException(
          SIGNING_KEY, "set either " + SIGNING_KEY + " or " + SIGNING_KEY_FILE + ", not both");
    } else if (!file.isEmpty()) {
      signing = privateKey(SIGNING_KEY_FILE, "file " + file, read(SIGNING_KEY_FILE, Path.of(file)));
      warnIfReadableByOthers(Path.of(file));
    } else if (!inline.isEmpty()) {
      signing = privateKey(SIGNING_KEY, "the value", inline);
    } else if (config.getBoolean("dev", false)) {
      KeyPair pair = devKey(Path.of(config.getString("dataDir")).resolve("keys"));
      signing = (ECPrivateKey) pair.getPrivate();
      current = (ECPublicKey) pair.getPublic();
    } else {
      throw new ConfigException(
          SIGNING_KEY_FILE,
          "not set. Outside dev mode the users service needs the key that "
              + "signs access tokens: a PKCS#8 PEM file of an EC P-256 private key, e.g. from `openssl genpkey "
              + "-algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out signing-key.pem` (mode 600), named by "
              + "MICROSHOP_USERS_AUTH_SIGNING_KEY_FILE, or the PEM itself in MICROSHOP_USERS_AUTH_SIGNING_KEY");
    }
    if (current == null) {
      current = publicKeyOf(signing);
    }
    String kid = EcKeys.thumbprint(current);
    Map<String, ECPublicKey> verifying = new LinkedHashMap<>();
    verifying.put(kid, current);
    for (Object previous : auth.getJsonArray("previousPublicKeyFiles", new JsonArray())) {
      Path path = Path.of(String.valueOf(previous).trim());
      ECPublicKey key;
      try {
        key = EcKeys.publicKeyFromPem(read(PREVIOUS_KEYS, path));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(PREVIOUS_KEYS, "file " + path + " " + e.getMessage());
      }
      verifying.putIfAbsent(EcKeys.thumbprint(key), key);
    }
    LOG.info("signing access tokens with key {}; {} key(s) published", kid, verifying.size());
    return new KeyRing(signing, kid, verifying);
  }

  /** The JWKS of every verifying key: {@code {keys: [{kty, crv, x, y, kid, alg, use}]}}. */
  JsonObject jwks() {
    JsonArray keys = new JsonArray();
    verifying.forEach((id, key) -> keys.add(EcKeys.jwk(key, id)));
    return new JsonObject().put("keys", keys);
  }

  /**
   * The dev key pair in {@code dir}, generated on first use and stored as a pair: the private key
   * (mode 600) and, for rotation, its public key (what {@code auth.previousPublicKeyFiles} lists).
   * The private key is written to a private temporary file then moved into place without replacing,
   * so two instances starting at once end up with the same key. A directory of an older build may
   * hold only the private key: its public key is then derived once and stored beside it.
   */
  static KeyPair devKey(Path dir) {
    Path file = dir.resolve(DEV_KEY_FILE);
    Path pub = dir.resolve(DEV_PUBLIC_KEY_FILE);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        KeyPair pair = EcKeys.generate();
        if (write(dir, file, EcKeys.toPem((ECPrivateKey) pair.getPrivate()), false)) {
          write(dir, pub, EcKeys.toPem((ECPublicKey) pair.getPublic()), true);
          LOG.info("generated a dev signing key pair in {}", dir);
        }
      }
      ECPrivateKey key = privateKey(SIGNING_KEY_FILE, "dev key " + file, Files.readString(file));
      ECPublicKey stored = Files.exists(pub) ? storedPublicKey(pub) : null;
      if (stored != null && EcKeys.matches(key, stored)) {
        return new KeyPair(stored, key);
      }
      // Older build, or the instance that generated the key has not written its public key yet.
      ECPublicKey derived = EcKeys.publicKeyOf(key);
      write(dir, pub, EcKeys.toPem(derived), true);
      return new KeyPair(derived, key);
    } catch (IOException e) {
      throw new ConfigException(
          SIGNING_KEY_FILE, "cannot create the dev signing key in " + dir + ": " + e);
    }
  }

  private static ECPublicKey storedPublicKey(Path pub) throws IOException {
    try {
      return EcKeys.publicKeyFromPem(Files.readString(pub));
    } catch (IllegalArgumentException e) {
      LOG.warn("dev public key {} {}; writing it again", pub, e.getMessage());
      return null;
    }
  }

  /**
   * Moves {@code text}, written to a private temporary file, to {@code file}: replacing what is
   * there, or else only if nothing is (false when something was).
   */
  private static boolean write(Path dir, Path file, String text, boolean replace)
      throws IOException {
    Path tmp =
        Files.createTempFile(
            dir,
            file.getFileName().toString(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, text);
    try {
      if (replace) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.move(tmp, file);
      }
      return true;
    } catch (FileAlreadyExistsException raced) {
      Files.delete(tmp);
      return false;
    }
  }

  private static ECPublicKey publicKeyOf(ECPrivateKey signing) {
    try {
      return EcKeys.publicKeyOf(signing);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(SIGNING_KEY_FILE, "the signing key " + e.getMessage());
    }
  }

  private static ECPrivateKey privateKey(String setting, String what, String pem) {
    try {
      return EcKeys.privateKeyFromPem(pem);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(setting, what + " " + e.getMessage());
    }
  }

  private static String read(String setting, Path path) {
    try {
      return Files.readString(path, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException(setting, "cannot read " + path + ": " + e);
    }
  }

  /**
   * Others may never read the key. Its group may when this JVM's user does not own the file: then
   * the group is how the key was given to it, as Kubernetes mounts a Secret (owner root, mode 0440,
   * the pod's fsGroup).
   */
  private static void warnIfReadableByOthers(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      boolean ours = Files.getOwner(file).getName().equals(System.getProperty("user.name"));
      if (permissions.contains(PosixFilePermission.OTHERS_READ)
          || (ours && permissions.contains(PosixFilePermission.GROUP_READ))) {
        LOG.warn(
            "signing key {} is readable by group or others ({}); chmod 600 it",
            file,
            PosixFilePermissions.toString(permissions));
      }
    } catch (IOException | UnsupportedOperationException e) {
      // Not a POSIX file system: nothing to check.
    }
  }
}
