package dev.portolan.scanner.probe;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills rule templates from a match: {@code $1}-{@code $9} and {@code ${name}} are groups (empty
 * when the group did not take part), {@code $$} is a dollar sign. CPE templates are filled per
 * component, each value quoted as CPE 2.3's formatted-string binding requires, lower-cased, and an
 * empty component becomes "*" (any).
 */
final class Templates {
  private static final Pattern REFERENCE = Pattern.compile("\\$(?:(\\d)|\\{([A-Za-z][A-Za-z0-9]*)\\}|(\\$))");
  static final int CPE_COMPONENTS = 13;

  private Templates() {}

  static String expand(String template, Matcher match) {
    return expand(template, match, false);
  }

  static String cpe(String template, Matcher match) {
    String[] parts = template.split(":", -1);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        b.append(':');
      }
      String v = i < 2 ? parts[i] : expand(parts[i], match, true);
      b.append(v.isEmpty() ? "*" : v);
    }
    return b.toString();
  }

  private static String expand(String template, Matcher match, boolean cpeQuoting) {
    Matcher r = REFERENCE.matcher(template);
    StringBuilder b = new StringBuilder();
    int last = 0;
    while (r.find()) {
      b.append(template, last, r.start());
      String value;
      if (r.group(3) != null) {
        value = "$";
      } else if (r.group(1) != null) {
        int g = Integer.parseInt(r.group(1));
        value = g <= match.groupCount() ? match.group(g) : null;
      } else {
        value = match.group(r.group(2));
      }
      if (value != null) {
        b.append(cpeQuoting ? quoteCpe(value) : value);
      }
      last = r.end();
    }
    return b.append(template, last, template.length()).toString();
  }

  /** Checks that every group a template names exists in {@code pattern}; returns a problem or null. */
  static String check(String template, Pattern pattern) {
    Matcher r = REFERENCE.matcher(template);
    int groups = pattern.matcher("").groupCount();
    while (r.find()) {
      if (r.group(1) != null && Integer.parseInt(r.group(1)) > groups) {
        return "template '" + template + "' uses $" + r.group(1) + " but the pattern has " + groups + " groups";
      }
      if (r.group(2) != null && !pattern.namedGroups().containsKey(r.group(2))) {
        return "template '" + template + "' uses ${" + r.group(2) + "} but the pattern has no such group";
      }
    }
    return null;
  }

  /** CPE 2.3 formatted string: letters, digits, '_', '-', '.' stay; other printables are quoted. */
  static String quoteCpe(String value) {
    StringBuilder b = new StringBuilder();
    for (char c : value.strip().toLowerCase(Locale.ROOT).toCharArray()) {
      if (Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '-' || c == '.') {
        b.append(c);
      } else if (c == ' ') {
        b.append('_');
      } else if (c > 0x20 && c < 0x7f) {
        b.append('\\').append(c);
      }
    }
    return b.toString();
  }
}
