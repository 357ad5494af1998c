package dev.portolan.scanner.packet;

import static dev.portolan.scanner.packet.GoldenFrames.ip;
import static dev.portolan.scanner.packet.GoldenFrames.load;
import static dev.portolan.scanner.packet.GoldenFrames.pcap4j;
import static dev.portolan.scanner.packet.GoldenFrames.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.portolan.scanner.packet.TcpReply.Result;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.TcpPacket;

@DisplayName("TcpReply")
class TcpReplyTest {
  private static final String[] TCP_FIXTURES = {
    "linux-syn-ack", "windows-syn-ack", "linux-rst-ack", "syn-ack-ip-options", "portolan-syn"
  };

  private final TcpReply reply = new TcpReply();

  private Result decode(byte[] frame) {
    return reply.decode(segment(frame), 0, frame.length);
  }

  private String layout() {
    return TcpReply.optionLayout(reply.optionKinds, reply.optionCount);
  }

  @Nested
  @DisplayName("decodes golden frames")
  class Golden {
    @ParameterizedTest(name = "{0} is a real frame: pcap4j finds both checksums valid")
    @ValueSource(strings = {"linux-syn-ack", "windows-syn-ack", "linux-rst-ack", "syn-ack-ip-options"})
    void fixturesAreReal(String name) {
      var packet = pcap4j(load(name));
      IpV4Packet.IpV4Header ipHeader = packet.get(IpV4Packet.class).getHeader();
      assertThat(ipHeader.hasValidChecksum(false)).isTrue();
      assertThat(packet.get(TcpPacket.class).hasValidChecksum(ipHeader.getSrcAddr(), ipHeader.getDstAddr(), false))
          .isTrue();
    }

    @Test
    @DisplayName("a Linux SYN-ACK: addresses, ports, numbers, TTL, window, MSS, scale, mss,sok,ts,nop,ws")
    void linuxSynAck() {
      assertThat(decode(load("linux-syn-ack"))).isEqualTo(Result.TCP);
      assertThat(reply.srcIp).isEqualTo(ip("198.18.0.10"));
      assertThat(reply.dstIp).isEqualTo(ip("198.18.0.1"));
      assertThat(reply.srcPort).isEqualTo(22);
      assertThat(reply.dstPort).isEqualTo(40000);
      assertThat(reply.seq).isEqualTo(0x8c3a91f2);
      assertThat(reply.ack).isEqualTo(0x5eed1235);
      assertThat(reply.isSynAck()).isTrue();
      assertThat(reply.isRst()).isFalse();
      assertThat(reply.ttl).isEqualTo(64);
      assertThat(reply.window).isEqualTo(65160);
      assertThat(reply.ipId).isZero();
      assertThat(reply.mss).isEqualTo(1460);
      assertThat(reply.windowScale).isEqualTo(7);
      assertThat(reply.optionCount).isEqualTo(5);
      assertThat(layout()).isEqualTo("mss,sok,ts,nop,ws");
    }

    @Test
    @DisplayName("a Windows SYN-ACK: TTL 128, window scale 8, mss,nop,ws,nop,nop,sok")
    void windowsSynAck() {
      assertThat(decode(load("windows-syn-ack"))).isEqualTo(Result.TCP);
      assertThat(reply.srcIp).isEqualTo(ip("198.18.0.20"));
      assertThat(reply.srcPort).isEqualTo(3389);
      assertThat(reply.dstPort).isEqualTo(40001);
      assertThat(reply.ack).isEqualTo(0x00010001);
      assertThat(reply.ttl).isEqualTo(128);
      assertThat(reply.window).isEqualTo(65535);
      assertThat(reply.ipId).isEqualTo(0x3a1c);
      assertThat(reply.mss).isEqualTo(1460);
      assertThat(reply.windowScale).isEqualTo(8);
      assertThat(reply.isSynAck()).isTrue();
      assertThat(layout()).isEqualTo("mss,nop,ws,nop,nop,sok");
    }

