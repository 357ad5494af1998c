package dev.portolan.control.aggregate;

import dev.portolan.control.cluster.Ownership;
import dev.portolan.control.expect.Expectations;
import dev.portolan.control.target.Ipv4;
import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ScopeSnapshot;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportStatus.BrokenPath;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Diff;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Endpoint;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ReportSummary;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.crds.v1alpha1.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds a run's status in one place, from what it reads now: the shards' progress (written by
 * the agents), the findings in the run's pages, and the previous run's findings. Pure and
 * level-triggered: the same inputs give the same status, and a status edited by hand is simply
 * recomputed. Lists are bounded; counts say how many there were.
 */
public final class ReportAggregator {
  /** Findings kept inline on the main report when a run has at most this many. */
  public static final int MAX_INLINE_FINDINGS = 100;

  /** Entries of the diff and violation lists kept on the main report. */
  public static final int MAX_LISTED = 100;

  private ReportAggregator() {}

  /** Broken paths listed on the main report. */
  public static final int MAX_BROKEN_PATHS = 100;

  /** As {@link #aggregate(ScanReport, Map, Collection, RunIndex, Optional, Instant)}, for a run without an index. */
  public static ScanReportStatus aggregate(
      ScanReport report, Map<String, ShardStatus> shards, Collection<ScanReportPage> pages, Optional<PreviousRun> previous,
      Instant now) {
    return aggregate(report, shards, pages, RunIndex.none(), previous, now);
  }

  /**
   * The operator's part of a run's status. {@code shards} is left out (null): it is the agents'
   * part, and a merge patch or apply of this status must not take it over.
   *
   * @param pages the run's findings pages, in any order (Targets pages are ignored here)
   * @param index the run's address index: each finding is named by what owned its address at probe time
   * @param previous the findings of the policy's previous completed run, if there is one
   */
  public static ScanReportStatus aggregate(
      ScanReport report, Map<String, ShardStatus> shards, Collection<ScanReportPage> pages, RunIndex index,
      Optional<PreviousRun> previous, Instant now) {
    ScanReportSpec spec = report.getSpec();
    List<ShardAssignment> plan = spec.shards() == null ? List.of() : spec.shards();
    Map<String, ShardStatus> progress = shards == null ? Map.of() : shards;
    RunPhase phase = phase(plan, progress);

    Evaluation e = evaluate(report, pages, index);
    List<String> pageNames = e.pageNames();
    ScopeSnapshot scope = spec.scope();
    List<Finding> findings = e.open();
    List<Violation> violations = e.violations().size() <= MAX_LISTED ? e.violations() : e.violations().subList(0, MAX_LISTED);
    List<BrokenPath> broken = e.brokenPaths().size() <= MAX_BROKEN_PATHS ? e.brokenPaths() : e.brokenPaths().subList(0, MAX_BROKEN_PATHS);
    long violationCount = e.violations().size();
    long brokenCount = e.brokenPaths().size();
    long unattributed = 0;
    Map<String, Long> byService = new TreeMap<>();
    Map<String, Long> byKind = new TreeMap<>();
    java.util.Set<String> hosts = new java.util.HashSet<>();
    for (Finding f : findings) {
      hosts.add(f.ip());
      byService.merge(f.service() == null ? "unknown" : f.service(), 1L, Long::sum);
      if (f.target() == null && !index.index().isEmpty()) {
        unattributed++;
      }
      if (f.target() != null) {
        byKind.merge(f.target().workload() != null ? f.target().workload().kind() : f.target().kind(), 1L, Long::sum);
      }
    }

    Diff diff = null;
    long added = 0;
    long removed = 0;
    if (previous.isPresent()) {
      Map<String, Finding> before = previous.get().findings();
      List<Endpoint> addedList = new ArrayList<>();
      List<Endpoint> removedList = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (Finding f : findings) {
        seen.add(f.key());
        if (!before.containsKey(f.key())) {
          added++;
          if (addedList.size() < MAX_LISTED) {
            addedList.add(new Endpoint(f.ip(), f.port(), f.service(), f.target() == null ? null : f.target().describe()));
          }
        }
      }
      if (RunPhase.isTerminal(phase)) {
        for (Finding f : before.values()) {
          if (!seen.contains(f.key())) {
            removed++;
            if (removedList.size() < MAX_LISTED) {
              removedList.add(new Endpoint(f.ip(), f.port(), f.service(), f.target() == null ? null : f.target().describe()));
            }
          }
        }
      }
      diff = new Diff(previous.get().report(), addedList, removedList, added, removed);
    } else {
      added = findings.size();
    }

    long probes = 0;
    long closed = 0;
    long filtered = 0;
    Instant startAt = null;
    Instant endAt = null;
    java.util.TreeSet<String> discovery = new java.util.TreeSet<>();
    for (ShardStatus s : progress.values()) {
      probes += nz(s.probesSent());
      closed += nz(s.closed());
      filtered += nz(s.filtered());
      if (s.discovery() != null) {
        discovery.add(s.discovery());
      }
      // Agents write these; a time edited by hand into nonsense is ignored, never fatal.
      Instant st = Timestamps.orNull(s.startTime());
      Instant ct = Timestamps.orNull(s.completionTime());
      if (st != null && (startAt == null || st.isBefore(startAt))) {
        startAt = st;
      }
      if (ct != null && (endAt == null || ct.isAfter(endAt))) {
        endAt = ct;
      }
    }
    String start = startAt == null ? null : startAt.toString();
    Instant completionAt = RunPhase.isTerminal(phase) ? (endAt != null ? endAt : now) : null;
    String completion = completionAt == null ? null : completionAt.toString();
    Double duration = null;
    Double rate = null;
    if (startAt != null) {
      Instant to = completionAt != null ? completionAt : now;
      duration = Math.max(0, Duration.between(startAt, to).toMillis() / 1000.0);
      rate = duration > 0 ? probes / duration : null;
    }
    long targets = scope == null ? 0 : nz(scope.probes());
    ReportSummary summary =
        new ReportSummary(
            targets, probes, (long) hosts.size(), (long) findings.size(), closed, filtered, byService,
            violationCount, added, removed, duration, rate, duration == null ? null : durationText(duration),
            discovery.isEmpty() ? null : String.join("+", discovery), index.index().isEmpty() ? null : unattributed,
            e.fromNetworkPolicies() ? brokenCount : null, byKind.isEmpty() ? null : byKind);

    List<Finding> inline = findings.size() <= MAX_INLINE_FINDINGS ? findings : null;
    Condition complete = completeCondition(phase, plan, progress, report, now);
    List<Condition> conditions = List.of(complete, readyCondition(phase, complete, report, now));
    String message = message(phase, plan, progress, findings.size(), violationCount);
    return new ScanReportStatus(
        phase, message, report.getMetadata().getGeneration(), start, completion, null, summary, inline,
        pageNames.isEmpty() ? null : pageNames, diff, violations.isEmpty() ? null : violations,
        broken.isEmpty() ? null : broken, index.status().orElse(null), conditions);
  }

