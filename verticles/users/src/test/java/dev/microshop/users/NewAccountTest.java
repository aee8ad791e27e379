package dev.microshop.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NewAccountTest {

  private static JsonObject body(String email, String displayName, String password) {
    return new JsonObject()
        .put("email", email)
        .put("displayName", displayName)
        .put("password", password);
  }

  private static ServiceFailure refused(JsonObject body) {
    ServiceFailure failure =
        catchThrowableOfType(ServiceFailure.class, () -> NewAccount.from(body));
    assertThat(failure).as("expected %s to be refused", body).isNotNull();
    assertThat(failure.code()).isEqualTo(400);
    return failure;
  }

  @Test
  void theEmailIsCanonicalTheDisplayNameTrimmedAndThePasswordKeptAsTyped() {
    NewAccount account =
        NewAccount.from(
            body("\u3000 Ann.Lee+shop@Example.COM\u00a0\u2003", "  Ann Lee ", " ten chars! "));

    assertThat(account.email()).isEqualTo("ann.lee+shop@example.com");
    assertThat(account.displayName()).isEqualTo("Ann Lee");
    assertThat(account.password()).isEqualTo(" ten chars! ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "plain",
        "a@b",
        "a@@b.com",
        "a b@c.com",
        "a@b c.com",
        "@example.com",
        "ann@",
        "ann@.com",
        "ann@example.",
        "ann@-example.com",
        "<ann>@example.com",
        "ann@exa\tmple.com"
      })
  void badEmailsAreRefusedNamingTheField(String email) {
    assertThat(refused(body(email, "Ann", "long enough password")).getMessage())
        .startsWith("email ");
  }

  @Test
  void anEmailWithASpaceInsideIsRefusedWhateverTheSpace() {
    for (String email :
        List.of(
            "ann lee@example.com",
            "ann\u2003lee@example.com",
            "ann@exa\u3000mple.com",
            "ann\u1680@example.com")) {
      assertThat(refused(body(email, "Ann", "long enough password")).getMessage())
          .as(email)
          .isEqualTo("email must not contain spaces");
    }
  }

  @Test
  void anEmailLongerThan254CharactersIsRefused() {
    String email =
        "a".repeat(64)
            + "@"
            + "b".repeat(63)
            + "."
            + "c".repeat(63)
            + "."
            + "d".repeat(63)
            + ".com";
    assertThat(refused(body(email, "Ann", "long enough password")).getMessage())
        .isEqualTo("email must be at most 254 characters");
  }

  @Test
  void passwordsOfNineCharactersOrOver128BytesAreRefused() {
    assertThat(refused(body("a@example.com", "Ann", "123456789")).getMessage())
        .isEqualTo("password must be at least 10 characters");
    // 43 three-byte characters: 43 characters but 129 bytes.
    assertThat(refused(body("a@example.com", "Ann", "€".repeat(43))).getMessage())
        .isEqualTo("password must be at most 128 bytes in UTF-8");
    assertThat(NewAccount.from(body("a@example.com", "Ann", "1234567890")).password())
        .isEqualTo("1234567890");
    assertThat(NewAccount.from(body("a@example.com", "Ann", "x".repeat(128))).password())
        .hasSize(128);
    assertThat(NewAccount.from(body("a@example.com", "Ann", "€".repeat(42))).password())
        .hasSize(42);
  }

  @Test
  void passwordLengthCountsCharactersNotUtf16Units() {
    // Five emoji are ten UTF-16 units but five characters.
    assertThat(refused(body("a@example.com", "Ann", "😀".repeat(5))).getMessage())
        .isEqualTo("password must be at least 10 characters");
  }

  @Test
  void displayNamesMustHave1To100CharactersAndNoControlCharacters() {
    assertThat(refused(body("a@example.com", "   ", "long enough password")).getMessage())
        .isEqualTo("displayName must be 1 to 100 characters, not blank (got 0)");
    assertThat(refused(body("a@example.com", "x".repeat(101), "long enough password")).getMessage())
        .isEqualTo("displayName must be 1 to 100 characters (got 101)");
    assertThat(refused(body("a@example.com", "Ann\u0000Lee", "long enough password")).getMessage())
        .isEqualTo("displayName must not contain control characters");
    assertThat(
            NewAccount.from(body("a@example.com", "x".repeat(100), "long enough password"))
                .displayName())
        .hasSize(100);
  }

  @Test
  void everyInvalidFieldIsNamedAndWrongTypesAreRefused() {
    JsonObject body = new JsonObject().put("email", 42).put("password", "short");

    assertThat(refused(body).getMessage())
        .isEqualTo(
            "email must be a string; displayName is required: a string of 1 to 100 characters; "
                + "password must be at least 10 characters");
    assertThat(refused(body).errors())
        .extracting(error -> error.field())
        .containsExactly("email", "displayName", "password");
    assertThat(refused(null).getMessage())
        .isEqualTo(
            "email is required: a string; displayName is required: a string of 1 to 100 characters; "
                + "password is required: a string");
  }
}
