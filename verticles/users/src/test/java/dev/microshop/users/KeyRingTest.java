package dev.microshop.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signing key and its public key as stored on disk: they are one pair, whichever build wrote
 * the files.
 */
class KeyRingTest {
  @TempDir Path dataDir;

  @Test
  void aNewDevKeyIsStoredAsAPairWhosePublicKeyVerifiesWhatThePrivateKeySigns() throws Exception {
    KeyRing ring = KeyRing.load(dev());

    ECPrivateKey stored = EcKeys.privateKeyFromPem(Files.readString(keys("signing-key.pem")));
    ECPublicKey storedPublic =
        EcKeys.publicKeyFromPem(Files.readString(keys("signing-key.pub.pem")));
    byte[] message = "a token's signing input".getBytes(StandardCharsets.US_ASCII);
    Signature verifier = Signature.getInstance(EcKeys.JWS_SIGNATURE);
    verifier.initVerify(storedPublic);
    verifier.update(message);
    assertThat(verifier.verify(EcKeys.sign(stored, message))).isTrue();
    assertThat(ring.kid()).isEqualTo(EcKeys.thumbprint(storedPublic));
    assertThat(ring.verifying()).containsOnlyKeys(ring.kid());
    String token =
        new Tokens(ring, "microshop", "microshop-api", 900, Clock.systemUTC())
            .issue(UUID.randomUUID(), "a@example.com", List.of("customer"))
            .getString("accessToken");
    assertThat(Jwt.parse(token).verifiesWith(storedPublic)).isTrue();
    assertThat(KeyRing.load(dev()).kid()).as("after a restart").isEqualTo(ring.kid());
  }

  @Test
  void aDevDirectoryOfAnOlderBuildHoldingOnlyThePrivateKeyKeepsItsKeyAndGetsItsPublicKey()
      throws Exception {
    KeyPair pair = EcKeys.generate();
    Files.createDirectories(keys(""));
    Files.writeString(keys("signing-key.pem"), EcKeys.toPem((ECPrivateKey) pair.getPrivate()));

    KeyRing ring = KeyRing.load(dev());

    ECPublicKey expected = (ECPublicKey) pair.getPublic();
    assertThat(ring.kid()).isEqualTo(EcKeys.thumbprint(expected));
    assertThat(ring.signing().getS()).isEqualTo(((ECPrivateKey) pair.getPrivate()).getS());
    assertThat(EcKeys.publicKeyFromPem(Files.readString(keys("signing-key.pub.pem"))).getW())
        .isEqualTo(expected.getW());
  }

  @Test
  void aPublicKeyFileOfAnotherKeyIsReplacedByTheSigningKeysOwn() throws Exception {
    KeyPair pair = EcKeys.generate();
    Files.createDirectories(keys(""));
    Files.writeString(keys("signing-key.pem"), EcKeys.toPem((ECPrivateKey) pair.getPrivate()));
    Files.writeString(
        keys("signing-key.pub.pem"), EcKeys.toPem((ECPublicKey) EcKeys.generate().getPublic()));

    KeyRing ring = KeyRing.load(dev());

    assertThat(ring.kid()).isEqualTo(EcKeys.thumbprint((ECPublicKey) pair.getPublic()));
    assertThat(EcKeys.publicKeyFromPem(Files.readString(keys("signing-key.pub.pem"))).getW())
        .isEqualTo(((ECPublicKey) pair.getPublic()).getW());
  }

  @Test
  void aConfiguredPrivateKeyWithoutItsPublicKeyPublishesTheRightPublicKey() {
    KeyPair pair = EcKeys.generate();
    JsonObject config =
        new JsonObject()
            .put("dev", false)
            .put(
                "auth",
                new JsonObject().put("signingKey", EcKeys.toPem((ECPrivateKey) pair.getPrivate())));

    KeyRing ring = KeyRing.load(config);

    ECPublicKey expected = (ECPublicKey) pair.getPublic();
    assertThat(ring.kid()).isEqualTo(EcKeys.thumbprint(expected));
    assertThat(ring.verifying().get(ring.kid()).getW()).isEqualTo(expected.getW());
  }

  private JsonObject dev() {
    return new JsonObject()
        .put("dev", true)
        .put("dataDir", dataDir.toString())
        .put("auth", new JsonObject());
  }

  private Path keys(String name) {
    return dataDir.resolve("keys").resolve(name);
  }
}
