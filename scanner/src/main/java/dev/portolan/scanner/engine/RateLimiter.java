package dev.portolan.scanner.engine;

/**
 * Releases probes at a precise average rate in small batches. Each probe has a due time on an
 * exact schedule (picosecond resolution, so 3 pps and 1.3 Mpps are both exact); a caller receives
 * the probes already due, at most {@code maxBatch} per call, sleeping until the first is due. A late
 * caller (a GC pause, a slow syscall, a busy core) may catch up on at most {@link #catchUp()} missed
 * probes, about 2 ms of the schedule and never more than four batches: enough to keep the average
 * within 2% on a loaded machine, too little to make a burst.
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
  private final int catchUp;
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
    // Single probes at low rates stay single; batching rates may recover ~2 ms of missed schedule.
    this.catchUp = maxBatch == 1 ? 1 : (int) Math.max(maxBatch, Math.min(4L * maxBatch, (long) (ratePerSecond / 500)));
    this.startNanos = ticker.nanoTime();
  }

  /** About one batch a millisecond at high rates; single probes at low ones. */
  static int batchFor(double rate) {
    return (int) Math.max(1, Math.min(MAX_BATCH, rate / 2000));
  }

  public int maxBatch() {
    return maxBatch;
  }

  /** The most missed probes a late caller may still send (one batch at low rates). */
  public int catchUp() {
    return catchUp;
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
    if (backlog > catchUp) {
      // Too late by more than the catch-up allowance: forget the older missed slots rather than burst.
      nextDuePicos = now - (long) (catchUp - 1) * intervalPicos;
      backlog = catchUp;
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