  /**
   * What a run's findings say, unbounded: its open findings, each named by what owned its address
   * at probe time, every violation of its expectations and every broken path, in key order. The
   * status lists a bounded prefix of these; OpenReports and other sinks read them whole.
   */
  public record Evaluation(
      List<Finding> open, List<Violation> violations, List<BrokenPath> brokenPaths, List<String> pageNames,
      boolean fromNetworkPolicies) {}

  /** The {@link Evaluation} of a run's findings pages against its expectations and address index. */
  public static Evaluation evaluate(ScanReport report, Collection<ScanReportPage> pages, RunIndex index) {
    Map<String, Finding> all = new TreeMap<>(ReportAggregator::compareKeys);
    List<String> pageNames = new ArrayList<>();
    List<ScanReportPage> ordered = new ArrayList<>(pages);
    ordered.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    for (ScanReportPage page : ordered) {
      if (page.getSpec() == null || ScanReportPageSpec.TARGETS.equals(page.getSpec().contents())) {
        continue;
      }
      pageNames.add(page.getMetadata().getName());
      if (page.getSpec().findings() != null) {
        for (Finding f : page.getSpec().findings()) {
          all.merge(f.key(), f, ReportAggregator::better);
        }
      }
    }
    pageNames.addAll(index.pages());

    ScopeSnapshot scope = report.getSpec().scope();
    Expectations expectations = new Expectations(scope == null ? null : scope.expectations(), scope == null ? null : scope.vantage());
    List<Finding> open = new ArrayList<>();
    List<Violation> violations = new ArrayList<>();
    List<BrokenPath> broken = new ArrayList<>();
    for (Finding raw : all.values()) {
      Optional<Ownership> owner = index.index().attribute(Ipv4.parse(raw.ip()), raw.port(), Timestamps.orNull(raw.time()));
      Finding f = raw.withTarget(owner.map(Ownership::target).orElse(null));
      if (!f.isOpen()) {
        if (Finding.FILTERED.equals(f.state()) && owner.isPresent()) {
          broken.add(new BrokenPath(f.ip(), f.port(), f.state(), f.target(), brokenText(f, owner.get())));
        }
        continue;
      }
      open.add(f);
      expectations.check(f, owner).ifPresent(violations::add);
    }
    return new Evaluation(open, violations, broken, pageNames, expectations.fromNetworkPolicies());
  }

