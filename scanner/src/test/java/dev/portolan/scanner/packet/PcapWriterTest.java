package dev.portolan.scanner.packet;

import static dev.portolan.scanner.packet.GoldenFrames.ip;
import static dev.portolan.scanner.packet.GoldenFrames.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.namednumber.DataLinkType;

@DisplayName("PcapWriter")
class PcapWriterTest {
  private static final long T0 = 1_700_000_000_123_456_789L; // 2023-11-14T22:13:20.123456789Z

  @TempDir Path dir;

  @Nested
  @DisplayName("writes a classic pcap file")
  class Format {
    @Test
    @DisplayName("with the little-endian microsecond header: magic, version 2.4, snaplen 65535, Ethernet")
    void globalHeader() throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (PcapWriter writer = new PcapWriter(bytes)) {
        writer.flush();
      }
      ByteBuffer h = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
      assertThat(h.remaining()).isEqualTo(24);
      assertThat(h.getInt()).isEqualTo(0xa1b2c3d4);
      assertThat(h.getShort()).isEqualTo((short) 2);
      assertThat(h.getShort()).isEqualTo((short) 4);
      assertThat(h.getInt()).isZero(); // thiszone
      assertThat(h.getInt()).isZero(); // sigfigs
      assertThat(h.getInt()).isEqualTo(65_535);
      assertThat(h.getInt()).isEqualTo(1);
    }

    @Test
    @DisplayName("with each record's seconds, microseconds and lengths, then the frame")
    void recordHeader() throws IOException {
      byte[] frame = load("linux-rst-ack");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (PcapWriter writer = new PcapWriter(bytes)) {
        writer.write(MemorySegment.ofArray(frame), 0, frame.length, T0);
      }
      ByteBuffer r = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).position(24);
      assertThat(r.getInt()).isEqualTo(1_700_000_000);
      assertThat(r.getInt()).isEqualTo(123_456);
      assertThat(r.getInt()).isEqualTo(60);
      assertThat(r.getInt()).isEqualTo(60);
      byte[] body = new byte[r.remaining()];
      r.get(body);
      assertThat(body).isEqualTo(frame);
    }

    @Test
    @DisplayName("closing it closes the stream underneath")
    void closesStream() throws IOException {
      boolean[] closed = {false};
      OutputStream out =
          new ByteArrayOutputStream() {
            @Override
            public void close() {
              closed[0] = true;
            }
          };
      new PcapWriter(out).close();
      assertThat(closed[0]).isTrue();
    }
  }

  @Nested
  @DisplayName("is read by libpcap through pcap4j's Pcaps.openOffline")
  class ReadByLibpcap {
    @Test
    @DisplayName("frame for frame, byte for byte, with their timestamps")
    void roundTrip() throws Exception {
      SynProbeFrame syn = new SynProbeFrame(0x02_00_00_00_00_01L, 0x02_00_00_00_00_feL, ip("198.18.0.1"), 5);
      MemorySegment ring = MemorySegment.ofArray(new byte[3 * 128]);
      List<byte[]> written = new ArrayList<>();
      Path file = dir.resolve("dry-run.pcap");
      try (OutputStream out = Files.newOutputStream(file);
          PcapWriter writer = new PcapWriter(out)) {
        for (int i = 0; i < 3; i++) {
          long offset = i * 128L;
          syn.write(ring, offset, ip("198.18.0.10") + i, 40000 + i, 80, 0x1000 * i, i);
          writer.write(ring, offset, SynProbeFrame.LENGTH, T0 + i * 1_000_000L);
          written.add(GoldenFrames.bytes(ring, offset, SynProbeFrame.LENGTH));
        }
        byte[] arp = load("arp-reply");
        writer.write(MemorySegment.ofArray(arp), 0, arp.length, T0 + 5_000_000_000L);
        written.add(arp);
      }

      PcapHandle handle = Pcaps.openOffline(file.toString());
      try {
        assertThat(handle.getDlt()).isEqualTo(DataLinkType.EN10MB);
        assertThat(handle.getSnapshot()).isEqualTo(65_535);
        for (int i = 0; i < written.size(); i++) {
          byte[] read = handle.getNextRawPacketEx();
          assertThat(read).as("frame %d", i).isEqualTo(written.get(i));
          java.sql.Timestamp ts = handle.getTimestamp();
          long expectedNanos = T0 + (i < 3 ? i * 1_000_000L : 5_000_000_000L);
          assertThat(ts.getTime() / 1000).isEqualTo(expectedNanos / 1_000_000_000L);
          assertThat(ts.getNanos()).isEqualTo((int) (expectedNanos % 1_000_000_000L / 1000 * 1000));
        }
        assertThatThrownBy(handle::getNextRawPacketEx).isInstanceOf(EOFException.class);
      } finally {
        handle.close();
      }
    }

    @Test
    @DisplayName("and the SYN frames it holds decode as TCP with valid checksums")
    void framesDecode() throws Exception {
      SynProbeFrame syn = new SynProbeFrame(0x02_00_00_00_00_01L, 0x02_00_00_00_00_feL, ip("198.18.0.1"), 5);
      MemorySegment slot = MemorySegment.ofArray(new byte[SynProbeFrame.LENGTH]);
      Path file = dir.resolve("one.pcap");
      try (PcapWriter writer = new PcapWriter(Files.newOutputStream(file))) {
        syn.write(slot, 0, ip("198.18.0.77"), 50000, 443, 42, 7);
        writer.write(slot, 0, SynProbeFrame.LENGTH, T0);
      }
      PcapHandle handle = Pcaps.openOffline(file.toString());
      try {
        var packet = handle.getNextPacketEx();
        IpV4Packet.IpV4Header ipHeader = packet.get(IpV4Packet.class).getHeader();
        TcpPacket tcp = packet.get(TcpPacket.class);
        assertThat(ipHeader.getDstAddr()).isEqualTo(GoldenFrames.inet(ip("198.18.0.77")));
        assertThat(tcp.getHeader().getDstPort().valueAsInt()).isEqualTo(443);
        assertThat(ipHeader.hasValidChecksum(false)).isTrue();
        assertThat(tcp.hasValidChecksum(ipHeader.getSrcAddr(), ipHeader.getDstAddr(), false)).isTrue();
      } finally {
        handle.close();
      }
    }

    @Test
    @DisplayName("even when it holds no frames at all")
    void empty() throws Exception {
      Path file = dir.resolve("empty.pcap");
      try (PcapWriter writer = new PcapWriter(Files.newOutputStream(file))) {
        writer.flush();
      }
      PcapHandle handle = Pcaps.openOffline(file.toString());
      try {
        assertThatThrownBy(handle::getNextRawPacketEx).isInstanceOf(EOFException.class);
      } finally {
        handle.close();
      }
    }
  }
}
