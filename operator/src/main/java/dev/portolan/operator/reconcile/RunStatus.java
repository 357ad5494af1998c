package dev.portolan.operator.reconcile;

import dev.portolan.control.aggregate.ReportAggregator;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ReportSummary;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.crds.v1alpha1.Timestamps;
import java.time.Instant;
import java.util.Map;

/**
 * The two things the operator adds around {@link ReportAggregator#aggregate}, pure. First, the
 * time a status is computed "as of": the agents' latest report time, so the same inputs give the
 * same status (a running run's duration does not tick on every reconcile, which would rewrite the
 * status forever). Second, a run that ended keeps the diff it was given when its baseline run has
 * since been pruned: the comparison was made once, and deleting the older run does not undo it.
 */
public final class RunStatus {
  private RunStatus() {}

  /** The latest time any shard reported, or {@code now} when none has. */
  public static Instant asOf(Map<String, ShardStatus> shards, Instant now) {
    Instant latest = null;
    if (shards != null) {
      for (ShardStatus s : shards.values()) {
        for (String t : new String[] {s.startTime(), s.updateTime(), s.completionTime()}) {
          Instant i = Timestamps.orNull(t);
          if (i != null && (latest == null || i.isAfter(latest))) {
            latest = i;
          }
        }
      }
    }
    return latest == null ? now : latest;
  }

  /**
   * {@code aggregated}, with the diff and the new/closed exposure counts of {@code existing} when
   * the run had ended with a diff against a baseline that no longer exists.
   */
  public static ScanReportStatus keepDiff(ScanReportStatus existing, ScanReportStatus aggregated) {
    if (existing == null || existing.diff() == null || existing.summary() == null || aggregated.summary() == null
        || !RunPhase.isTerminal(existing.phase())) {
      return aggregated;
    }
    ReportSummary a = aggregated.summary();
    ReportSummary e = existing.summary();
    ReportSummary summary = new ReportSummary(
        a.targets(), a.probesSent(), a.hosts(), a.open(), a.closed(), a.filtered(), a.byService(), a.violations(),
        e.newExposures(), e.closedExposures(), a.durationSeconds(), a.rate(), a.duration(), a.discovery(), a.unattributed(),
        a.brokenPaths(), a.byWorkloadKind());
    return new ScanReportStatus(
        aggregated.phase(), aggregated.message(), aggregated.observedGeneration(), aggregated.startTime(),
        aggregated.completionTime(), aggregated.shards(), summary, aggregated.findings(), aggregated.pages(),
        existing.diff(), aggregated.violations(), aggregated.brokenPaths(), aggregated.index(), aggregated.conditions());
  }

}
