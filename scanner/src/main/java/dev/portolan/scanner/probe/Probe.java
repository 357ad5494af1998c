package dev.portolan.scanner.probe;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Set;

/**
 * One probe of the database: what to send (nothing for the greeting probe; a TLS handshake for
 * the {@code handshake: tls} probe), where it is likely ({@code ports} in the clear, {@code
 * tlsPorts} inside TLS), how rare it is elsewhere (1 common - 9 rare), and which services it is
 * meant to find. {@code untilClose} probes read until the server closes (HTTP with {@code
 * Connection: close}), even after a match, so late parts such as the page title are seen.
 */
public record Probe(
    String id,
    byte[] payload,
    BitSet ports,
    BitSet tlsPorts,
    int rarity,
    Set<String> services,
    boolean untilClose,
    boolean allowedInTls,
    boolean tlsHandshake,
    String source) {

  private static final String HOST = "{host}";

  /** The greeting probe: send nothing, listen. */
  public boolean isBanner() {
    return payload.length == 0 && !tlsHandshake;
  }

  public boolean likelyOn(int port, boolean insideTls) {
    return insideTls ? tlsPorts.get(port) : ports.get(port);
  }

  /** Meant to find {@code service}: after a soft match, only such probes are still worth sending. */
  public boolean targets(String service) {
    return services.contains(service);
  }

  /** The bytes to send to {@code endpoint}: {@code {host}} becomes its address. */
  public byte[] payloadFor(Endpoint endpoint) {
    String p = new String(payload, StandardCharsets.ISO_8859_1);
    if (!p.contains(HOST)) {
      return payload.clone();
    }
    return p.replace(HOST, endpoint.addressText()).getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return id;
  }
}
