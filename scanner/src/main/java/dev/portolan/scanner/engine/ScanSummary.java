package dev.portolan.scanner.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * How a scan ended: what was sent and found, how long sending took, and where it stopped. {@code resumeFrom} equals the
 * plan's total positions when the scan completed; otherwise it is where to resume.
 */
public record ScanSummary(
    String method,
    Instant started,
    Instant finished,
    long probesSent,
    long open,
    long closed,
    long filtered,
    long targets,
    long resumeFrom,
    boolean completed,
    long receiveDrops,
    long foreignReplies,
    Duration sendTime) {

  public Duration elapsed() {
    return Duration.between(started, finished);
  }

  /** The rate while sending: probes over the time from the first probe to the last. */
  public double probesPerSecond() {
    double s = sendTime.toNanos() / 1e9;
    return s > 0 ? probesSent / s : 0;
  }
}
