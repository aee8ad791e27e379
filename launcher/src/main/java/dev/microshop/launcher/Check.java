package dev.microshop.launcher;

/**
 * One row of {@code verify}'s table: an invariant, whether it holds, and the figures that say so.
 */
record Check(String invariant, Outcome outcome, String figure) {
  enum Outcome {
    HOLDS("ok"),
    FAILS("FAIL"),
    NOT_CHECKED("-");

    final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  static Check of(String invariant, boolean holds, String figure) {
    return new Check(invariant, holds ? Outcome.HOLDS : Outcome.FAILS, figure);
  }

  static Check notChecked(String invariant, String why) {
    return new Check(invariant, Outcome.NOT_CHECKED, "not checked: " + why);
  }

  boolean fails() {
    return outcome == Outcome.FAILS;
  }
}
