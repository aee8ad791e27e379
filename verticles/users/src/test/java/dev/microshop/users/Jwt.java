package dev.microshop.users;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;

/** A compact JWS taken apart by the test, independently of the code that made it. */
record Jwt(JsonObject header, JsonObject claims, String signingInput, byte[] signature) {

  static Jwt parse(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new AssertionError("not a compact JWS: " + token);
    }
    Base64.Decoder decoder = Base64.getUrlDecoder();
    return new Jwt(
        new JsonObject(new String(decoder.decode(parts[0]), StandardCharsets.UTF_8)),
        new JsonObject(new String(decoder.decode(parts[1]), StandardCharsets.UTF_8)),
        parts[0] + "." + parts[1],
        decoder.decode(parts[2]));
  }

  /** Verifies the ES256 signature the JOSE way: raw r||s, 64 bytes. */
  boolean verifiesWith(ECPublicKey key) throws GeneralSecurityException {
    if (signature.length != 64) {
      return false;
    }
    Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
    verifier.initVerify(key);
    verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return verifier.verify(signature);
  }

  /** The public key a JWK describes, rebuilt from its x and y only. */
  static ECPublicKey publicKey(JsonObject jwk) throws GeneralSecurityException {
    Base64.Decoder decoder = Base64.getUrlDecoder();
    ECPoint point =
        new ECPoint(
            new BigInteger(1, decoder.decode(jwk.getString("x"))),
            new BigInteger(1, decoder.decode(jwk.getString("y"))));
    ECPrivateKey any = (ECPrivateKey) EcKeys.generate().getPrivate();
    return (ECPublicKey)
        KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, any.getParams()));
  }
}
