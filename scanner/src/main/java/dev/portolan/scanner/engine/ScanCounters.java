package dev.portolan.scanner.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of a running scan, read by the progress display and the agent's status writer
 * while the engine updates them. {@code position} is the resume point: every position before it has
 * been handed to the kernel.
 */
public final class ScanCounters {
  final LongAdder sent = new LongAdder();
  final LongAdder open = new LongAdder();
  final LongAdder closed = new LongAdder();
  final LongAdder foreign = new LongAdder();
  volatile long position;
  volatile long total;
  volatile long startNanos = System.nanoTime();

  public long sent() {
    return sent.sum();
  }

  public long open() {
    return open.sum();
  }

  public long closed() {
    return closed.sum();
  }

  /** Replies that reached our ports but failed the cookie check (not ours, or forged). */
  public long foreign() {
    return foreign.sum();
  }

  public long position() {
    return position;
  }

  public long total() {
    return total;
  }

  public long elapsedNanos() {
    return System.nanoTime() - startNanos;
  }
}
