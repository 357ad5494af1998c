package dev.portolan.scanner.packet;

import static dev.portolan.scanner.packet.GoldenFrames.bytes;
import static dev.portolan.scanner.packet.GoldenFrames.inet;
import static dev.portolan.scanner.packet.GoldenFrames.ip;
import static dev.portolan.scanner.packet.GoldenFrames.load;
import static dev.portolan.scanner.packet.GoldenFrames.pcap4j;
import static dev.portolan.scanner.packet.GoldenFrames.segment;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.namednumber.ArpHardwareType;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.util.MacAddress;

@DisplayName("ArpFrame")
class ArpFrameTest {

  @Nested
  @DisplayName("writeRequest")
  class WriteRequest {
    private final MemorySegment out = MemorySegment.ofArray(new byte[100]);
    private final int length;

    WriteRequest() {
      out.fill((byte) 0xaa); // a dirty buffer: the request must not carry old bytes
      length = ArpFrame.writeRequest(out, 0x02_00_00_00_00_01L, ip("198.18.0.1"), ip("198.18.0.254"));
    }

    @Test
    @DisplayName("is padded to the 60-byte Ethernet minimum with zeros")
    void padded() {
      assertThat(length).isEqualTo(60);
      assertThat(bytes(out, 42, 18)).containsOnly((byte) 0);
      assertThat(bytes(out, 60, 40)).as("bytes past the frame are untouched").containsOnly((byte) 0xaa);
    }

    @Test
    @DisplayName("is broadcast from our MAC, as ARP")
    void ethernet() {
      EthernetPacket packet = pcap4j(bytes(out, 0, length));
      assertThat(packet.getHeader().getDstAddr()).isEqualTo(MacAddress.ETHER_BROADCAST_ADDRESS);
      assertThat(packet.getHeader().getSrcAddr()).isEqualTo(MacAddress.getByName("02:00:00:00:00:01"));
      assertThat(packet.getHeader().getType()).isEqualTo(EtherType.ARP);
    }

    @Test
    @DisplayName("asks who has the target, telling our MAC and address (pcap4j decodes it)")
    void arpFields() {
      ArpPacket.ArpHeader arp = pcap4j(bytes(out, 0, length)).get(ArpPacket.class).getHeader();
      assertThat(arp.getHardwareType()).isEqualTo(ArpHardwareType.ETHERNET);
      assertThat(arp.getProtocolType()).isEqualTo(EtherType.IPV4);
      assertThat(arp.getHardwareAddrLengthAsInt()).isEqualTo(6);
      assertThat(arp.getProtocolAddrLengthAsInt()).isEqualTo(4);
      assertThat(arp.getOperation()).isEqualTo(ArpOperation.REQUEST);
      assertThat(arp.getSrcHardwareAddr()).isEqualTo(MacAddress.getByName("02:00:00:00:00:01"));
      assertThat(arp.getSrcProtocolAddr()).isEqualTo(inet(ip("198.18.0.1")));
      assertThat(arp.getDstHardwareAddr()).isEqualTo(MacAddress.getByName("00:00:00:00:00:00"));
      assertThat(arp.getDstProtocolAddr()).isEqualTo(inet(ip("198.18.0.254")));
    }

    @Test
    @DisplayName("is not mistaken for a reply")
    void notAReply() {
      assertThat(ArpFrame.parseReply(out, length)).isEmpty();
    }
  }

  @Nested
  @DisplayName("parseReply")
  class ParseReply {
    @Test
    @DisplayName("gives the sender of a golden reply")
    void goldenReply() {
      byte[] frame = load("arp-reply");
      assertThat(ArpFrame.parseReply(segment(frame), frame.length))
          .contains(new ArpFrame.Reply(ip("198.18.0.254"), 0x02_00_00_00_00_feL));
    }

    @Test
    @DisplayName("keeps all 48 bits of MACs with the high bits set")
    void highMac() {
      byte[] frame = load("arp-reply");
      int sha = Frames.ETH_HEADER + Frames.ARP_SHA;
      byte[] mac = {(byte) 0xfe, (byte) 0xdc, (byte) 0xba, (byte) 0x98, (byte) 0x86, (byte) 0xff};
      System.arraycopy(mac, 0, frame, sha, 6);
      frame[Frames.ETH_HEADER + Frames.ARP_SPA] = (byte) 0xf0;
      assertThat(ArpFrame.parseReply(segment(frame), frame.length))
          .contains(new ArpFrame.Reply(ip("240.18.0.254"), 0xfe_dc_ba_98_86_ffL));
    }

    @Test
    @DisplayName("reads an unpadded 42-byte reply")
    void unpadded() {
      byte[] frame = Arrays.copyOf(load("arp-reply"), 42);
      assertThat(ArpFrame.parseReply(segment(frame), 42)).isPresent();
    }

    @Test
    @DisplayName("is empty for every truncation shorter than an ARP packet, without throwing")
    void truncated() {
      byte[] full = load("arp-reply");
      for (int len = 0; len < 42; len++) {
        assertThat(ArpFrame.parseReply(segment(Arrays.copyOf(full, len)), len)).as("%d bytes", len).isEmpty();
      }
    }

    @Test
    @DisplayName("is empty for a request, a non-ARP frame, non-Ethernet hardware or non-IPv4 protocol")
    void notAnEthernetIpv4Reply() {
      assertThat(parseWith(Frames.ETH_HEADER + Frames.ARP_OPER + 1, 1)).isEmpty(); // request
      assertThat(parseWith(Frames.ETH_HEADER + Frames.ARP_OPER + 1, 3)).isEmpty(); // RARP request
      assertThat(parseWith(Frames.ETH_TYPE + 1, 0x00)).isEmpty(); // ethertype 0x0800: IPv4
      assertThat(parseWith(Frames.ETH_HEADER + 1, 6)).isEmpty(); // hardware type 6 (IEEE 802)
      assertThat(parseWith(Frames.ETH_HEADER + 2, 0x86)).isEmpty(); // protocol 0x8600
      assertThat(ArpFrame.parseReply(segment(load("linux-syn-ack")), 74)).isEmpty();
    }

    @Test
    @DisplayName("never throws on random bytes")
    void randomBytes() {
      SplittableRandom random = new SplittableRandom(9);
      for (int i = 0; i < 50_000; i++) {
        byte[] junk = new byte[random.nextInt(0, 80)];
        random.nextBytes(junk);
        if (junk.length > 13 && random.nextBoolean()) {
          junk[12] = 0x08;
          junk[13] = 0x06;
        }
        ArpFrame.parseReply(segment(junk), junk.length);
      }
    }

    private java.util.Optional<ArpFrame.Reply> parseWith(int offset, int value) {
      byte[] frame = load("arp-reply");
      assertThat(ArpFrame.parseReply(segment(frame), frame.length)).isPresent();
      frame[offset] = (byte) value;
      return ArpFrame.parseReply(segment(frame), frame.length);
    }
  }
}
