package dev.portolan.control.target;

import dev.portolan.control.UsageException;

/** IPv4 addresses as unsigned 32-bit values held in an {@code int}. */
public final class Ipv4 {
  private Ipv4() {}

  /** Parses a dotted quad strictly: four decimal parts 0-255, no leading zeros beyond "0". */
  public static int parse(String text) {
    String s = text.strip();
    if (s.indexOf(':') >= 0) {
      throw bad(text);
    }
    int value = 0;
    int part = 0;
    int digits = 0;
    int parts = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c == '.') {
        if (digits == 0 || parts == 4) {
          throw bad(text);
        }
        value = (value << 8) | part;
        parts++;
        part = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9') {
        if (digits > 0 && part == 0) {
          throw bad(text); // leading zero: 010 is octal to some tools, decimal to others
        }
        part = part * 10 + (c - '0');
        digits++;
        if (part > 255) {
          throw new UsageException(
              "'" + text + "' is not an IPv4 address: each part must be 0-255");
        }
      } else {
        throw bad(text);
      }
    }
    if (parts != 4) {
      throw bad(text);
    }
    return value;
  }

  public static boolean looksLikeAddress(String text) {
    return !text.isEmpty() && text.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  private static UsageException bad(String text) {
    if (text.contains(":")) {
      return new UsageException(
          "'" + text + "' looks like IPv6; Portolan scans IPv4 only (for example 198.18.0.1)");
    }
    return new UsageException(
        "'" + text + "' is not an IPv4 address (write four numbers 0-255, like 198.18.0.1)");
  }

  public static String format(int address) {
    return ((address >>> 24) & 0xff)
        + "."
        + ((address >>> 16) & 0xff)
        + "."
        + ((address >>> 8) & 0xff)
        + "."
        + (address & 0xff);
  }

  public static long unsigned(int address) {
    return address & 0xffffffffL;
  }
}
