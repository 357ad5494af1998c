package dev.portolan.scanner.packet;

import static dev.portolan.scanner.packet.Frames.*;

import java.lang.foreign.MemorySegment;

/**
 * A decoded TCP-over-IPv4 frame, decoded in place from the receive buffer into this reusable
 * holder (one per receive thread; nothing is allocated per packet). Besides addresses, ports,
 * numbers and flags it keeps what the OS hint needs: TTL, window, MSS, window scale and the order
 * of the TCP options.
 */
public final class TcpReply {
  /** What {@link #decode} made of a frame. */
  public enum Result {
    TCP,
    /**
     * Too short for the fixed IPv4 and TCP headers: reported, not thrown (hostile bytes). Options
     * cut off by the capture are read as far as they go and the frame still decodes as TCP.
     */
    INCOMPLETE,
    NOT_TCP
  }

  public int srcIp;
  public int dstIp;
  public int srcPort;
  public int dstPort;
  public int seq;
  public int ack;
  public int flags;
  public int ttl;
  public int window;
  public int ipId;
  /** MSS option value, or -1 when absent. */
  public int mss;
  /** Window scale option value, or -1 when absent. */
  public int windowScale;
  /** Option kinds in order, 4 bits each from the lowest (kinds over 14 are 15); see {@link #optionCount}. */
  public long optionKinds;

  public int optionCount;

  /** Decodes the Ethernet frame in [off, off+len) of {@code s}. */
  public Result decode(MemorySegment s, long off, int len) {
    if (len < ETH_HEADER) {
      return Result.INCOMPLETE;
    }
    if (Layouts.u16(s, off + ETH_TYPE) != ETHERTYPE_IPV4) {
      return Result.NOT_TCP;
    }
    return decodeIp(s, off + ETH_HEADER, len - ETH_HEADER);
  }

  /** Decodes an IPv4 packet (no link header) in [off, off+len). */
  public Result decodeIp(MemorySegment s, long off, int len) {
    if (len < IP_HEADER) {
      return Result.INCOMPLETE;
    }
    int vihl = Layouts.u8(s, off + IP_VERSION_IHL);
    int ihl = (vihl & 0x0f) * 4;
    if ((vihl >>> 4) != 4 || ihl < IP_HEADER) {
      return Result.NOT_TCP;
    }
    if (Layouts.u8(s, off + IP_PROTOCOL) != IP_PROTO_TCP
        || (Layouts.u16(s, off + IP_FLAGS_FRAGMENT) & IP_FRAGMENT_MASK) != 0) {
      return Result.NOT_TCP; // fragments cannot be matched without reassembly; TCP replies never are
    }
    if (len < ihl + TCP_HEADER) {
      return Result.INCOMPLETE;
    }
    ttl = Layouts.u8(s, off + IP_TTL);
    ipId = Layouts.u16(s, off + IP_ID);
    srcIp = Layouts.u32(s, off + IP_SRC);
    dstIp = Layouts.u32(s, off + IP_DST);
    long tcp = off + ihl;
    srcPort = Layouts.u16(s, tcp + TCP_SRC_PORT);
    dstPort = Layouts.u16(s, tcp + TCP_DST_PORT);
    seq = Layouts.u32(s, tcp + TCP_SEQ);
    ack = Layouts.u32(s, tcp + TCP_ACK);
    flags = Layouts.u8(s, tcp + TCP_FLAGS);
    window = Layouts.u16(s, tcp + TCP_WINDOW);
    int dataOffset = (Layouts.u8(s, tcp + TCP_OFFSET) >>> 4) * 4;
    mss = -1;
    windowScale = -1;
    optionKinds = 0;
    optionCount = 0;
    if (dataOffset < TCP_HEADER) {
      return Result.INCOMPLETE;
    }
    // Options that run past the captured bytes are read as far as they go.
    int optionsEnd = Math.min(dataOffset, len - ihl);
    int i = TCP_HEADER;
    while (i < optionsEnd) {
      int kind = Layouts.u8(s, tcp + i);
      if (optionCount < 16) {
        optionKinds |= (long) Math.min(kind, 15) << (4 * optionCount);
        optionCount++;
      }
      if (kind == OPT_EOL) {
        break;
      }
      if (kind == OPT_NOP) {
        i++;
        continue;
      }
      if (i + 1 >= optionsEnd) {
        break;
      }
      int olen = Layouts.u8(s, tcp + i + 1);
      if (olen < 2 || i + olen > optionsEnd) {
        break;
      }
      if (kind == OPT_MSS && olen == 4) {
        mss = Layouts.u16(s, tcp + i + 2);
      } else if (kind == OPT_WSCALE && olen == 3) {
        windowScale = Layouts.u8(s, tcp + i + 2);
      }
      i += olen;
    }
    return Result.TCP;
  }

  public boolean isSynAck() {
    return (flags & (TCP_SYN | TCP_ACK_FLAG | TCP_RST)) == (TCP_SYN | TCP_ACK_FLAG);
  }

  public boolean isRst() {
    return (flags & TCP_RST) != 0;
  }

  /**
   * The option order as p0f writes it: {@code mss,sok,ts,nop,ws}; kinds without a name are
   * written as {@code ?N}. Off the hot path (called only for open ports).
   */
  public static String optionLayout(long kinds, int count) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < count; i++) {
      int k = (int) ((kinds >>> (4 * i)) & 0xf);
      if (i > 0) {
        b.append(',');
      }
      b.append(
          switch (k) {
            case OPT_EOL -> "eol";
            case OPT_NOP -> "nop";
            case OPT_MSS -> "mss";
            case OPT_WSCALE -> "ws";
            case OPT_SACK_PERMITTED -> "sok";
            case 5 -> "sack";
            case OPT_TIMESTAMP -> "ts";
            default -> "?" + k;
          });
    }
    return b.toString();
  }
}
