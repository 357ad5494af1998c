package dev.portolan.scanner.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Network-order accessors for memory segments, shared by every encoder and decoder here. */
final class Layouts {
  static final ValueLayout.OfShort U16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private Layouts() {}

  static int u8(MemorySegment s, long off) {
    return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
  }

  static int u16(MemorySegment s, long off) {
    return s.get(U16, off) & 0xffff;
  }

  static int u32(MemorySegment s, long off) {
    return s.get(U32, off);
  }

  static void put8(MemorySegment s, long off, int v) {
    s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
  }

  static void put16(MemorySegment s, long off, int v) {
    s.set(U16, off, (short) v);
  }

  static void put32(MemorySegment s, long off, int v) {
    s.set(U32, off, v);
  }

  static void putMac(MemorySegment s, long off, long mac) {
    put16(s, off, (int) (mac >>> 32));
    put32(s, off + 2, (int) mac);
  }

  static long mac(MemorySegment s, long off) {
    return ((long) u16(s, off) << 32) | (u32(s, off + 2) & 0xffffffffL);
  }
}