    @Test
    @DisplayName("a padded RST,ACK: a reset, not a SYN-ACK, with no options")
    void rstAck() {
      byte[] frame = load("linux-rst-ack");
      assertThat(frame).hasSize(60);
      assertThat(decode(frame)).isEqualTo(Result.TCP);
      assertThat(reply.isRst()).isTrue();
      assertThat(reply.isSynAck()).isFalse();
      assertThat(reply.srcPort).isEqualTo(8080);
      assertThat(reply.dstPort).isEqualTo(40002);
      assertThat(reply.ack).isEqualTo(0x01020305);
      assertThat(reply.window).isZero();
      assertThat(reply.mss).isEqualTo(-1);
      assertThat(reply.windowScale).isEqualTo(-1);
      assertThat(reply.optionCount).isZero();
      assertThat(layout()).isEmpty();
    }

    @Test
    @DisplayName("a SYN-ACK behind IPv4 options: TCP is found after the longer IP header")
    void ipOptions() {
      assertThat(decode(load("syn-ack-ip-options"))).isEqualTo(Result.TCP);
      assertThat(reply.srcIp).isEqualTo(ip("198.18.0.30"));
      assertThat(reply.srcPort).isEqualTo(443);
      assertThat(reply.dstPort).isEqualTo(40003);
      assertThat(reply.seq).isEqualTo(0x11111111);
      assertThat(reply.ack).isEqualTo(0x22222223);
      assertThat(reply.ttl).isEqualTo(57);
      assertThat(reply.window).isEqualTo(29200);
      assertThat(reply.mss).isEqualTo(1400);
      assertThat(reply.windowScale).isEqualTo(-1);
      assertThat(layout()).isEqualTo("mss");
    }

    @Test
    @DisplayName("our own SYN probe reads back as written")
    void ownProbe() {
      SynProbeFrame frame = new SynProbeFrame(1, 2, ip("198.18.0.1"), 99);
      MemorySegment out = MemorySegment.ofArray(new byte[SynProbeFrame.LENGTH]);
      frame.write(out, 0, ip("203.0.113.200"), 61_000, 443, 0xcafef00d, 777);
      assertThat(reply.decode(out, 0, SynProbeFrame.LENGTH)).isEqualTo(Result.TCP);
      assertThat(reply.srcIp).isEqualTo(ip("198.18.0.1"));
      assertThat(reply.dstIp).isEqualTo(ip("203.0.113.200"));
      assertThat(reply.srcPort).isEqualTo(61_000);
      assertThat(reply.dstPort).isEqualTo(443);
      assertThat(reply.seq).isEqualTo(0xcafef00d);
      assertThat(reply.ipId).isEqualTo(777);
      assertThat(reply.flags).isEqualTo(Frames.TCP_SYN);
      assertThat(reply.isSynAck()).isFalse();
      assertThat(reply.mss).isEqualTo(SynProbeFrame.MSS);
      assertThat(reply.windowScale).isEqualTo(SynProbeFrame.WINDOW_SCALE);
      assertThat(layout()).isEqualTo("mss,sok,ts,nop,ws");
    }

    @Test
    @DisplayName("a frame in the middle of a larger buffer, at its offset")
    void atOffset() {
      byte[] frame = load("linux-syn-ack");
      byte[] ring = new byte[frame.length + 300];
      Arrays.fill(ring, (byte) 0xee);
      System.arraycopy(frame, 0, ring, 123, frame.length);
      assertThat(reply.decode(segment(ring), 123, frame.length)).isEqualTo(Result.TCP);
      assertThat(reply.srcPort).isEqualTo(22);
      assertThat(layout()).isEqualTo("mss,sok,ts,nop,ws");
    }

    @Test
    @DisplayName("a reused holder keeps nothing of the previous frame's options")
    void reuse() {
      assertThat(decode(load("linux-syn-ack"))).isEqualTo(Result.TCP);
      assertThat(decode(load("linux-rst-ack"))).isEqualTo(Result.TCP);
      assertThat(reply.mss).isEqualTo(-1);
      assertThat(reply.windowScale).isEqualTo(-1);
      assertThat(reply.optionKinds).isZero();
      assertThat(reply.optionCount).isZero();
    }

