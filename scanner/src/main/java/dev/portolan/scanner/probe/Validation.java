package dev.portolan.scanner.probe;

import java.time.Duration;
import java.util.List;

/**
 * What validation found on one endpoint. Strings are never null ("" when unknown). {@code service}
 * is "unknown" when nothing matched; {@code version} stays empty when the protocol does not
 * disclose it (then {@code notes} says so). {@code confidence} is on nmap's 0-10 scale: 10 for a
 * full match, less for soft matches, a bare TLS handshake, or rules that rest on weak signs.
 * {@code evidence} is a sanitized excerpt of what the server sent (see {@link Evidence}).
 * {@code probe} and {@code rule} name the probe whose reply matched and the matching rule. {@code
 * tls} and {@code os} are null when there is nothing to say. {@code notes} explain unknowns and
 * hidden versions: what was seen and why probing stopped.
 */
public record Validation(
    Endpoint endpoint,
    Reachability reachability,
    String service,
    String product,
    String version,
    String extraInfo,
    String hostname,
    String deviceType,
    List<String> cpe,
    int confidence,
    String method,
    String evidence,
    String probe,
    String rule,
    TlsDetails tls,
    OsHint os,
    List<String> notes,
    Duration elapsed) {

  public static final String UNKNOWN = "unknown";

  public Validation {
    cpe = List.copyOf(cpe);
    notes = List.copyOf(notes);
  }

  /** True when a rule identified the service (fully or softly), not only a handshake or nothing. */
  public boolean identified() {
    return !UNKNOWN.equals(service);
  }

  /** True when the service was reached through TLS (nmap's {@code tunnel="ssl"}). */
  public boolean overTls() {
    return tls != null && tls.established() && !"ssl".equals(service);
  }
}
