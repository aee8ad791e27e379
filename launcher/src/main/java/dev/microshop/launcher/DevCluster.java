package dev.microshop.launcher;

import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Secrets;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * In dev a cluster is one installation: the JVMs that share a data directory, and so one embedded
 * database.
 *
 * <p>Two guards keep a JVM started from another directory from splitting the data (the same
 * customer's orders answering 8, 0, 8, 0 as requests alternate between two databases):
 *
 * <ul>
 *   <li>the Hazelcast cluster name carries a secret generated into the data directory, so a JVM of
 *       another data directory cannot join, whatever else it shares (ports, config);
 *   <li>a note per cluster address on this machine (in the temp directory) says which data
 *       directory runs there, so such a JVM is refused with one line naming both, instead of
 *       running alone on an empty database.
 * </ul>
 */
public final class DevCluster {
  private static final String SECRET = "cluster-id";

  private final Path note;
  private final long owner;

  private DevCluster(Path note, long owner) {
    this.note = note;
    this.owner = owner;
  }

  /**
   * True when this config asks for dev mode: {@code up} and {@code all} set {@code dev}, any other
   * start only with {@code dev=true} (a missing database host never implies it).
   */
  public static boolean isDev(JsonObject config) {
    return config.getBoolean("dev", false);
  }

  /** The node config with the cluster name bound to its data directory's secret. */
  public static JsonObject bind(JsonObject nodeConfig) {
    JsonObject bound = nodeConfig.copy();
    JsonObject cluster = bound.getJsonObject("cluster");
    String id = Secrets.getOrCreate(dataDir(nodeConfig), SECRET);
    cluster.put(
        "name", cluster.getString("name") + "-" + id.substring(0, Math.min(16, id.length())));
    return bound;
  }

  /**
   * Refuses a JVM whose cluster address belongs to a running installation of another data
   * directory; a dev JVM that finds no live note leaves one, owned by {@code owner} (up, or the JVM
   * itself).
   *
   * @throws ConfigException naming the other data directory and the settings that would fix it
   */
  public static DevCluster claim(JsonObject nodeConfig, boolean dev, long owner) {
    JsonObject cluster = nodeConfig.getJsonObject("cluster");
    Path dir =
        Path.of(
            System.getProperty("java.io.tmpdir"), "microshop-" + System.getProperty("user.name"));
    Path note =
        dir.resolve(
            "cluster-" + cluster.getString("host") + "-" + cluster.getInteger("port") + ".json");
    Path ours = dataDir(nodeConfig);
    try {
      Files.createDirectories(dir);
      try (FileChannel channel =
          FileChannel.open(
              dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        channel.lock(); // held until the channel closes: one claim at a time on this machine
        JsonObject existing = Files.exists(note) ? read(note) : new JsonObject();
        long pid = existing.getLong("pid", -1L);
        Path theirs = Path.of(existing.getString("dataDir", ours.toString()));
        boolean live = EmbeddedDatabase.isLiveJvm(pid);
        if (live && !theirs.equals(ours)) {
          throw ConfigException.refusal(
              "dataDir",
              String.format(
                  "the cluster on %s:%d belongs to the installation in"
                      + " %s (pid %d); this JVM's data directory %s would be another database. Start it with"
                      + " MICROSHOP_DATA_DIR=%s (or from the directory that holds it), or give a second installation its"
                      + " own MICROSHOP_CLUSTER_PORT and MICROSHOP_CLUSTER_MEMBERS",
                  cluster.getString("host"),
                  cluster.getInteger("port"),
                  theirs,
                  pid,
                  ours,
                  theirs));
        }
        if (!dev || live) {
          return new DevCluster(null, owner);
        }
        Path tmp = Files.createTempFile(dir, "cluster", ".tmp");
        Files.writeString(
            tmp, new JsonObject().put("dataDir", ours.toString()).put("pid", owner).encode());
        Files.move(tmp, note, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new DevCluster(note, owner);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the dev cluster in " + dir, e);
    }
  }

  /** Removes the note this JVM left, if it is still this JVM's. */
  public void release() {
    if (note == null) {
      return;
    }
    try {
      if (Files.exists(note) && read(note).getLong("pid", -1L) == owner) {
        Files.deleteIfExists(note);
      }
    } catch (IOException | RuntimeException e) {
      // A note left behind names a dead pid, which the next claim ignores.
    }
  }

  private static Path dataDir(JsonObject nodeConfig) {
    return Path.of(nodeConfig.getString("dataDir")).toAbsolutePath().normalize();
  }

  private static JsonObject read(Path note) throws IOException {
    try {
      return new JsonObject(Files.readString(note));
    } catch (RuntimeException corrupt) {
      return new JsonObject();
    }
  }
}
