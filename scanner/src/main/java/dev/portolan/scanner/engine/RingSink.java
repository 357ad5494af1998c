package dev.portolan.scanner.engine;

import dev.portolan.scanner.link.LinkException;
import dev.portolan.scanner.link.TxRing;
import java.lang.foreign.MemorySegment;

/** Frames into the kernel's transmit ring. */
final class RingSink implements FrameSink {
  private final TxRing ring;

  RingSink(TxRing ring) {
    this.ring = ring;
  }

  @Override
  public MemorySegment memory() {
    return ring.memory();
  }

  @Override
  public long claim() throws LinkException {
    return ring.claim();
  }

  @Override
  public void commit(int length) {
    ring.commit(length);
  }

  @Override
  public void flush() throws LinkException {
    ring.flush();
  }

  @Override
  public void close() {
    ring.close();
  }
}
