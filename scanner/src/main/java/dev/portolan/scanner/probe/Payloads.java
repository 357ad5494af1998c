package dev.portolan.scanner.probe;

import java.io.ByteArrayOutputStream;

/**
 * Probe payloads as written in the database: text with C escapes ({@code \r \n \t \0 \\} and
 * {@code \xHH}), so binary probes stay readable in YAML.
 */
final class Payloads {
  private Payloads() {}

  static byte[] decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c > 0xff) {
        throw new IllegalArgumentException("payloads are bytes: write \\xHH instead of '" + c + "'");
      }
      if (c != '\\') {
        out.write(c);
        continue;
      }
      if (++i >= text.length()) {
        throw new IllegalArgumentException("payload ends with a lone backslash");
      }
      char e = text.charAt(i);
      switch (e) {
        case 'r' -> out.write('\r');
        case 'n' -> out.write('\n');
        case 't' -> out.write('\t');
        case '0' -> out.write(0);
        case '\\' -> out.write('\\');
        case 'x' -> {
          int hi = i + 1 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
          int lo = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
          if (hi < 0 || lo < 0) {
            throw new IllegalArgumentException("\\x needs two hex digits (at position " + i + ")");
          }
          out.write(hi << 4 | lo);
          i += 2;
        }
        default -> throw new IllegalArgumentException("unknown escape \\" + e + " in payload");
      }
    }
    return out.toByteArray();
  }
}
