package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The one spelling of an ES256 signature the gateway accepts. */
class TokenVerifierTest {
  @Test
  void onlySixtyFourBytesCanonicallyEncodedAreAnEs256Signature() {
    byte[] bytes = new byte[64];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 7 + 3);
    }
    String canonical = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

    assertThat(TokenVerifier.isEs256Signature(canonical)).isTrue();
    assertThat(TokenVerifier.isEs256Signature(canonical + "x")).as("appended").isFalse();
    assertThat(TokenVerifier.isEs256Signature(canonical + "==")).as("padded").isFalse();
    assertThat(TokenVerifier.isEs256Signature(canonical.substring(0, 85) + "B"))
        .as("spare bits set")
        .isFalse();
    assertThat(TokenVerifier.isEs256Signature(canonical.substring(0, 80))).as("short").isFalse();
    assertThat(TokenVerifier.isEs256Signature(canonical.replace(canonical.charAt(5), '+')))
        .as("not url-safe")
        .isFalse();
  }

  @Test
  void onlyAnSOfAtMostHalfTheCurveOrderIsCanonical() {
    BigInteger n = new TestTokens().order();
    BigInteger half = n.shiftRight(1);

    assertThat(TokenVerifier.hasLowS(signatureWithS(BigInteger.ONE))).isTrue();
    assertThat(TokenVerifier.hasLowS(signatureWithS(half))).isTrue();
    assertThat(TokenVerifier.hasLowS(signatureWithS(half.add(BigInteger.ONE)))).isFalse();
    assertThat(TokenVerifier.hasLowS(signatureWithS(n.subtract(BigInteger.ONE)))).isFalse();
    assertThat(TokenVerifier.hasLowS(signatureWithS(BigInteger.ZERO))).isFalse();
  }

  /** A 64-byte r||s with r = 1 and the given s, base64url. */
  private static String signatureWithS(BigInteger s) {
    byte[] bytes = new byte[64];
    bytes[31] = 1;
    byte[] raw = s.toByteArray();
    int length = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - length, bytes, 64 - length, length);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