    @Test
    @DisplayName("decodeIp reads a packet with no link header")
    void decodeIp() {
      byte[] frame = load("linux-syn-ack");
      byte[] packet = Arrays.copyOfRange(frame, Frames.ETH_HEADER, frame.length);
      assertThat(reply.decodeIp(segment(packet), 0, packet.length)).isEqualTo(Result.TCP);
      assertThat(reply.srcPort).isEqualTo(22);
      assertThat(reply.mss).isEqualTo(1460);
    }
  }

  @Nested
  @DisplayName("is NOT_TCP for what it cannot match")
  class NotTcp {
    private byte[] synAck() {
      return load("linux-syn-ack");
    }

    @ParameterizedTest(name = "ethertype 0x{0}")
    @ValueSource(ints = {0x0806, 0x86dd, 0x8100, 0x88a8, 0x0000, 0xffff})
    void otherEthertypes(int ethertype) {
      byte[] frame = synAck();
      frame[12] = (byte) (ethertype >>> 8);
      frame[13] = (byte) ethertype;
      assertThat(decode(frame)).isEqualTo(Result.NOT_TCP);
    }

    @Test
    @DisplayName("a golden ARP reply")
    void arp() {
      assertThat(decode(load("arp-reply"))).isEqualTo(Result.NOT_TCP);
    }

    @ParameterizedTest(name = "IP protocol {0}")
    @ValueSource(ints = {1, 17, 47, 50, 132, 255})
    void otherProtocols(int protocol) {
      byte[] frame = synAck();
      frame[Frames.ETH_HEADER + Frames.IP_PROTOCOL] = (byte) protocol;
      assertThat(decode(frame)).isEqualTo(Result.NOT_TCP);
    }

    @ParameterizedTest(name = "version/IHL byte 0x{0}")
    @ValueSource(ints = {0x65, 0x60, 0x44, 0x40, 0x41, 0x05, 0xf5})
    void notIpv4OrShortHeader(int versionIhl) {
      byte[] frame = synAck();
      frame[Frames.ETH_HEADER] = (byte) versionIhl;
      assertThat(decode(frame)).isEqualTo(Result.NOT_TCP);
    }

    @ParameterizedTest(name = "flags/fragment field 0x{0}")
    @ValueSource(ints = {0x2000, 0x6000, 0x0001, 0x4001, 0x1fff, 0x3fff})
    void fragments(int flagsAndOffset) {
      byte[] frame = synAck();
      frame[Frames.ETH_HEADER + Frames.IP_FLAGS_FRAGMENT] = (byte) (flagsAndOffset >>> 8);
      frame[Frames.ETH_HEADER + Frames.IP_FLAGS_FRAGMENT + 1] = (byte) flagsAndOffset;
      assertThat(decode(frame)).isEqualTo(Result.NOT_TCP);
    }

    @Test
    @DisplayName("but DF alone (or no flags) is an ordinary TCP packet")
    void dontFragmentIsNotAFragment() {
      byte[] frame = synAck();
      frame[Frames.ETH_HEADER + Frames.IP_FLAGS_FRAGMENT] = 0;
      assertThat(decode(frame)).isEqualTo(Result.TCP);
      frame[Frames.ETH_HEADER + Frames.IP_FLAGS_FRAGMENT] = 0x40;
      assertThat(decode(frame)).isEqualTo(Result.TCP);
    }
  }

