package dev.portolan.scanner.packet;

import static dev.portolan.scanner.packet.GoldenFrames.bytes;
import static dev.portolan.scanner.packet.GoldenFrames.inet;
import static dev.portolan.scanner.packet.GoldenFrames.ip;
import static dev.portolan.scanner.packet.GoldenFrames.pcap4j;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.TcpMaximumSegmentSizeOption;
import org.pcap4j.packet.TcpNoOperationOption;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.TcpSackPermittedOption;
import org.pcap4j.packet.TcpTimestampsOption;
import org.pcap4j.packet.TcpWindowScaleOption;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.util.MacAddress;

@DisplayName("SynProbeFrame")
class SynProbeFrameTest {
  private static final long OUR_MAC = 0x02_00_00_00_00_01L;
  private static final long NEXT_HOP_MAC = 0x02_00_00_00_00_feL;
  private static final int OUR_IP = ip("198.18.0.1");
  private static final int TSVAL = 0x00bc614e;

  private static byte[] write(SynProbeFrame frame, int dstIp, int srcPort, int dstPort, int seq, int ipId) {
    MemorySegment out = MemorySegment.ofArray(new byte[SynProbeFrame.LENGTH]);
    frame.write(out, 0, dstIp, srcPort, dstPort, seq, ipId);
    return out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
  }

  @Test
  @DisplayName("writes byte for byte the golden SYN built independently (frames/portolan-syn.hex)")
  void matchesGoldenFrame() {
    SynProbeFrame frame = new SynProbeFrame(OUR_MAC, NEXT_HOP_MAC, OUR_IP, TSVAL);
    byte[] written = write(frame, ip("198.18.0.10"), 40000, 22, 0x5eed1234, 0x1234);
    assertThat(written).isEqualTo(GoldenFrames.load("portolan-syn"));
    assertThat(SynProbeFrame.LENGTH).isEqualTo(74);
  }

  @Nested
  @DisplayName("decoded by pcap4j")
  class DecodedByPcap4j {
    private final SynProbeFrame frame = new SynProbeFrame(OUR_MAC, NEXT_HOP_MAC, OUR_IP, TSVAL);
    private final EthernetPacket packet =
        pcap4j(write(frame, ip("198.18.0.10"), 40000, 22, 0x5eed1234, 0x1234));
    private final IpV4Packet.IpV4Header ipHeader = packet.get(IpV4Packet.class).getHeader();
    private final TcpPacket tcp = packet.get(TcpPacket.class);

    @Test
    @DisplayName("is Ethernet from our MAC to the next hop, carrying IPv4")
    void ethernet() {
      assertThat(packet.getHeader().getSrcAddr()).isEqualTo(MacAddress.getByName("02:00:00:00:00:01"));
      assertThat(packet.getHeader().getDstAddr()).isEqualTo(MacAddress.getByName("02:00:00:00:00:fe"));
      assertThat(packet.getHeader().getType()).isEqualTo(EtherType.IPV4);
    }

    @Test
    @DisplayName("is IPv4 with DF set, TTL 64, protocol TCP, a 60-byte total length and no options")
    void ipHeader() {
      assertThat(ipHeader.getIhlAsInt()).isEqualTo(5);
      assertThat(ipHeader.getDontFragmentFlag()).isTrue();
      assertThat(ipHeader.getMoreFragmentFlag()).isFalse();
      assertThat(ipHeader.getFragmentOffset()).isZero();
      assertThat(ipHeader.getTtlAsInt()).isEqualTo(64);
      assertThat(ipHeader.getProtocol()).isEqualTo(IpNumber.TCP);
      assertThat(ipHeader.getTotalLengthAsInt()).isEqualTo(60);
      assertThat(ipHeader.getIdentificationAsInt()).isEqualTo(0x1234);
      assertThat(ipHeader.getSrcAddr()).isEqualTo(inet(ip("198.18.0.1")));
      assertThat(ipHeader.getDstAddr()).isEqualTo(inet(ip("198.18.0.10")));
      assertThat(ipHeader.hasValidChecksum(false)).isTrue();
    }

