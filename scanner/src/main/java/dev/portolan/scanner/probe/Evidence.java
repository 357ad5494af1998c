package dev.portolan.scanner.probe;

/**
 * Bytes from the network made safe to print and store: printable ASCII stays, {@code \r \n \t}
 * and backslash are escaped as in C, everything else becomes {@code \xHH}. Bounded: at most {@link
 * #MAX_CHARS} characters, ending in "..." when cut.
 */
public final class Evidence {
  public static final int MAX_CHARS = 512;

  private Evidence() {}

  public static String excerpt(byte[] data, int length) {
    return escape(data, 0, Math.min(length, data.length), MAX_CHARS);
  }

  /** Escapes {@code data[from, to)} into at most {@code maxChars} characters. */
  public static String escape(byte[] data, int from, int to, int maxChars) {
    StringBuilder b = new StringBuilder(Math.min(maxChars, Math.max(0, to - from) * 2));
    int fits = 0; // the length at the last piece boundary where "..." still fits
    for (int i = from; i < to; i++) {
      if (b.length() <= maxChars - 3) {
        fits = b.length();
      }
      String piece = escape(data[i] & 0xff);
      if (b.length() + piece.length() > maxChars) {
        b.setLength(fits);
        return b.append("...").toString();
      }
      b.append(piece);
    }
    return b.toString();
  }

  /** A short value for a field (product, version, ...): the same escaping, trimmed and bounded. */
  public static String field(CharSequence text, int maxChars) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length() && b.length() < maxChars; i++) {
      char c = text.charAt(i);
      b.append(c < 256 ? escape(c) : "?");
    }
    String s = b.toString().strip();
    return s.length() > maxChars ? s.substring(0, maxChars) : s;
  }

  private static String escape(int c) {
    return switch (c) {
      case '\r' -> "\\r";
      case '\n' -> "\\n";
      case '\t' -> "\\t";
      case '\\' -> "\\\\";
      default -> c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c);
    };
  }
}
