package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

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
}