    @Test
    @DisplayName("is a bare SYN with Linux's window and the requested ports and sequence number")
    void tcpHeader() {
      TcpPacket.TcpHeader h = tcp.getHeader();
      assertThat(h.getSrcPort().valueAsInt()).isEqualTo(40000);
      assertThat(h.getDstPort().valueAsInt()).isEqualTo(22);
      assertThat(h.getSequenceNumber()).isEqualTo(0x5eed1234);
      assertThat(h.getAcknowledgmentNumber()).isZero();
      assertThat(h.getSyn()).isTrue();
      assertThat(h.getAck() || h.getRst() || h.getFin() || h.getPsh() || h.getUrg()).isFalse();
      assertThat(h.getWindowAsInt()).isEqualTo(64240);
      assertThat(h.getDataOffsetAsInt()).isEqualTo(10);
      assertThat(tcp.getPayload()).isNull();
      assertThat(tcp.hasValidChecksum(ipHeader.getSrcAddr(), ipHeader.getDstAddr(), false)).isTrue();
    }

    @Test
    @DisplayName("offers MSS 1460, SACK-permitted, timestamps, NOP, window scale 7, in that order")
    void options() {
      List<TcpPacket.TcpOption> options = tcp.getHeader().getOptions();
      assertThat(options)
          .extracting(o -> o.getClass().getSimpleName())
          .containsExactly(
              "TcpMaximumSegmentSizeOption",
              "TcpSackPermittedOption",
              "TcpTimestampsOption",
              "TcpNoOperationOption",
              "TcpWindowScaleOption");
      assertThat(((TcpMaximumSegmentSizeOption) options.get(0)).getMaxSegSizeAsInt()).isEqualTo(1460);
      assertThat(options.get(1)).isInstanceOf(TcpSackPermittedOption.class);
      TcpTimestampsOption ts = (TcpTimestampsOption) options.get(2);
      assertThat(ts.getTsValue()).isEqualTo(TSVAL);
      assertThat(ts.getTsEchoReply()).isZero();
      assertThat(options.get(3)).isInstanceOf(TcpNoOperationOption.class);
      assertThat(((TcpWindowScaleOption) options.get(4)).getShiftCountAsInt()).isEqualTo(7);
    }
  }

  @Nested
  @DisplayName("checksums")
  class Checksums {
    @Test
    @DisplayName("are valid for 20,000 random destinations, ports, sequence numbers and IP IDs")
    void validForRandomProbes() {
      SplittableRandom random = new SplittableRandom(2024);
      for (int source = 0; source < 20; source++) {
        int srcIp = random.nextInt();
        SynProbeFrame frame =
            new SynProbeFrame(random.nextLong() >>> 16, random.nextLong() >>> 16, srcIp, random.nextInt());
        for (int i = 0; i < 1000; i++) {
          int dstIp = random.nextInt();
          int srcPort = random.nextInt(65_536);
          int dstPort = random.nextInt(65_536);
          int seq = random.nextInt();
          int ipId = random.nextInt(65_536);
          assertValid(write(frame, dstIp, srcPort, dstPort, seq, ipId), srcIp, dstIp, srcPort, dstPort, seq, ipId);
        }
      }
    }

    @Test
    @DisplayName("are valid at the edges: all-zero and all-one fields, sums that carry")
    void validAtEdges() {
      int[] addresses = {0, -1, 0x80000000, 0x7fffffff, 0xffff0000, 0x0000ffff};
      int[] ports = {0, 1, 65_535, 0x8000};
      int[] numbers = {0, -1, 0x80000000, 0xffff0000, 0x0000ffff};
      for (int srcIp : addresses) {
        SynProbeFrame frame = new SynProbeFrame(0xffff_ffff_ffffL, 0, srcIp, -1);
        for (int dstIp : addresses) {
          for (int port : ports) {
            for (int seq : numbers) {
              int ipId = seq & 0xffff;
              assertValid(write(frame, dstIp, port, 65_535 - port, seq, ipId), srcIp, dstIp, port, 65_535 - port, seq, ipId);
            }
          }
        }
      }
    }

