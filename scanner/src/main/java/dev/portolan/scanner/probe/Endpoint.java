package dev.portolan.scanner.probe;

import dev.portolan.control.target.Ipv4;
import dev.portolan.scanner.engine.SynAckFingerprint;

/**
 * An open (or claimed open) TCP port to validate: an IPv4 address as everywhere in Portolan, the
 * port, and the SYN-ACK fields the engine recorded, or null when discovery saw no packet.
 */
public record Endpoint(int address, int port, SynAckFingerprint fingerprint) {
  public Endpoint {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, not " + port);
    }
  }

  public Endpoint(int address, int port) {
    this(address, port, null);
  }

  public String addressText() {
    return Ipv4.format(address);
  }

  @Override
  public String toString() {
    return addressText() + ":" + port;
  }
}