  @Nested
  @DisplayName("treats bytes as hostile: never throws")
  class Hostile {
    @Test
    @DisplayName("every truncation of every golden frame is INCOMPLETE before the TCP header ends, TCP after")
    void everyTruncation() {
      for (String name : TCP_FIXTURES) {
        byte[] full = load(name);
        assertThat(decode(full)).isEqualTo(Result.TCP);
        long fullKinds = reply.optionKinds;
        int fullCount = reply.optionCount;
        int ihl = (full[Frames.ETH_HEADER] & 0x0f) * 4;
        int headersEnd = Frames.ETH_HEADER + ihl + Frames.TCP_HEADER;
        for (int len = 0; len <= full.length; len++) {
          byte[] cut = Arrays.copyOf(full, len); // a segment of exactly len bytes: overreads throw
          Result r = reply.decode(segment(cut), 0, len);
          assertThat(r)
              .as("%s cut to %d bytes", name, len)
              .isEqualTo(len < headersEnd ? Result.INCOMPLETE : Result.TCP);
          if (r == Result.TCP) {
            // Options are read as far as they go: the kinds seen are a prefix of the full list.
            assertThat(reply.optionCount).isLessThanOrEqualTo(fullCount);
            long mask = reply.optionCount == 16 ? -1L : (1L << (4 * reply.optionCount)) - 1;
            assertThat(reply.optionKinds).isEqualTo(fullKinds & mask);
            assertThat(reply.mss).isIn(-1, 1400, 1460);
          }
        }
      }
    }

    @Test
    @DisplayName("200,000 random byte strings of random lengths")
    void randomGarbage() {
      SplittableRandom random = new SplittableRandom(1);
      for (int i = 0; i < 200_000; i++) {
        byte[] junk = new byte[random.nextInt(0, 130)];
        random.nextBytes(junk);
        if (i % 2 == 0 && junk.length > 24) {
          // Half of them look like IPv4/TCP far enough to reach the option parser.
          junk[12] = 0x08;
          junk[13] = 0x00;
          junk[14] = (byte) (0x40 | random.nextInt(16));
          junk[14 + Frames.IP_PROTOCOL] = 6;
          junk[14 + Frames.IP_FLAGS_FRAGMENT] = 0;
          junk[14 + Frames.IP_FLAGS_FRAGMENT + 1] = 0;
        }
        decodeWithoutThrowing(junk);
      }
    }

    @Test
    @DisplayName("golden frames with random bytes flipped, most often in the options")
    void mutatedFrames() {
      SplittableRandom random = new SplittableRandom(2);
      for (String name : TCP_FIXTURES) {
        byte[] golden = load(name);
        for (int i = 0; i < 20_000; i++) {
          byte[] frame = golden.clone();
          for (int flips = random.nextInt(1, 5); flips > 0; flips--) {
            int at = random.nextBoolean() ? random.nextInt(frame.length) : random.nextInt(Math.max(0, frame.length - 24), frame.length);
            frame[at] = (byte) random.nextInt(256);
          }
          decodeWithoutThrowing(Arrays.copyOf(frame, random.nextInt(frame.length + 1)));
        }
      }
    }

    @Test
    @DisplayName("options with zero, one or overlong lengths end the option list instead of looping")
    void badOptionLengths() {
      for (int badLength : new int[] {0, 1, 41, 255}) {
        byte[] frame = load("linux-syn-ack");
        int options = Frames.ETH_HEADER + Frames.IP_HEADER + Frames.TCP_HEADER;
        frame[options + 4] = 8; // where sackOK was: a timestamp option of a bad length
        frame[options + 5] = (byte) badLength;
        assertThat(decode(frame)).isEqualTo(Result.TCP);
        assertThat(reply.mss).isEqualTo(1460);
        assertThat(layout()).isEqualTo("mss,ts");
        assertThat(reply.windowScale).isEqualTo(-1);
      }
    }

    @Test
    @DisplayName("end-of-options stops the list; a data offset under 5 words is INCOMPLETE")
    void endOfOptionsAndShortOffset() {
      byte[] frame = load("linux-syn-ack");
      int options = Frames.ETH_HEADER + Frames.IP_HEADER + Frames.TCP_HEADER;
      frame[options + 4] = 0; // EOL after MSS
      assertThat(decode(frame)).isEqualTo(Result.TCP);
      assertThat(layout()).isEqualTo("mss,eol");
      assertThat(reply.windowScale).isEqualTo(-1);

      for (int words = 0; words < 5; words++) {
        frame[Frames.ETH_HEADER + Frames.IP_HEADER + Frames.TCP_OFFSET] = (byte) (words << 4);
        assertThat(decode(frame)).isEqualTo(Result.INCOMPLETE);
      }
    }