    private void assertValid(
        byte[] bytes, int srcIp, int dstIp, int srcPort, int dstPort, int seq, int ipId) {
      EthernetPacket packet = pcap4j(bytes);
      IpV4Packet.IpV4Header ipHeader = packet.get(IpV4Packet.class).getHeader();
      TcpPacket tcp = packet.get(TcpPacket.class);
      String probe =
          String.format("%08x:%d -> %08x:%d seq %08x id %04x", srcIp, srcPort, dstIp, dstPort, seq, ipId);
      assertThat(ipHeader.hasValidChecksum(false)).as("IP checksum of %s", probe).isTrue();
      assertThat(tcp.hasValidChecksum(inet(srcIp), inet(dstIp), false)).as("TCP checksum of %s", probe).isTrue();
      assertThat(ipHeader.getDstAddr()).isEqualTo(inet(dstIp));
      assertThat(ipHeader.getIdentificationAsInt()).isEqualTo(ipId);
      assertThat(tcp.getHeader().getSrcPort().valueAsInt()).isEqualTo(srcPort);
      assertThat(tcp.getHeader().getDstPort().valueAsInt()).isEqualTo(dstPort);
      assertThat(tcp.getHeader().getSequenceNumber()).isEqualTo(seq);
    }
  }

  @Nested
  @DisplayName("writing in place")
  class InPlace {
    @Test
    @DisplayName("writes exactly LENGTH bytes at the offset and leaves the rest of the buffer alone")
    void writesOnlyItsSlot() {
      SynProbeFrame frame = new SynProbeFrame(OUR_MAC, NEXT_HOP_MAC, OUR_IP, TSVAL);
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment ring = arena.allocate(4 * 128);
        ring.fill((byte) 0x5a);
        frame.write(ring, 128, ip("198.18.0.10"), 40000, 22, 0x5eed1234, 0x1234);
        assertThat(bytes(ring, 128, SynProbeFrame.LENGTH)).isEqualTo(GoldenFrames.load("portolan-syn"));
        byte[] before = bytes(ring, 0, 128);
        byte[] after = bytes(ring, 128 + SynProbeFrame.LENGTH, 4 * 128 - 128 - SynProbeFrame.LENGTH);
        assertThat(before).containsOnly((byte) 0x5a);
        assertThat(after).containsOnly((byte) 0x5a);
      }
    }

    @Test
    @DisplayName("overwriting a slot that held another probe gives the same bytes as a fresh buffer")
    void reusedSlotCarriesNothingOver() {
      SynProbeFrame frame = new SynProbeFrame(OUR_MAC, NEXT_HOP_MAC, OUR_IP, TSVAL);
      MemorySegment slot = MemorySegment.ofArray(new byte[SynProbeFrame.LENGTH]);
      frame.write(slot, 0, ip("198.18.255.255"), 65_535, 65_535, -1, 0xffff);
      SynProbeFrame.setDestinationMac(slot, 0, 0x0a_0b_0c_0d_0e_0fL);
      frame.write(slot, 0, ip("198.18.0.10"), 40000, 22, 0x5eed1234, 0x1234);
      assertThat(bytes(slot, 0, SynProbeFrame.LENGTH)).isEqualTo(GoldenFrames.load("portolan-syn"));
    }

    @Test
    @DisplayName("setDestinationMac changes the destination MAC only, and the checksums stay valid")
    void setDestinationMac() {
      SynProbeFrame frame = new SynProbeFrame(OUR_MAC, NEXT_HOP_MAC, OUR_IP, TSVAL);
      MemorySegment out = MemorySegment.ofArray(new byte[SynProbeFrame.LENGTH + 10]);
      frame.write(out, 10, ip("198.18.0.10"), 40000, 22, 0x5eed1234, 0x1234);
      SynProbeFrame.setDestinationMac(out, 10, 0xfe_dc_ba_98_76_54L);
      byte[] written = bytes(out, 10, SynProbeFrame.LENGTH);
      byte[] golden = GoldenFrames.load("portolan-syn");
      assertThat(java.util.Arrays.copyOfRange(written, 6, written.length))
          .isEqualTo(java.util.Arrays.copyOfRange(golden, 6, golden.length));
      EthernetPacket packet = pcap4j(written);
      assertThat(packet.getHeader().getDstAddr()).isEqualTo(MacAddress.getByName("fe:dc:ba:98:76:54"));
      IpV4Packet.IpV4Header ipHeader = packet.get(IpV4Packet.class).getHeader();
      assertThat(ipHeader.hasValidChecksum(false)).isTrue();
      assertThat(packet.get(TcpPacket.class).hasValidChecksum(ipHeader.getSrcAddr(), ipHeader.getDstAddr(), false))
          .isTrue();
    }
  }
}
