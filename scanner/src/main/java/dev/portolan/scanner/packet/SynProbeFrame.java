package dev.portolan.scanner.packet;

import static dev.portolan.scanner.packet.Frames.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The SYN probe: Ethernet + IPv4 + TCP with Linux's option set and order (MSS, SACK-permitted,
 * timestamps, NOP, window scale). A server echoes only the options it was offered, so a bare SYN
 * would hide the target's TCP stack.
 *
 * <p>As in zmap, the frame is built once; per probe only destination, ports, sequence number, IP ID
 * and the two checksums change, and the checksums are finished from sums precomputed over the
 * fields that never change. {@link #write} copies and patches in place and allocates nothing.
 */
public final class SynProbeFrame {
  public static final int IP_OFFSET = ETH_HEADER;
  public static final int TCP_OFFSET_IN_FRAME = ETH_HEADER + IP_HEADER;
  public static final int OPTIONS_LENGTH = 20;
  public static final int LENGTH = TCP_OFFSET_IN_FRAME + TCP_HEADER + OPTIONS_LENGTH;
  public static final int MSS = 1460;
  public static final int WINDOW = 64240;
  public static final int WINDOW_SCALE = 7;
  public static final int TTL = 64;

  private final MemorySegment template;
  private final long ipConstantSum;
  private final long tcpConstantSum;

  /**
   * @param srcMac our interface's MAC (48 bits in a long)
   * @param dstMac the next hop's MAC
   * @param srcIp our source address
   * @param timestamp the TSval every probe carries (a per-run value: it only has to look real)
   */
  public SynProbeFrame(long srcMac, long dstMac, int srcIp, int timestamp) {
    template = Arena.ofAuto().allocate(LENGTH, 8);
    MemorySegment t = template;
    Layouts.putMac(t, ETH_DST, dstMac);
    Layouts.putMac(t, ETH_SRC, srcMac);
    Layouts.put16(t, ETH_TYPE, ETHERTYPE_IPV4);
    int ip = IP_OFFSET;
    Layouts.put8(t, ip + IP_VERSION_IHL, 0x45);
    Layouts.put16(t, ip + IP_TOTAL_LENGTH, IP_HEADER + TCP_HEADER + OPTIONS_LENGTH);
    Layouts.put16(t, ip + IP_FLAGS_FRAGMENT, IP_DONT_FRAGMENT);
    Layouts.put8(t, ip + IP_TTL, TTL);
    Layouts.put8(t, ip + IP_PROTOCOL, IP_PROTO_TCP);
    Layouts.put32(t, ip + IP_SRC, srcIp);
    int tcp = TCP_OFFSET_IN_FRAME;
    Layouts.put8(t, tcp + Frames.TCP_OFFSET, ((TCP_HEADER + OPTIONS_LENGTH) / 4) << 4);
    Layouts.put8(t, tcp + TCP_FLAGS, TCP_SYN);
    Layouts.put16(t, tcp + TCP_WINDOW, WINDOW);
    int o = tcp + TCP_HEADER;
    Layouts.put8(t, o, OPT_MSS);
    Layouts.put8(t, o + 1, 4);
    Layouts.put16(t, o + 2, MSS);
    Layouts.put8(t, o + 4, OPT_SACK_PERMITTED);
    Layouts.put8(t, o + 5, 2);
    Layouts.put8(t, o + 6, OPT_TIMESTAMP);
    Layouts.put8(t, o + 7, 10);
    Layouts.put32(t, o + 8, timestamp);
    Layouts.put32(t, o + 12, 0);
    Layouts.put8(t, o + 16, OPT_NOP);
    Layouts.put8(t, o + 17, OPT_WSCALE);
    Layouts.put8(t, o + 18, 3);
    Layouts.put8(t, o + 19, WINDOW_SCALE);
    // Everything in the IP header but ID and destination (checksum field is zero here).
    ipConstantSum = Checksum.sum(t, ip, IP_HEADER);
    // Pseudo-header source, protocol and length, plus the TCP header and options as they stand
    // (ports, sequence and checksum are zero in the template).
    tcpConstantSum =
        Checksum.words(srcIp)
            + IP_PROTO_TCP
            + TCP_HEADER
            + OPTIONS_LENGTH
            + Checksum.sum(t, tcp, TCP_HEADER + OPTIONS_LENGTH);
  }

  /** Writes one complete probe at {@code offset} of {@code out} ({@link #LENGTH} bytes). */
  public void write(
      MemorySegment out, long offset, int dstIp, int srcPort, int dstPort, int seq, int ipId) {
    MemorySegment.copy(template, 0, out, offset, LENGTH);
    long ip = offset + IP_OFFSET;
    long dstWords = (dstIp >>> 16) + (dstIp & 0xffff);
    Layouts.put16(out, ip + IP_ID, ipId);
    Layouts.put32(out, ip + IP_DST, dstIp);
    Layouts.put16(out, ip + IP_CHECKSUM, Checksum.finish(ipConstantSum + (ipId & 0xffff) + dstWords));
    long tcp = offset + TCP_OFFSET_IN_FRAME;
    Layouts.put16(out, tcp + TCP_SRC_PORT, srcPort);
    Layouts.put16(out, tcp + TCP_DST_PORT, dstPort);
    Layouts.put32(out, tcp + TCP_SEQ, seq);
    long sum = tcpConstantSum + dstWords + srcPort + dstPort + (seq >>> 16) + (seq & 0xffff);
    Layouts.put16(out, tcp + TCP_CHECKSUM, Checksum.finish(sum));
  }

  /** Sets the destination MAC of a frame written by {@link #write} (on-link scans: one per host). */
  public static void setDestinationMac(MemorySegment out, long offset, long mac) {
    Layouts.putMac(out, offset + ETH_DST, mac);
  }
}