  /** The findings of a page, each named by what owned its address at probe time (what the operator writes back). */
  public static List<Finding> attribute(List<Finding> findings, RunIndex index) {
    List<Finding> out = new ArrayList<>(findings.size());
    for (Finding f : findings) {
      Optional<Ownership> owner = index.index().attribute(Ipv4.parse(f.ip()), f.port(), Timestamps.orNull(f.time()));
      out.add(f.withTarget(owner.map(Ownership::target).orElse(null)));
    }
    return out;
  }

  private static String brokenText(Finding f, Ownership owner) {
    String allowedBy = owner.network() == null || owner.network().allowedBy() == null ? "" : " (" + owner.network().allowedBy() + ")";
    return owner.target().describe() + " declares port " + f.port()
        + (owner.target().portName() == null ? "" : " (" + owner.target().portName() + ")")
        + " and the NetworkPolicies allow it" + allowedBy + ", but it did not answer: the path is blocked although allowed";
  }

  /** A duration as kubectl prints ages: 42s, 4m12s, 1h3m. */
  static String durationText(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    return h + "h" + (m == 0 ? "" : m + "m");
  }

  /** The findings of the previous completed run of the same policy, by "ip:port". */
  public record PreviousRun(String report, Map<String, Finding> findings) {
    public static PreviousRun of(String report, Collection<ScanReportPage> pages) {
      Map<String, Finding> all = new LinkedHashMap<>();
      for (ScanReportPage p : pages) {
        if (p.getSpec() != null && p.getSpec().findings() != null) {
          for (Finding f : p.getSpec().findings()) {
            if (f.isOpen()) {
              all.putIfAbsent(f.key(), f);
            }
          }
        }
      }
      return new PreviousRun(report, all);
    }

    /** The findings a report itself lists (a small run's, inline), e.g. from {@code portolan run} output. */
    public static PreviousRun ofInline(String report, Collection<Finding> findings) {
      Map<String, Finding> all = new LinkedHashMap<>();
      for (Finding f : findings) {
        if (f.isOpen()) {
          all.putIfAbsent(f.key(), f);
        }
      }
      return new PreviousRun(report, all);
    }
  }

  static RunPhase phase(List<ShardAssignment> plan, Map<String, ShardStatus> progress) {
    if (plan.isEmpty()) {
      return RunPhase.Pending;
    }
    int succeeded = 0;
    int failed = 0;
    boolean started = false;
    for (ShardAssignment a : plan) {
      ShardStatus s = progress.get(Integer.toString(a.index()));
      RunPhase p = s == null ? null : s.phase();
      if (p == RunPhase.Succeeded) {
        succeeded++;
      } else if (p == RunPhase.Failed) {
        failed++;
      }
      started |= s != null;
    }
    if (succeeded + failed == plan.size()) {
      return failed == 0 ? RunPhase.Succeeded : succeeded == 0 ? RunPhase.Failed : RunPhase.PartiallySucceeded;
    }
    return started ? RunPhase.Running : RunPhase.Pending;
  }

