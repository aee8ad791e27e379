package dev.microshop.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EcKeysTest {
  // A fixed test scalar (signs nothing real) and its public point and RFC 7638 thumbprint, computed
  // independently with Python's `cryptography` (ec.derive_private_key) and hashlib.
  private static final String FIXED_D = "jpsQnnGQmL-YBIffH1136cLSG_7pkdmtgSxGm1ts0fQ";
  private static final String FIXED_X = "LKDMzzsnvGvprYSEziKy_SocLuXjcgJ7HyslBup7fok";
  private static final String FIXED_Y = "-2v0boqv7SUl4f1G9yKOtDSR17avTnpi2v23uqJ_hQk";
  private static final String FIXED_THUMBPRINT = "UHpKecf0hzukVLWL4RxuVz5CAcjD9TPbJ1IxPKxQYQ4";

  @Test
  void thePublicKeyDerivedFromAFixedScalarMatchesAnIndependentImplementation() throws Exception {
    ECPrivateKey fixedKey = fixedPrivateKey();

    ECPublicKey derived = EcKeys.publicKeyOf(fixedKey);

    JsonObject jwk = EcKeys.jwk(derived, "k1");
    assertThat(jwk.getString("x")).isEqualTo(FIXED_X);
    assertThat(jwk.getString("y")).isEqualTo(FIXED_Y);
    assertThat(jwk.fieldNames())
        .containsExactlyInAnyOrder("kty", "crv", "x", "y", "kid", "alg", "use");
    assertThat(jwk.getString("kty")).isEqualTo("EC");
    assertThat(jwk.getString("crv")).isEqualTo("P-256");
    assertThat(jwk.getString("alg")).isEqualTo("ES256");
    assertThat(jwk.getString("use")).isEqualTo("sig");
    assertThat(EcKeys.thumbprint(derived)).isEqualTo(FIXED_THUMBPRINT);
  }

  @Test
  void derivingThePublicKeyOfGeneratedKeysGivesTheGeneratedPublicKey() {
    for (int i = 0; i < 5; i++) {
      KeyPair pair = EcKeys.generate();
      assertThat(EcKeys.publicKeyOf((ECPrivateKey) pair.getPrivate()).getW())
          .isEqualTo(((ECPublicKey) pair.getPublic()).getW());
    }
  }

  @Test
  void keysSurviveAPemRoundTrip() {
    KeyPair pair = EcKeys.generate();
    String privatePem = EcKeys.toPem((ECPrivateKey) pair.getPrivate());
    String publicPem = EcKeys.toPem((ECPublicKey) pair.getPublic());

    assertThat(privatePem)
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    assertThat(EcKeys.privateKeyFromPem(privatePem).getS())
        .isEqualTo(((ECPrivateKey) pair.getPrivate()).getS());
    assertThat(EcKeys.publicKeyFromPem(publicPem).getW())
        .isEqualTo(((ECPublicKey) pair.getPublic()).getW());
  }

  @Test
  void coordinatesAreAlways32BytesEvenWithLeadingZeros() {
    assertThat(Base64.getUrlDecoder().decode(EcKeys.coordinate(BigInteger.ONE))).hasSize(32);
    BigInteger highBit =
        BigInteger.ONE.shiftLeft(255); // toByteArray gives 33 bytes with a sign byte
    byte[] decoded = Base64.getUrlDecoder().decode(EcKeys.coordinate(highBit));
    assertThat(decoded).hasSize(32);
    assertThat(new BigInteger(1, decoded)).isEqualTo(highBit);
  }

  @Test
  void aKeyOnAnotherCurveIsRefusedNamingP256() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = generator.generateKeyPair();

    assertThatThrownBy(
            () -> EcKeys.privateKeyFromPem(EcKeys.toPem((ECPrivateKey) p384.getPrivate())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("P-256");
    assertThatThrownBy(() -> EcKeys.publicKeyFromPem(EcKeys.toPem((ECPublicKey) p384.getPublic())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("P-256");
  }

  @Test
  void sec1AndEncryptedAndNonPemKeysAreRefusedWithAHint() {
    assertThatThrownBy(
            () ->
                EcKeys.privateKeyFromPem(
                    "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----"))
        .hasMessageContaining("openssl pkcs8 -topk8");
    assertThatThrownBy(
            () ->
                EcKeys.privateKeyFromPem(
                    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----"))
        .hasMessageContaining("encrypted");
    assertThatThrownBy(() -> EcKeys.privateKeyFromPem("hello"))
        .hasMessageContaining("BEGIN PRIVATE KEY");
    assertThatThrownBy(
            () ->
                EcKeys.privateKeyFromPem(
                    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
        .hasMessageContaining("not a PKCS#8 EC private key");
  }

  private static ECPrivateKey fixedPrivateKey() throws Exception {
    ECPrivateKey any = (ECPrivateKey) EcKeys.generate().getPrivate();
    BigInteger d = new BigInteger(1, Base64.getUrlDecoder().decode(FIXED_D));
    return (ECPrivateKey)
        KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(d, any.getParams()));
  }
}
