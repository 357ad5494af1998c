package dev.portolan.scanner.engine;

import dev.portolan.control.target.ScanSpace;
import dev.portolan.control.target.ScopePermutation;
import dev.portolan.control.target.Shard;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Everything that decides which probes a scan sends and in what order: the space, the seed of the
 * keyed order, this scan's shard, the position to resume from, retries and rate; plus how long to
 * wait for late replies and which results to report. The same plan always sends the same probes.
 *
 * @param resumeFrom position to start from, counted over all passes: {@code pass * shardLength +
 *     offset}; 0 for a fresh scan
 * @param watch indices of the space whose result is reported whatever its state (a port a workload
 *     declares and policy allows: its silence is a finding too)
 */
public record ScanPlan(
    ScanSpace space,
    long seed,
    Shard shard,
    long resumeFrom,
    int retries,
    double rate,
    Duration replyWait,
    int sourcePortLow,
    int sourcePortHigh,
    Set<PortState> report,
    Set<Long> watch) {

  public static final int DEFAULT_SOURCE_PORT_LOW = 61000;
  public static final int DEFAULT_SOURCE_PORT_HIGH = 61999;

  public ScanPlan {
    report = Set.copyOf(report.isEmpty() ? EnumSet.of(PortState.OPEN) : report);
    watch = watch == null ? Set.of() : Set.copyOf(watch);
  }

  public ScanPlan(
      ScanSpace space, long seed, Shard shard, long resumeFrom, int retries, double rate, Duration replyWait,
      int sourcePortLow, int sourcePortHigh, Set<PortState> report) {
    this(space, seed, shard, resumeFrom, retries, rate, replyWait, sourcePortLow, sourcePortHigh, report, Set.of());
  }

  public ScopePermutation permutation() {
    return new ScopePermutation(space.size(), seed);
  }

  /** Positions of one pass of this shard. */
  public long shardLength() {
    return shard.length(space.size());
  }

  /** Positions over all passes: where a finished scan's progress ends. */
  public long totalPositions() {
    return shardLength() * (retries + 1L);
  }

  public boolean reports(PortState state) {
    return report.contains(state);
  }

  /** Whether the result at {@code index} of the space is reported: its state is, or the index is watched. */
  public boolean reports(PortState state, long index) {
    return report.contains(state) || (!watch.isEmpty() && watch.contains(index));
  }

  public boolean watches() {
    return !watch.isEmpty();
  }
}
