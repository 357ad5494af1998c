package dev.portolan.scanner.engine;

import java.io.IOException;

/** A discovery run over one plan: the raw SYN engine or the connect-scan fallback. */
public interface Scanner {
  /** Runs to completion (or until {@link #stop}), delivering results to {@code listener}. */
  ScanSummary run(ScanListener listener) throws IOException;

  /** Asks the run to stop sending; it then waits briefly for replies in flight and returns. */
  void stop();

  /** Live counters for progress and checkpoints. */
  ScanCounters counters();

  /**
   * The latest resume point at or before {@code safe} with the counts that go with it (see
   * {@link ProgressLedger}); a scan that keeps no ledger answers {@code safe} with its live counts.
   */
  default Checkpoint checkpoint(long safe) {
    ScanCounters c = counters();
    return new Checkpoint(safe, c.sent(), c.closed());
  }

  /** "syn", "syn (dry run)" or "connect". */
  String method();
}
