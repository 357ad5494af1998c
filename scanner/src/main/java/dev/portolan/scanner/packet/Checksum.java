package dev.portolan.scanner.packet;

import java.lang.foreign.MemorySegment;

/** The Internet checksum (RFC 1071): one's-complement sums of 16-bit words. */
public final class Checksum {
  private Checksum() {}

  /** Sum of the big-endian 16-bit words in [off, off+len), an odd last byte padded with zero. */
  public static long sum(MemorySegment s, long off, int len) {
    long sum = 0;
    int i = 0;
    for (; i + 1 < len; i += 2) {
      sum += Layouts.u16(s, off + i);
    }
    if (i < len) {
      sum += Layouts.u8(s, off + i) << 8;
    }
    return sum;
  }

  /** Folds a sum to 16 bits and complements it: the value to put in a checksum field. */
  public static int finish(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  public static long words(int value) {
    return (value >>> 16) + (value & 0xffff);
  }
}
