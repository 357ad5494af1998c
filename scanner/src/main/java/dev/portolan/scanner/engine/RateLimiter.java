package dev.portolan.scanner.engine;

/**
 * Releases probes at a precise average rate in small batches. Each probe has a due time on an
 * exact schedule (picosecond resolution, so 3 pps and 1.3 Mpps are both exact); a caller receives
 * the probes already due, at most {@code maxBatch}, sleeping until the first is due. A late caller
 * (a GC pause, a slow syscall) catches up by at most one batch, so the rate over any window stays
 * close to the target and bursts never exceed a batch.
 *
 * <p>The batch size follows the rate: one probe at a time below 2,000 pps (10 pps is one probe
 * every 100 ms, not 256 every 25 s), growing to {@link #MAX_BATCH} at high rates where one syscall
 * per probe would be the bottleneck.
 */
public final class RateLimiter {
  public static final int MAX_BATCH = 256;
  private static final long PICOS_PER_SECOND = 1_000_000_000_000L;

  private final Ticker ticker;
  private final long intervalPicos;
  private final int maxBatch;
  private final long startNanos;
  /** Due time of the next probe, in picoseconds since start. */
  private long nextDuePicos;

  public RateLimiter(double ratePerSecond, Ticker ticker) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be > 0");
    }
    this.ticker = ticker;
    this.intervalPicos = Math.max(1, Math.round(PICOS_PER_SECOND / ratePerSecond));
    this.maxBatch = batchFor(ratePerSecond);
    this.startNanos = ticker.nanoTime();
  }

  /** About one batch a millisecond at high rates; single probes at low ones. */
  static int batchFor(double rate) {
    return (int) Math.max(1, Math.min(MAX_BATCH, rate / 2000));
  }

  public int maxBatch() {
    return maxBatch;
  }

  /**
   * Waits until at least one probe is due and returns how many may go now: between 1 and
   * {@code min(limit, maxBatch)}. Returns 0 only when the thread is interrupted.
   */
  public int acquire(int limit) {
    int cap = Math.min(limit, maxBatch);
    long now = (ticker.nanoTime() - startNanos) * 1000;
    while (now < nextDuePicos) {
      long waitNanos = (nextDuePicos - now + 999) / 1000;
      ticker.sleepNanos(waitNanos);
      if (Thread.currentThread().isInterrupted()) {
        return 0;
      }
      now = (ticker.nanoTime() - startNanos) * 1000;
    }
    long backlog = (now - nextDuePicos) / intervalPicos + 1;
    if (backlog > maxBatch) {
      // Too late by more than a batch: forget the missed slots rather than burst to catch up.
      nextDuePicos = now - (long) (maxBatch - 1) * intervalPicos;
      backlog = maxBatch;
    }
    int granted = (int) Math.min(backlog, cap);
    nextDuePicos += granted * intervalPicos;
    return granted;
  }

  /** Gives back probes granted but not sent (skipped targets), so they do not lower the rate. */
  public void refund(int count) {
    nextDuePicos -= count * intervalPicos;
  }
}
