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
    Set<PortState> report) {

  public static final int DEFAULT_SOURCE_PORT_LOW = 61000;
  public static final int DEFAULT_SOURCE_PORT_HIGH = 61999;

  public ScanPlan {
    report = Set.copyOf(report.isEmpty() ? EnumSet.of(PortState.OPEN) : report);
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
}
