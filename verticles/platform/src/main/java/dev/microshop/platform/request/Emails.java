package dev.microshop.platform.request;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The one canonical form of an email address, shared by every place that keys on one: the gateway's
 * login limits and the users service's storage and lookup. Two spellings that reach the same
 * account must reach the same rate-limit bucket, so both sides call this and nothing else.
 *
 * <p>The form: Unicode NFKC (full-width letters, compatibility spaces and ligatures fold to their
 * plain form), lower case with {@link Locale#ROOT}, NFKC again (lower-casing can denormalise), then
 * every Unicode space stripped from both ends ({@link #isSpace}: {@code Character.isWhitespace} or
 * {@code Character.isSpaceChar}, so U+2003, U+3000, U+00A0 and friends too, not only what {@link
 * String#strip} knows). Whitespace inside an address is kept here (a login with one simply matches
 * no account) and refused at registration ({@link #hasInnerSpace}). The form is idempotent: {@code
 * canonical(canonical(x)).equals(canonical(x))}.
 */
public final class Emails {
  private Emails() {}

  /** The canonical form of {@code email}; null stays null. */
  public static String canonical(String email) {
    if (email == null) {
      return null;
    }
    String folded =
        Normalizer.normalize(
            Normalizer.normalize(email, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT),
            Normalizer.Form.NFKC);
    return stripSpaces(folded);
  }

  /** True for any Unicode whitespace or space separator (U+0020, U+00A0, U+2000..U+200A, ...). */
  public static boolean isSpace(int codePoint) {
    return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
  }

  /** True if {@code email} (canonical) still holds a space: only possible inside it. */
  public static boolean hasInnerSpace(String email) {
    return email.codePoints().anyMatch(Emails::isSpace);
  }

  private static String stripSpaces(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && isSpace(text.codePointAt(start))) {
      start += Character.charCount(text.codePointAt(start));
    }
    while (end > start && isSpace(text.codePointBefore(end))) {
      end -= Character.charCount(text.codePointBefore(end));
    }
    return text.substring(start, end);
  }
}
