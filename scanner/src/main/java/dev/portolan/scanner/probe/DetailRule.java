package dev.portolan.scanner.probe;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A detail added to the extra info of any reply identified as {@code service}: for HTTP the
 * status, title and redirect target, whatever rule matched. Written as {@code label: value}.
 */
public record DetailRule(String service, String label, Pattern pattern, String value, String source) {
  private static final int VALUE_CHARS = 120;

  Optional<String> apply(CharSequence text) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    String v = Evidence.field(Templates.expand(value, m), VALUE_CHARS);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(label.isEmpty() ? v : label + " " + v);
  }
}
