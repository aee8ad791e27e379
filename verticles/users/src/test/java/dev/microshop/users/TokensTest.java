package dev.microshop.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TokensTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private final KeyPair pair = EcKeys.generate();
  private final ECPublicKey publicKey = (ECPublicKey) pair.getPublic();
  private final KeyRing keys =
      new KeyRing(
          (ECPrivateKey) pair.getPrivate(),
          EcKeys.thumbprint(publicKey),
          Map.of(EcKeys.thumbprint(publicKey), publicKey));
  private final Tokens tokens =
      new Tokens(keys, "microshop", "microshop-api", 900, Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void anIssuedTokenCarriesTheIdentityAndExpiresAfterTheTtl() throws Exception {
    UUID user = UUID.randomUUID();

    JsonObject reply = tokens.issue(user, "Ann@Example.com", List.of("customer"));

    assertThat(reply.getString("tokenType")).isEqualTo("Bearer");
    assertThat(reply.getLong("expiresIn")).isEqualTo(900);
    Jwt jwt = Jwt.parse(reply.getString("accessToken"));
    assertThat(jwt.header())
        .isEqualTo(new JsonObject().put("alg", "ES256").put("typ", "JWT").put("kid", keys.kid()));
    JsonObject claims = jwt.claims();
    assertThat(claims.getString("iss")).isEqualTo("microshop");
    assertThat(claims.getString("aud")).isEqualTo("microshop-api");
    assertThat(claims.getString("sub")).isEqualTo(user.toString());
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + 900);
    assertThat(claims.getString("email")).isEqualTo("Ann@Example.com");
    assertThat(claims.getJsonArray("roles")).isEqualTo(new JsonArray().add("customer"));
    assertThat(UUID.fromString(claims.getString("jti"))).isNotNull();
    assertThat(jwt.verifiesWith(publicKey)).isTrue();
  }

  @Test
  void aTokenDoesNotVerifyWithAnotherKeyNorAfterItsClaimsAreEdited() throws Exception {
    String token =
        tokens
            .issue(UUID.randomUUID(), "a@example.com", List.of("customer"))
            .getString("accessToken");
    Jwt jwt = Jwt.parse(token);

    assertThat(jwt.verifiesWith((ECPublicKey) EcKeys.generate().getPublic())).isFalse();
    String[] parts = token.split("\\.");
    String forgedClaims =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                jwt.claims().copy().put("roles", new JsonArray().add("admin")).encode().getBytes());
    assertThat(Jwt.parse(parts[0] + "." + forgedClaims + "." + parts[2]).verifiesWith(publicKey))
        .isFalse();
  }

  @Test
  void twoTokensForTheSameUserDifferInTheirId() {
    UUID user = UUID.randomUUID();
    String first = tokens.issue(user, "a@example.com", List.of("admin")).getString("accessToken");
    String second = tokens.issue(user, "a@example.com", List.of("admin")).getString("accessToken");

    assertThat(Jwt.parse(first).claims().getString("jti"))
        .isNotEqualTo(Jwt.parse(second).claims().getString("jti"));
  }

  @Test
  void everySignatureIsLowSSoATokenHasOneSpellingAndVerifiesWithThePublicKey() throws Exception {
    BigInteger half = publicKey.getParams().getOrder().shiftRight(1);

    for (int i = 0; i < 64; i++) {
      Jwt jwt =
          Jwt.parse(
              tokens
                  .issue(UUID.randomUUID(), "a@example.com", List.of("customer"))
                  .getString("accessToken"));

      BigInteger s = new BigInteger(1, Arrays.copyOfRange(jwt.signature(), 32, 64));
      assertThat(s).as("s of token %d", i).isLessThanOrEqualTo(half).isPositive();
      assertThat(jwt.verifiesWith(publicKey)).isTrue();
    }
  }
}
