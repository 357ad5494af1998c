package dev.portolan.scanner.probe;

/**
 * A reply as the regex engine sees it, with a budget of character reads: a rule that backtracks
 * catastrophically over hostile bytes stops with {@link TooComplex} instead of spinning.
 */
final class BoundedText implements CharSequence {
  static final long DEFAULT_BUDGET = 2_000_000;

  /** A rule used up its budget on this reply; the rule counts as not matching. */
  static final class TooComplex extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooComplex() {
      super("regular expression budget exceeded", null, false, false);
    }
  }

  private final String text;
  private long budget;

  BoundedText(String text, long budget) {
    this.text = text;
    this.budget = budget;
  }

  @Override
  public int length() {
    return text.length();
  }

  @Override
  public char charAt(int index) {
    if (--budget < 0) {
      throw new TooComplex();
    }
    return text.charAt(index);
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return text.subSequence(start, end);
  }

  @Override
  public String toString() {
    return text;
  }
}
