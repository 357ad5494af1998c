package dev.portolan.scanner.probe;

import dev.portolan.scanner.engine.SynAckFingerprint;
import java.util.Set;

/**
 * A p0f-style signature of a SYN-ACK: the initial TTL (the received TTL rounded up to 32, 64, 128
 * or 255), and optionally the exact option order and window sizes. The most specific signatures
 * come first in the database; the first that fits gives the family and confidence.
 */
public record SynAckSignature(int ttl, String options, Set<Integer> windows, String family, int confidence) {

  boolean fits(SynAckFingerprint f) {
    return initialTtl(f.ttl()) == ttl
        && (options.isEmpty() || options.equals(f.options()))
        && (windows.isEmpty() || windows.contains(f.window()));
  }

  /** What a TTL started as: hops only ever lower it. */
  static int initialTtl(int received) {
    if (received <= 32) {
      return 32;
    }
    if (received <= 64) {
      return 64;
    }
    return received <= 128 ? 128 : 255;
  }

  String describe(SynAckFingerprint f) {
    return "SYN-ACK ttl " + f.ttl() + " (initial " + ttl + "), window " + f.window() + ", options " + f.options();
  }
}
