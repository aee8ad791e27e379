package dev.microshop.platform.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EmailsTest {
  private static final List<String> SPELLINGS_OF_ONE_ADDRESS =
      List.of(
          "victim@example.com",
          "Victim@Example.COM",
          " victim@example.com ",
          "victim@example.com\u2003",
          "victim@example.com\u2002",
          "victim@example.com\u3000",
          "victim@example.com\u2009",
          "\u00a0victim@example.com\u202f",
          "\u1680\u2028victim@example.com\u2029\t\n",
          "victim@example.com\u2003\u3000\u2009 \u2002",
          "\uff56\uff49\uff43\uff54\uff49\uff4d@example.com", // full-width letters
          "VICTIM@EXAMPLE.COM\u205f");

  @Test
  void everySpellingOfOneAddressHasOneCanonicalForm() {
    for (String spelling : SPELLINGS_OF_ONE_ADDRESS) {
      assertThat(Emails.canonical(spelling))
          .as("%s", escaped(spelling))
          .isEqualTo("victim@example.com");
    }
  }

  @Test
  void theCanonicalFormIsIdempotent() {
    for (String spelling :
        List.of(
            "ANN\u0130@example.com", "a\u00a8@example.com", "\ufb01@example.com", "x y@z.com")) {
      String once = Emails.canonical(spelling);
      assertThat(Emails.canonical(once)).as("%s", escaped(spelling)).isEqualTo(once);
    }
  }

  @Test
  void innerSpacesAreKeptAndDetectable() {
    String canonical = Emails.canonical(" ann\u2003smith@example.com ");
    assertThat(canonical).isEqualTo("ann smith@example.com");
    assertThat(Emails.hasInnerSpace(canonical)).isTrue();
    assertThat(Emails.hasInnerSpace(Emails.canonical("ann@example.com\u3000"))).isFalse();
  }

  @Test
  void nullAndBlankStayEmpty() {
    assertThat(Emails.canonical(null)).isNull();
    assertThat(Emails.canonical("\u2003 \u3000")).isEmpty();
  }

  private static String escaped(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .forEach(
            c ->
                out.append(
                    c < 0x7f && c >= 0x20 ? Character.toString(c) : String.format("\\u%04x", c)));
    return out.toString();
  }
}
