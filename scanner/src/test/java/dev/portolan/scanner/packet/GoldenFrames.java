package dev.portolan.scanner.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IllegalRawDataException;

/**
 * Real-looking frames kept as annotated hex under {@code src/test/resources/frames} (built
 * independently of our encoder and checked with tshark), and the pcap4j decoding used to check
 * what our encoder writes.
 */
final class GoldenFrames {
  private GoldenFrames() {}

  /** The bytes of {@code frames/<name>.hex}: hex digits, white space ignored, '#' to end of line a comment. */
  static byte[] load(String name) {
    try (InputStream in = GoldenFrames.class.getResourceAsStream("/frames/" + name + ".hex")) {
      assertThat(in).as("fixture frames/%s.hex", name).isNotNull();
      StringBuilder hex = new StringBuilder();
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        int hash = line.indexOf('#');
        hex.append((hash >= 0 ? line.substring(0, hash) : line).replaceAll("\\s+", ""));
      }
      return HexFormat.of().parseHex(hex);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A heap segment of exactly these bytes: any read past the end throws. */
  static MemorySegment segment(byte[] bytes) {
    return MemorySegment.ofArray(bytes);
  }

  static byte[] bytes(MemorySegment s, long offset, int length) {
    return s.asSlice(offset, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
  }

  /** Decodes with pcap4j, the independent decoder; fails the test if pcap4j rejects the frame. */
  static EthernetPacket pcap4j(byte[] frame) {
    try {
      return EthernetPacket.newPacket(frame, 0, frame.length);
    } catch (IllegalRawDataException e) {
      throw new AssertionError("pcap4j cannot decode the frame: " + e.getMessage(), e);
    }
  }

  static int ip(String dotted) {
    return dev.portolan.control.target.Ipv4.parse(dotted);
  }

  static InetAddress inet(int address) {
    try {
      return InetAddress.getByAddress(
          new byte[] {
            (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
          });
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
