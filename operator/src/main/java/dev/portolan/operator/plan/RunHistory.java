package dev.portolan.operator.plan;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus.RunSummary;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A policy's runs (their main reports), newest first: which are in progress, which ended last,
 * which is the baseline a new run is compared with, and which are old enough to delete. Runs are
 * ordered by the time the operator created them (the audit record), then by name.
 */
public final class RunHistory {
  /** Newest first. */
  public static final Comparator<ScanReport> NEWEST_FIRST =
      Comparator.comparing(RunHistory::createdAt).thenComparing(r -> r.getMetadata().getName()).reversed();

  private final List<ScanReport> runs;

  private RunHistory(List<ScanReport> runs) {
    this.runs = runs;
  }

  /** The runs among {@code reports} (those with a spec). */
  public static RunHistory of(Collection<ScanReport> reports) {
    List<ScanReport> runs = new ArrayList<>();
    for (ScanReport r : reports) {
      if (r.getSpec() != null) {
        runs.add(r);
      }
    }
    runs.sort(NEWEST_FIRST);
    return new RunHistory(List.copyOf(runs));
  }

  public RunHistory with(ScanReport created) {
    List<ScanReport> all = new ArrayList<>(runs);
    all.removeIf(r -> r.getMetadata().getName().equals(created.getMetadata().getName()));
    all.add(created);
    return of(all);
  }

  public List<ScanReport> runs() {
    return runs;
  }

  public boolean has(String run) {
    return runs.stream().anyMatch(r -> r.getMetadata().getName().equals(run));
  }

  /** Runs that have not ended, newest first. */
  public List<ScanReport> active() {
    return runs.stream().filter(r -> !isTerminal(r)).toList();
  }

  /** Runs that have ended, newest first. */
  public List<ScanReport> terminal() {
    return runs.stream().filter(RunHistory::isTerminal).toList();
  }

  public Optional<ScanReport> lastTerminal() {
    return terminal().stream().findFirst();
  }

  /**
   * The run {@code report} is compared with: the newest run before it that succeeded. A failed or
   * partial run saw only part of its scope; diffing against it would call new what was merely
   * unseen.
   */
  public Optional<ScanReport> baselineBefore(ScanReport report) {
    for (ScanReport r : runs) {
      if (NEWEST_FIRST.compare(r, report) > 0 && RunPhase.Succeeded.equals(phase(r))) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The newest run that succeeded: the next run's baseline, and the policy's last success. */
  public Optional<ScanReport> lastSucceeded() {
    return runs.stream().filter(r -> RunPhase.Succeeded.equals(phase(r))).findFirst();
  }

  /**
   * Ended runs beyond the newest {@code limit}, oldest last; the newest succeeded run is kept
   * whatever its age, as the baseline of the next run's diff (and the record of the last success).
   */
  public List<ScanReport> toPrune(int limit) {
    List<ScanReport> ended = terminal();
    Optional<ScanReport> baseline = lastSucceeded();
    List<ScanReport> out = new ArrayList<>();
    for (int i = Math.max(0, limit); i < ended.size(); i++) {
      ScanReport r = ended.get(i);
      if (baseline.isEmpty() || baseline.get() != r) {
        out.add(r);
      }
    }
    return out;
  }

  public static RunPhase phase(ScanReport r) {
    return r.getStatus() == null || r.getStatus().phase() == null ? RunPhase.Pending : r.getStatus().phase();
  }

  public static boolean isTerminal(ScanReport r) {
    return RunPhase.isTerminal(phase(r));
  }

  /** The policy status's account of a run. */
  public static RunSummary summary(ScanReport r) {
    ScanReportStatus s = r.getStatus() == null ? ScanReportStatus.empty() : r.getStatus();
    Long open = s.summary() == null ? null : s.summary().open();
    Long violations = s.summary() == null ? null : s.summary().violations();
    Long added = s.summary() == null || s.diff() == null ? null : s.summary().newExposures();
    return new RunSummary(r.getMetadata().getName(), phase(r), s.startTime(), s.completionTime(), open, violations, added, result(phase(r), open, violations));
  }

  /** "12 open, 1 violation", with the phase when the run did not succeed. */
  static String result(RunPhase phase, Long open, Long violations) {
    if (RunPhase.Failed.equals(phase)) {
      return "failed";
    }
    long o = open == null ? 0 : open;
    long v = violations == null ? 0 : violations;
    String text = o + " open, " + v + (v == 1 ? " violation" : " violations");
    return RunPhase.PartiallySucceeded.equals(phase) ? text + " (some shards failed)" : text;
  }

  private static Instant createdAt(ScanReport r) {
    String at = r.getSpec() != null && r.getSpec().audit() != null ? r.getSpec().audit().createdAt() : null;
    if (at == null) {
      at = r.getMetadata().getCreationTimestamp();
    }
    try {
      return at == null ? Instant.MAX : Instant.parse(at);
    } catch (java.time.format.DateTimeParseException e) {
      return Instant.MAX;
    }
  }
}
