package dev.microshop.users;

import com.password4j.AlgorithmFinder;
import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Argon2id hashing with the parameters of {@code psw4j.properties}, on a small dedicated worker
 * pool: each hash holds about 19 MiB for ~100 ms, so the pool size bounds both CPU and heap, and a
 * bounded queue turns a flood of logins into fast 503s instead of an out-of-memory exit.
 */
final class Passwords {
  static final int MIN_MEMORY_KIB = 19_456;
  static final int MIN_ITERATIONS = 2;
  private static final Logger LOG = LoggerFactory.getLogger(Passwords.class);
  private static final int SALT_BYTES = 16;

  private final Argon2Function argon2 = configuredArgon2();
  private final WorkerExecutor executor;
  private final int queueSize;
  private final AtomicInteger pending = new AtomicInteger();
  private volatile String dummyHash;

  Passwords(Vertx vertx, int poolSize, int queueSize) {
    this.executor = vertx.createSharedWorkerExecutor("users-password-hashing", poolSize);
    this.queueSize = queueSize;
  }

  /**
   * The Argon2 function password4j loaded from {@code psw4j.properties}. Fails if the file went
   * missing from the classpath (password4j would then silently fall back to 15 MiB) or was weakened
   * below OWASP's minimum.
   */
  static Argon2Function configuredArgon2() {
    Argon2Function argon2 = AlgorithmFinder.getArgon2Instance();
    if (argon2.getVariant() != Argon2.ID
        || argon2.getMemory() < MIN_MEMORY_KIB
        || argon2.getIterations() < MIN_ITERATIONS
        || argon2.getParallelism() < 1) {
      throw new IllegalStateException(
          "password hashing is configured below argon2id m="
              + MIN_MEMORY_KIB
              + " t="
              + MIN_ITERATIONS
              + " p=1 ("
              + argon2
              + "): is psw4j.properties on the classpath?");
    }
    return argon2;
  }

  /**
   * Computes the hash that unknown emails are checked against, so they cost the same time as a
   * wrong password.
   */
  Future<Void> start() {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    return hash(Base64.getEncoder().encodeToString(random))
        .onSuccess(hash -> dummyHash = hash)
        .mapEmpty();
  }

  Future<String> hash(String password) {
    return submit(() -> Password.hash(password).addRandomSalt(SALT_BYTES).with(argon2).getResult());
  }

  /**
   * True if {@code password} matches {@code storedHash}. A null {@code storedHash} (no such
   * account) is checked against a dummy hash with the same parameters and is always false. The
   * parameters are read from the stored hash ({@code withArgon2()} would use the configured ones
   * and so reject every hash made before a change).
   */
  Future<Boolean> verify(String password, String storedHash) {
    boolean known = storedHash != null;
    String hash = known ? storedHash : dummyHash;
    return submit(
        () -> {
          try {
            return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash))
                && known;
          } catch (RuntimeException e) {
            LOG.error("a stored password hash is not a valid argon2 hash: {}", e.getMessage());
            return false;
          }
        });
  }

  /**
   * True if {@code storedHash} was made with other parameters than the configured ones: rehash on
   * login.
   */
  boolean outdated(String storedHash) {
    try {
      return !Argon2Function.getInstanceFromHash(storedHash).equals(argon2);
    } catch (RuntimeException e) {
      return true;
    }
  }

  Future<Void> close() {
    return executor.close();
  }

  /**
   * Runs {@code work} on the hashing pool, or fails 503 at once when {@code queueSize} are running
   * or waiting.
   */
  <T> Future<T> submit(Callable<T> work) {
    if (pending.incrementAndGet() > queueSize) {
      pending.decrementAndGet();
      return Future.failedFuture(
          ServiceFailure.unavailable("too many password checks in progress; retry shortly"));
    }
    return executor.executeBlocking(work, false).onComplete(done -> pending.decrementAndGet());
  }
}