  private static Condition completeCondition(
      RunPhase phase, List<ShardAssignment> plan, Map<String, ShardStatus> progress, ScanReport report, Instant now) {
    Long generation = report.getMetadata().getGeneration();
    String previous =
        report.getStatus() == null || report.getStatus().conditions() == null
            ? null
            : report.getStatus().conditions().stream()
                .filter(c -> "Complete".equals(c.type()))
                .map(Condition::lastTransitionTime)
                .findFirst()
                .orElse(null);
    boolean done = RunPhase.isTerminal(phase);
    String status = done ? "True" : "False";
    boolean same =
        report.getStatus() != null
            && report.getStatus().conditions() != null
            && report.getStatus().conditions().stream().anyMatch(c -> "Complete".equals(c.type()) && status.equals(c.status()));
    String since = same && previous != null ? previous : now.toString();
    if (plan.isEmpty()) {
      return new Condition("Complete", "False", "NoScanners", "No ready scanner agent matches the policy's scanners selector; the run waits for one.", generation, since);
    }
    return switch (phase) {
      case Succeeded -> new Condition("Complete", "True", "AllShardsSucceeded", "Every shard finished.", generation, since);
      case Failed -> new Condition("Complete", "True", "AllShardsFailed", "Every shard failed: " + failures(plan, progress), generation, since);
      case PartiallySucceeded -> new Condition("Complete", "True", "SomeShardsFailed", "Some shards failed: " + failures(plan, progress), generation, since);
      default -> new Condition("Complete", "False", "Scanning", "Shards are being scanned.", generation, since);
    };
  }

  /** Ready, which Argo CD's and Flux's health checks read: True once the run succeeded. */
  private static Condition readyCondition(RunPhase phase, Condition complete, ScanReport report, Instant now) {
    Long generation = report.getMetadata().getGeneration();
    boolean ready = phase == RunPhase.Succeeded;
    String status = ready ? "True" : "False";
    String since = report.getStatus() == null || report.getStatus().conditions() == null ? null
        : report.getStatus().conditions().stream()
            .filter(c -> Condition.READY.equals(c.type()) && status.equals(c.status()))
            .map(Condition::lastTransitionTime).findFirst().orElse(null);
    String reason = switch (phase) {
      case Succeeded -> "Succeeded";
      case Failed, PartiallySucceeded -> phase.name();
      case Running -> "Scanning";
      case Pending -> "Pending";
    };
    String message = ready ? "The run succeeded." : complete.message();
    return new Condition(Condition.READY, status, reason, message, generation, since == null ? now.toString() : since);
  }

  private static String failures(List<ShardAssignment> plan, Map<String, ShardStatus> progress) {
    List<String> out = new ArrayList<>();
    for (ShardAssignment a : plan) {
      ShardStatus s = progress.get(Integer.toString(a.index()));
      if (s != null && s.phase() == RunPhase.Failed) {
        out.add("shard " + a.index() + " on " + a.node() + (s.message() == null ? "" : " (" + s.message() + ")"));
      }
    }
    return String.join("; ", out);
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String message(RunPhase phase, List<ShardAssignment> plan, Map<String, ShardStatus> progress, int open, long violations) {
    if (plan.isEmpty()) {
      return "Waiting for a ready scanner agent.";
    }
    long done = progress.values().stream().filter(s -> RunPhase.isTerminal(s.phase())).count();
    return switch (phase) {
      case Pending -> "Planned over " + plan.size() + " shards; no agent has started yet.";
      case Running -> done + " of " + plan.size() + " shards done; " + count(open, "open port") + " so far.";
      default -> count(open, "open port") + ", " + count(violations, "violation") + ".";
    };
  }

  /** Of two findings for one port (a resumed shard may report it twice), the open one, then the better identified. */
  private static Finding better(Finding a, Finding b) {
    if (a.isOpen() != b.isOpen()) {
      return a.isOpen() ? a : b;
    }
    int sa = (a.service() != null ? 1 : 0) + (a.version() != null ? 2 : 0) + (a.product() != null ? 1 : 0);
    int sb = (b.service() != null ? 1 : 0) + (b.version() != null ? 2 : 0) + (b.product() != null ? 1 : 0);
    return sb > sa ? b : a;
  }

  private static int compareKeys(String a, String b) {
    int ca = a.lastIndexOf(':');
    int cb = b.lastIndexOf(':');
    int c = Long.compare(Ipv4.unsigned(Ipv4.parse(a.substring(0, ca))), Ipv4.unsigned(Ipv4.parse(b.substring(0, cb))));
    return c != 0 ? c : Integer.compare(Integer.parseInt(a.substring(ca + 1)), Integer.parseInt(b.substring(cb + 1)));
  }


  private static long nz(Long v) {
    return v == null ? 0 : v;
  }
}