    @Test
    @DisplayName("a data offset of 15 words on a short capture reads only the captured options")
    void maximalDataOffset() {
      byte[] frame = load("linux-syn-ack");
      frame[Frames.ETH_HEADER + Frames.IP_HEADER + Frames.TCP_OFFSET] = (byte) 0xf0;
      assertThat(decode(frame)).isEqualTo(Result.TCP);
      assertThat(layout()).isEqualTo("mss,sok,ts,nop,ws");
    }

    @Test
    @DisplayName("records at most 16 option kinds")
    void manyOptions() {
      byte[] frame = load("linux-syn-ack");
      int options = Frames.ETH_HEADER + Frames.IP_HEADER + Frames.TCP_HEADER;
      Arrays.fill(frame, options, options + 20, (byte) Frames.OPT_NOP);
      assertThat(decode(frame)).isEqualTo(Result.TCP);
      assertThat(reply.optionCount).isEqualTo(16);
      assertThat(layout()).isEqualTo(String.join(",", java.util.Collections.nCopies(16, "nop")));
    }

    private void decodeWithoutThrowing(byte[] bytes) {
      assertThatCode(
              () -> {
                Result r = reply.decode(segment(bytes), 0, bytes.length);
                assertThat(r).isNotNull();
                if (r == Result.TCP) {
                  assertThat(reply.optionCount).isBetween(0, 16);
                  assertThat(reply.mss).isBetween(-1, 65_535);
                  assertThat(reply.windowScale).isBetween(-1, 255);
                }
              })
          .as("decoding %s", java.util.HexFormat.of().formatHex(bytes))
          .doesNotThrowAnyException();
    }
  }

  @Nested
  @DisplayName("optionLayout writes p0f's notation")
  class OptionLayout {
    private long kinds(int... k) {
      long packed = 0;
      for (int i = 0; i < k.length; i++) {
        packed |= (long) k[i] << (4 * i);
      }
      return packed;
    }

    @Test
    @DisplayName("for the known kinds")
    void knownKinds() {
      assertThat(TcpReply.optionLayout(kinds(2, 4, 8, 1, 3), 5)).isEqualTo("mss,sok,ts,nop,ws");
      assertThat(TcpReply.optionLayout(kinds(2, 1, 1, 5, 0), 5)).isEqualTo("mss,nop,nop,sack,eol");
    }

    @Test
    @DisplayName("writing unnamed kinds as ?N and kinds over 14 as ?15")
    void unknownKinds() {
      assertThat(TcpReply.optionLayout(kinds(6, 7, 9, 14, 15), 5)).isEqualTo("?6,?7,?9,?14,?15");
    }

    @Test
    @DisplayName("for the first count kinds only, and nothing for zero")
    void count() {
      assertThat(TcpReply.optionLayout(kinds(2, 4, 8, 1, 3), 2)).isEqualTo("mss,sok");
      assertThat(TcpReply.optionLayout(kinds(2, 4), 0)).isEmpty();
    }

    @Test
    @DisplayName("clamping a real kind over 14 (here 30, MPTCP) to ?15 when decoding")
    void largeKindFromWire() {
      byte[] frame = load("linux-syn-ack");
      int options = Frames.ETH_HEADER + Frames.IP_HEADER + Frames.TCP_HEADER;
      frame[options + 4] = 30; // replace sackOK (4,2) with kind 30 of length 2
      assertThat(decode(frame)).isEqualTo(Result.TCP);
      assertThat(layout()).isEqualTo("mss,?15,ts,nop,ws");
    }
  }
}
