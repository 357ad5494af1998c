package dev.portolan.scanner.engine;

import dev.portolan.scanner.packet.PcapWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The dry run (zmap's idea): every frame the scan would send is written to a pcap file instead. */
final class PcapSink implements FrameSink {
  private final MemorySegment buffer = Arena.ofAuto().allocate(2048, 8);
  private final PcapWriter writer;

  PcapSink(OutputStream out) throws IOException {
    this.writer = new PcapWriter(out);
  }

  @Override
  public MemorySegment memory() {
    return buffer;
  }

  @Override
  public long claim() {
    return 0;
  }

  @Override
  public void commit(int length) throws IOException {
    writer.write(buffer, 0, length, System.currentTimeMillis() * 1_000_000L);
  }

  @Override
  public void flush() throws IOException {
    writer.flush();
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
