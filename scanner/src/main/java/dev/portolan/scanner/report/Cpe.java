package dev.portolan.scanner.report;

import java.util.ArrayList;
import java.util.List;

/**
 * CPE names between their two bindings: Portolan keeps CPE 2.3 formatted strings ({@code
 * cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*}); nmap's XML carries the 2.2 URI form ({@code
 * cpe:/a:f5:nginx:1.22.1}) that its importers expect.
 */
final class Cpe {
  private Cpe() {}

  /** The URI binding of a 2.3 formatted string: first seven components, trailing "any" dropped. */
  static String toUri(String formatted) {
    List<String> parts = split(formatted);
    if (parts.size() < 5 || !parts.get(0).equals("cpe") || !parts.get(1).equals("2.3")) {
      return formatted;
    }
    List<String> uri = new ArrayList<>();
    for (int i = 2; i < Math.min(parts.size(), 9); i++) {
      String v = parts.get(i);
      uri.add(v.equals("*") ? "" : encode(v));
    }
    while (!uri.isEmpty() && uri.get(uri.size() - 1).isEmpty()) {
      uri.remove(uri.size() - 1);
    }
    return "cpe:/" + String.join(":", uri);
  }

  /** Splits on colons not quoted with a backslash, keeping the quoting. */
  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        b.append(c).append(s.charAt(++i));
      } else if (c == ':') {
        out.add(b.toString());
        b.setLength(0);
      } else {
        b.append(c);
      }
    }
    out.add(b.toString());
    return out;
  }

  /** Unquotes the 2.3 value and percent-encodes what a 2.2 URI component may not hold. */
  private static String encode(String v) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        c = v.charAt(++i);
      }
      if (Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-') {
        b.append(c);
      } else {
        b.append('%').append(String.format("%02x", (int) c & 0xff));
      }
    }
    return b.toString();
  }
}
