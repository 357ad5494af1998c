package dev.portolan.scanner.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/** Where probe frames go: a live transmit ring, or a pcap file in a dry run. */
interface FrameSink extends AutoCloseable {
  MemorySegment memory();

  /** Offset in {@link #memory()} where the next frame may be written. */
  long claim() throws IOException;

  void commit(int length) throws IOException;

  /** Sends (or writes) everything committed so far. */
  void flush() throws IOException;

  @Override
  void close() throws IOException;
}
