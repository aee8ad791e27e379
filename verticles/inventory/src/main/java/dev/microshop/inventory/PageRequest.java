package dev.microshop.inventory;

/** A validated {@code inventory.product.list}: {@code query} is null for no filter. */
record PageRequest(String query, Cursor after, int limit) {

  /**
   * {@code query} as an ILIKE pattern matching it anywhere, its own {@code % _ \} taken literally
   * (backslash is the escape character the SQL names).
   */
  String likePattern() {
    StringBuilder pattern = new StringBuilder("%");
    for (char c : query.toCharArray()) {
      if (c == '%' || c == '_' || c == '\\') {
        pattern.append('\\');
      }
      pattern.append(c);
    }
    return pattern.append('%').toString();
  }
}
