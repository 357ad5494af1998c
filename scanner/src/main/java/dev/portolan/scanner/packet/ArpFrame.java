package dev.portolan.scanner.packet;

import static dev.portolan.scanner.packet.Frames.*;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** ARP requests and replies for Ethernet/IPv4 (RFC 826), used to resolve a next hop's MAC. */
public final class ArpFrame {
  public static final long BROADCAST = 0xffff_ffff_ffffL;

  private ArpFrame() {}

  /** Writes a who-has request for {@code targetIp}, padded to the Ethernet minimum; returns its length. */
  public static int writeRequest(MemorySegment out, long srcMac, int srcIp, int targetIp) {
    out.asSlice(0, ETH_MIN_FRAME).fill((byte) 0);
    Layouts.putMac(out, ETH_DST, BROADCAST);
    Layouts.putMac(out, ETH_SRC, srcMac);
    Layouts.put16(out, ETH_TYPE, ETHERTYPE_ARP);
    int a = ETH_HEADER;
    Layouts.put16(out, a, 1); // hardware: Ethernet
    Layouts.put16(out, a + 2, ETHERTYPE_IPV4);
    Layouts.put8(out, a + 4, 6);
    Layouts.put8(out, a + 5, 4);
    Layouts.put16(out, a + ARP_OPER, ARP_REQUEST);
    Layouts.putMac(out, a + ARP_SHA, srcMac);
    Layouts.put32(out, a + ARP_SPA, srcIp);
    Layouts.putMac(out, a + ARP_THA, 0);
    Layouts.put32(out, a + ARP_TPA, targetIp);
    return ETH_MIN_FRAME;
  }

  /** An ARP reply's sender. */
  public record Reply(int senderIp, long senderMac) {}

  /** The sender of an ARP reply, or empty if the frame is not an Ethernet/IPv4 ARP reply. */
  public static Optional<Reply> parseReply(MemorySegment frame, int len) {
    if (len < ETH_HEADER + ARP_LENGTH || Layouts.u16(frame, ETH_TYPE) != ETHERTYPE_ARP) {
      return Optional.empty();
    }
    int a = ETH_HEADER;
    if (Layouts.u16(frame, a) != 1
        || Layouts.u16(frame, a + 2) != ETHERTYPE_IPV4
        || Layouts.u16(frame, a + ARP_OPER) != ARP_REPLY) {
      return Optional.empty();
    }
    return Optional.of(new Reply(Layouts.u32(frame, a + ARP_SPA), Layouts.mac(frame, a + ARP_SHA)));
  }
}
