package dev.portolan.scanner.engine;

import dev.portolan.control.target.Ipv4;

/**
 * One discovery result. {@code fingerprint} is present for SYN-ACKs seen by the raw engine and
 * null otherwise (closed, filtered, or found by the connect fallback, which sees no packets).
 */
public record PortResult(
    int address, int port, PortState state, String reason, SynAckFingerprint fingerprint, long epochMillis) {

  public String addressText() {
    return Ipv4.format(address);
  }
}
