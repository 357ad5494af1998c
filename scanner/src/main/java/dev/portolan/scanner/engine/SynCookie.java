package dev.portolan.scanner.engine;

import java.security.SecureRandom;

/**
 * The stateless part of the engine: each SYN's sequence number is SipHash-2-4, keyed with a
 * per-run secret, of its 4-tuple. A reply is ours exactly when its acknowledgement number minus one
 * equals the cookie of the reply's 4-tuple seen from our side; nothing is remembered per probe.
 *
 * <p>SipHash (not a plain mix) because the secret must not be recoverable from the cookies an
 * observer sees: otherwise anyone on path could forge replies and plant false findings.
 */
public final class SynCookie {
  private final long k0;
  private final long k1;

  public SynCookie(long k0, long k1) {
    this.k0 = k0;
    this.k1 = k1;
  }

  public static SynCookie random() {
    SecureRandom random = new SecureRandom();
    return new SynCookie(random.nextLong(), random.nextLong());
  }

  /** The 32-bit cookie for the probe (srcIp:srcPort -> dstIp:dstPort). */
  public int of(int srcIp, int srcPort, int dstIp, int dstPort) {
    // The 12-byte message srcIp|dstIp|srcPort|dstPort as SipHash reads it: one full little-endian
    // word, then the last 4 bytes with the message length in the top byte.
    long m0 = (srcIp & 0xffffffffL) | ((long) dstIp << 32);
    long m1 = (srcPort & 0xffffL) | ((long) (dstPort & 0xffff) << 16) | (12L << 56);
    long v0 = k0 ^ 0x736f6d6570736575L;
    long v1 = k1 ^ 0x646f72616e646f6dL;
    long v2 = k0 ^ 0x6c7967656e657261L;
    long v3 = k1 ^ 0x7465646279746573L;

    v3 ^= m0;
    for (int r = 0; r < 2; r++) {
      v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
      v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
      v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
      v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    }
    v0 ^= m0;

    v3 ^= m1;
    for (int r = 0; r < 2; r++) {
      v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
      v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
      v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
      v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    }
    v0 ^= m1;

    v2 ^= 0xff;
    for (int r = 0; r < 4; r++) {
      v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
      v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
      v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
      v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    }
    long h = v0 ^ v1 ^ v2 ^ v3;
    return (int) (h ^ (h >>> 32));
  }

  /** Whether a reply's acknowledgement number answers our probe with that 4-tuple. */
  public boolean matches(int ack, int srcIp, int srcPort, int dstIp, int dstPort) {
    return ack - 1 == of(srcIp, srcPort, dstIp, dstPort);
  }
}
