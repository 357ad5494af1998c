package dev.portolan.scanner.link;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The classic BPF program on the receive socket: IPv4, TCP, not a fragment, to our address, to a
 * port in our source range. Everything else stays in the kernel.
 */
final class ReplyFilter {
  private static final int LD_H_ABS = 0x28;
  private static final int LD_W_ABS = 0x20;
  private static final int LD_B_ABS = 0x30;
  private static final int LDX_B_MSH = 0xb1;
  private static final int LD_H_IND = 0x48;
  private static final int JEQ_K = 0x15;
  private static final int JGE_K = 0x35;
  private static final int JGT_K = 0x25;
  private static final int JSET_K = 0x45;
  private static final int RET_K = 0x06;

  private ReplyFilter() {}

  /** The program as (code, jt, jf, k) rows; jumps are relative, ending at accept or drop. */
  static int[][] instructions(int dstIp, int portLow, int portHigh) {
    return new int[][] {
      {LD_H_ABS, 0, 0, 12}, // ethertype
      {JEQ_K, 0, 10, 0x0800},
      {LD_B_ABS, 0, 0, 23}, // IP protocol
      {JEQ_K, 0, 8, 6},
      {LD_W_ABS, 0, 0, 30}, // IP destination
      {JEQ_K, 0, 6, dstIp},
      {LD_H_ABS, 0, 0, 20}, // flags + fragment offset
      {JSET_K, 4, 0, 0x1fff},
      {LDX_B_MSH, 0, 0, 14}, // X = IP header length
      {LD_H_IND, 0, 0, 16}, // TCP destination port (14 + 2)
      {JGE_K, 0, 1, portLow},
      {JGT_K, 0, 1, portHigh},
      {RET_K, 0, 0, 0}, // drop
      {RET_K, 0, 0, 0x40000}, // accept (the ring truncates to its frame size)
    };
  }

  static MemorySegment program(Arena arena, int dstIp, int portLow, int portHigh) {
    int[][] code = instructions(dstIp, portLow, portHigh);
    MemorySegment filters = arena.allocate(8L * code.length, 8);
    for (int i = 0; i < code.length; i++) {
      filters.set(ValueLayout.JAVA_SHORT, i * 8L, (short) code[i][0]);
      filters.set(ValueLayout.JAVA_BYTE, i * 8L + 2, (byte) code[i][1]);
      filters.set(ValueLayout.JAVA_BYTE, i * 8L + 3, (byte) code[i][2]);
      filters.set(ValueLayout.JAVA_INT, i * 8L + 4, code[i][3]);
    }
    MemorySegment fprog = arena.allocate(16, 8);
    fprog.set(ValueLayout.JAVA_SHORT, 0, (short) code.length);
    fprog.set(ValueLayout.ADDRESS, 8, filters);
    return fprog;
  }
}
