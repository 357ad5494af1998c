package dev.portolan.scanner.probe;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A match rule: a regular expression over a reply (bytes read as ISO-8859-1, so {@code \x00}
 * matches the byte 0) and templates that fill product, version, extra info, hostname, OS, device
 * type and CPE 2.3 names from its groups ({@code $1}, {@code ${name}}). A soft rule names the
 * service only; probing then goes on with the probes meant for that service. {@code after}
 * restricts the rule to replies to those probes, {@code ports} to those ports (for weak signs);
 * empty means any. {@code note} is said whenever the rule matches (for example, that the protocol
 * hides the version).
 */
public record MatchRule(
    String id,
    String service,
    boolean soft,
    Set<String> after,
    BitSet ports,
    Pattern pattern,
    String product,
    String version,
    String info,
    String hostname,
    String os,
    String device,
    List<String> cpe,
    int confidence,
    String note,
    String source) {

  private static final int FIELD_CHARS = 160;

  boolean appliesTo(String probeId, int port) {
    return (after.isEmpty() || after.contains(probeId)) && (ports.isEmpty() || ports.get(port));
  }

  /** Matches {@code text} (a bounded view of the reply) and fills the templates. */
  Optional<ServiceMatch> apply(CharSequence text) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    List<String> cpes = new ArrayList<>();
    for (String t : cpe) {
      cpes.add(Templates.cpe(t, m));
    }
    return Optional.of(
        new ServiceMatch(
            this,
            field(product, m),
            field(version, m),
            list(field(info, m)),
            field(hostname, m),
            field(os, m),
            field(device, m),
            cpes));
  }

  /** "protocol 2.0; " with an empty second part becomes "protocol 2.0". */
  private static String list(String info) {
    List<String> parts = new ArrayList<>();
    for (String p : info.split(";")) {
      if (!p.isBlank()) {
        parts.add(p.strip());
      }
    }
    return String.join("; ", parts);
  }

  private static String field(String template, Matcher m) {
    return template.isEmpty() ? "" : Evidence.field(Templates.expand(template, m), FIELD_CHARS);
  }
}
