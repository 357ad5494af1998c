package dev.portolan.scanner.packet;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes frames to a classic pcap file (microsecond timestamps, Ethernet link type), readable by
 * tcpdump, Wireshark and pcap4j. Used by the dry run ({@code --pcap}) instead of a live socket.
 */
public final class PcapWriter implements AutoCloseable {
  private static final int MAGIC = 0xa1b2c3d4;
  private static final int LINKTYPE_ETHERNET = 1;
  private static final int SNAPLEN = 65535;

  private final OutputStream out;
  private final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
  private final byte[] frameBytes = new byte[SNAPLEN];

  public PcapWriter(OutputStream out) throws IOException {
    this.out = new BufferedOutputStream(out, 1 << 16);
    ByteBuffer g = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    g.putInt(MAGIC).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    g.putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
    this.out.write(g.array());
  }

  public void write(MemorySegment frame, long offset, int length, long epochNanos) throws IOException {
    header.clear();
    header.putInt((int) (epochNanos / 1_000_000_000L));
    header.putInt((int) ((epochNanos / 1_000L) % 1_000_000L));
    header.putInt(length).putInt(length);
    out.write(header.array(), 0, 16);
    MemorySegment.copy(frame, ValueLayout.JAVA_BYTE, offset, frameBytes, 0, length);
    out.write(frameBytes, 0, length);
  }

  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
