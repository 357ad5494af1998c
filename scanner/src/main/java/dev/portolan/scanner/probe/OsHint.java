package dev.portolan.scanner.probe;

/**
 * A guess at the target's operating system family ("Linux", "Windows", ...), never more: from the
 * SYN-ACK's TTL, window and option order (p0f-style) and/or what a banner says about itself.
 * {@code confidence} is 0-100; {@code basis} says what the guess rests on.
 */
public record OsHint(String family, int confidence, String basis) {
  public OsHint {
    confidence = Math.max(0, Math.min(100, confidence));
  }
}
