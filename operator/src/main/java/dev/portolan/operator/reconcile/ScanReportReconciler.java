package dev.portolan.operator.reconcile;

import dev.portolan.control.aggregate.ReportAggregator.PreviousRun;
import dev.portolan.control.aggregate.ReportAggregator;
import dev.portolan.control.aggregate.RunIndex;
import dev.portolan.control.cluster.AddressIndex;
import dev.portolan.control.cluster.ClusterSnapshot;
import dev.portolan.control.cluster.IndexResolver;
import dev.portolan.control.cluster.TargetLabels;
import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.openreports.OpenReports;
import dev.portolan.control.run.RunResolution;
import dev.portolan.control.run.ShardPlanner;
import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.Scope;
import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.ReportingSpec;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ScopeSnapshot;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.TargetIndex;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.crds.v1alpha1.Timestamps;
import dev.portolan.operator.cluster.AgentDirectory;
import dev.portolan.operator.cluster.ClusterCache;
import dev.portolan.operator.cluster.OpenReportsWriter;
import dev.portolan.operator.cluster.PodAgentDirectory;
import dev.portolan.operator.cluster.PolicyEvents;
import dev.portolan.operator.cluster.SourcePods;
import dev.portolan.operator.metrics.PortolanMetrics;
import dev.portolan.operator.plan.RunHistory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * ScanReport -> the operator's part of a run's status. Reconciles main reports only. An
 * aggregation reads the shards' progress (the agents' part of the status), then the run's pages and
 * the baseline run's pages from the API server (the operator caches no pages: their size grows
 * with every run's findings, its heap must not), aggregates them with the shared
 * {@link ReportAggregator}, and patches what differs, never the agents' {@code shards}. A running
 * run is aggregated at most once per status interval, and at once when a shard starts or ends: the
 * agents' progress saves between cost nothing but a look at the report. A run without a shard plan
 * is planned as soon as an agent is ready. When a run ends, its policy hears of it through Events,
 * once.
 */
@ControllerConfiguration(name = ScanReportReconciler.NAME, generationAwareEventProcessing = false)
public final class ScanReportReconciler implements Reconciler<ScanReport> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScanReportReconciler.class);
  public static final String NAME = "scanreport";
  static final String AGENTS = "agents";
  static final String COMPLETE = "Complete";

  /** What the reconciler needs from the rest of the operator. */
  public record Dependencies(
      KubernetesClient client, AgentDirectory agents, GuardConfig guard, RunStore store, SourcePods sourcePods,
      PolicyEvents events, PortolanMetrics metrics, Clock clock, Duration replanInterval, Duration statusInterval,
      ClusterCache cluster, TargetLabels labels, OpenReportsWriter openReports) {}

  /** When a running run was last aggregated (monotonic time), and its shards' phases then. */
  private record Aggregated(long atNanos, Map<String, RunPhase> shardPhases) {}

  /** Running runs by uid; a run leaves when it ends (or, deleted while running, when it is an hour stale). */
  private final Map<String, Aggregated> aggregated = new java.util.concurrent.ConcurrentHashMap<>();

  private final Dependencies d;

  public ScanReportReconciler(Dependencies dependencies) {
    this.d = dependencies;
  }

  @Override
  public List<EventSource<?, ScanReport>> prepareEventSources(EventSourceContext<ScanReport> context) {
    // No source for pages: an agent writes its pages before the progress that counts them, and
    // that progress (the report's status) is what wakes this reconciler.
    List<EventSource<?, ScanReport>> sources = new ArrayList<>();
    if (d.agents() instanceof PodAgentDirectory agents) {
      // An agent that becomes ready (or goes) wakes the runs still waiting for a plan.
      IndexerResourceCache<ScanReport> reports = context.getPrimaryCache();
      var agentConfig = InformerEventSourceConfiguration.from(Pod.class, ScanReport.class)
          .withName(AGENTS)
          .withNamespaces(Set.of(agents.namespace()))
          .withLabelSelector(agents.agentLabels().entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(",")))
          .withSecondaryToPrimaryMapper(pod -> reports.list(ScanReportReconciler::waitsForPlan)
              .map(ResourceID::fromResource).collect(Collectors.toSet()))
          .build();
      sources.add(new InformerEventSource<>(agentConfig, context));
    }
    return sources;
  }

  @Override
  public UpdateControl<ScanReport> reconcile(ScanReport report, Context<ScanReport> context) throws Exception {
    if (report.getSpec() == null) {
      return UpdateControl.noUpdate();
    }
    d.metrics().reconciled(NAME);
    if (waitsForPlan(report)) {
      List<ShardAssignment> plan = plan(report);
      if (!plan.isEmpty()) {
        d.store().plan(report, plan).ifPresent(planned -> remember(context, planned, report));
        return UpdateControl.noUpdate();
      }
    }

    String ns = report.getMetadata().getNamespace();
    ScanReportSpec spec = report.getSpec();
    ScanReportStatus existing = report.getStatus();
    if (spec.shards() != null && !spec.shards().isEmpty() && !RunPhase.isTerminal(existing == null ? null : existing.phase())) {
      d.store().labelNodes(report);
    }
    var shards = existing == null ? null : existing.shards();
    String uid = report.getMetadata().getUid();
    Map<String, RunPhase> shardPhases = shardPhases(shards);
    boolean wasRunning = existing == null || !RunPhase.isTerminal(existing.phase());
    if (wasRunning && uid != null) {
      Aggregated last = aggregated.get(uid);
      long since = last == null ? Long.MAX_VALUE : System.nanoTime() - last.atNanos();
      if (last != null && last.shardPhases().equals(shardPhases) && since < d.statusInterval().toNanos()) {
        return UpdateControl.<ScanReport>noUpdate()
            .rescheduleAfter(Duration.ofNanos(d.statusInterval().toNanos() - since).plusMillis(1));
      }
    }
    Instant now = d.clock().instant();
    List<ScanReportPage> runPages = d.store().pages(ns, RunStore.runName(report));
    List<ScanReportPage> findingPages = runPages.stream().filter(p -> !isTargets(p)).toList();
    List<ScanReportPage> targetPages = runPages.stream().filter(ScanReportReconciler::isTargets).toList();
    RunIndex index = index(report, targetPages, now);
    attributePages(findingPages, index, now);
    Baseline baseline = baseline(report, context);
    ScanReportStatus status = ReportAggregator.aggregate(
        report, shards, findingPages, index, baseline.previous(), RunStatus.asOf(shards, now));
    if (baseline.keepExisting()) {
      status = RunStatus.keepDiff(existing, status);
    }

    boolean ended = RunPhase.isTerminal(status.phase());
    boolean endSeen = Conditions.find(existing == null ? null : existing.conditions(), COMPLETE).map(Condition::isTrue).orElse(false);
    if (ended && !endSeen) {
      Optional<ScanPolicy> policy = policy(ns, spec.policy());
      HasMetadata subject = policy.<HasMetadata>map(p -> p).orElse(report);
      for (CompletionNotices.Notice n : CompletionNotices.of(report, status)) {
        d.events().emit(subject, n.type(), n.reason(), n.message(), n.key());
      }
      if (policy.isPresent()) {
        writeOpenReports(report, status, findingPages, index, policy.get(), now);
      }
    }
    if (ended) {
      SourcePods.of(report).ifPresent(ref -> d.sourcePods().delete(ref[0], ref[1]));
    }
    d.store().writeStatus(report, status).ifPresent(written -> remember(context, written, report));
    noteAggregated(uid, ended, shardPhases);
    if (ended && !endSeen) {
      long probes = status.summary() == null || status.summary().probesSent() == null ? 0 : status.summary().probesSent();
      d.metrics().runCompleted(report.getMetadata().getUid(), ns, spec.policy(), status.phase(), probes);
    }
    if (waitsForPlan(report)) {
      return UpdateControl.<ScanReport>noUpdate().rescheduleAfter(d.replanInterval());
    }
    // A running run is aggregated (and its index compared with the cluster) at least this often,
    // agents' writes or not.
    return ended ? UpdateControl.noUpdate() : UpdateControl.<ScanReport>noUpdate().rescheduleAfter(d.statusInterval());
  }

  private void noteAggregated(String uid, boolean ended, Map<String, RunPhase> shardPhases) {
    if (uid == null) {
      return;
    }
    if (ended) {
      aggregated.remove(uid);
      return;
    }
    long now = System.nanoTime();
    aggregated.put(uid, new Aggregated(now, shardPhases));
    aggregated.values().removeIf(a -> now - a.atNanos() > Duration.ofHours(1).toNanos());
  }

  /** Each shard's phase by index: a shard that starts or ends is aggregated at once, its progress saves are not. */
  private static Map<String, RunPhase> shardPhases(Map<String, ScanReportStatus.ShardStatus> shards) {
    Map<String, RunPhase> phases = new java.util.HashMap<>();
    if (shards != null) {
      shards.forEach((k, v) -> phases.put(k, v == null ? null : v.phase()));
    }
    return phases;
  }

  /**
   * The run's results as OpenReports, replacing the policy's earlier ones, once, when it ends. A
   * run that failed outright saw nothing and leaves the last Reports as they are. Reports are a
   * courtesy to other tools: a refusal becomes a Warning event on the policy, never a stuck run.
   */
  private void writeOpenReports(
      ScanReport report, ScanReportStatus status, List<ScanReportPage> findingPages, RunIndex index, ScanPolicy policy,
      Instant now) {
    String ns = report.getMetadata().getNamespace();
    String name = report.getSpec().policy();
    ReportingSpec reporting = policy.getSpec() == null ? new ReportingSpec(null) : policy.getSpec().reportingOrDefault();
    try {
      if (!reporting.openReportsEnabled()) {
        d.openReports().deleteAll(ns, name);
        return;
      }
      if (status.phase() == RunPhase.Failed) {
        return;
      }
      ScanReport ended = new ScanReport();
      ended.setMetadata(report.getMetadata());
      ended.setSpec(report.getSpec());
      ended.setStatus(status);
      Instant completed = Timestamps.parse(status.completionTime()).orElse(now);
      var reports = OpenReports.of(ended, ReportAggregator.evaluate(report, findingPages, index), reporting.openReportPasses(), completed);
      Instant created = Timestamps.orNull(report.getMetadata().getCreationTimestamp());
      if (d.openReports().replace(ns, name, created, reports) == OpenReportsWriter.Outcome.WRITTEN) {
        d.events().emit(policy, PolicyEvents.NORMAL, "OpenReportsWritten",
            "Run " + report.getMetadata().getName() + " wrote its results as OpenReports in "
                + reports.stream().map(r -> r.getMetadata().getNamespace()).distinct().sorted().collect(Collectors.joining(", "))
                + " (kubectl get reports.openreports.io -A -l " + OpenReports.POLICY_NAMESPACE_LABEL + "=" + ns + ").",
            report.getMetadata().getName() + "/OpenReportsWritten");
      }
    } catch (KubernetesClientException e) {
      LOG.warn("Run {}/{}: could not write its OpenReports: {}", ns, report.getMetadata().getName(), e.getMessage());
      d.events().emit(policy, PolicyEvents.WARNING, "OpenReportsFailed",
          "Run " + report.getMetadata().getName() + " could not write its OpenReports: " + e.getMessage()
              + " (the operator's role needs create, update and delete on reports.openreports.io in that namespace).",
          report.getMetadata().getName() + "/OpenReportsFailed");
    }
  }

  private static boolean isTargets(ScanReportPage p) {
    return p.getSpec() != null && ScanReportPageSpec.TARGETS.equals(p.getSpec().contents());
  }

  /**
   * The run's address index from its Targets pages, and, while the run is running, the ownership
   * changes since the index was last compared with the cluster, appended as one more page. The
   * change happened after that comparison ({@code checkedAt}), and a new pod cannot have had the
   * address before it was created.
   */
  private RunIndex index(ScanReport report, List<ScanReportPage> targetPages, Instant now) {
    ScopeSnapshot scope = report.getSpec().scope();
    if (scope == null || scope.resolvedAt() == null) {
      return RunIndex.none();
    }
    Instant resolvedAt = Instant.parse(scope.resolvedAt());
    ScanReportStatus existing = report.getStatus();
    TargetIndex before = existing == null ? null : existing.index();
    Instant checkedAt = before != null && before.checkedAt() != null ? Instant.parse(before.checkedAt()) : resolvedAt;
    long dropped = before == null || before.changesDropped() == null ? 0 : before.changesDropped();
    RunIndex index = RunIndex.of(targetPages, resolvedAt, "cluster", checkedAt, 0);
    boolean running = existing == null || !RunPhase.isTerminal(existing.phase());
    if (!running || !d.cluster().enabled() || !d.cluster().synced()) {
      return index;
    }
    AddressSet hosts = Scope.of(Scope.parseList(scope.cidrs()), Scope.parseList(scope.exclude() == null ? List.of() : scope.exclude())).hosts();
    ClusterSnapshot snapshot = d.cluster().snapshot(now);
    List<IndexEntry> current = RunResolution.resolve(scope.expectations(), report.getMetadata().getNamespace(), hosts,
        PortSet.parse(scope.ports()), snapshot, scope.vantage(), d.labels()).entries();
    List<IndexEntry> changes = index.index().changes(current, checkedAt, now, IndexResolver.creationTimes(snapshot));
    if (!changes.isEmpty()) {
      if (index.index().size() + changes.size() > MAX_INDEX_ENTRIES) {
        dropped += changes.size();
        LOG.warn("Run {}: {} more address changes not recorded (the index holds {} entries)", report.getMetadata().getName(),
            changes.size(), index.index().size());
      } else {
        d.store().appendIndex(report, targetPages.size(), changes);
        List<IndexEntry> all = new ArrayList<>(index.index().entries());
        all.addAll(changes);
        List<String> names = new ArrayList<>(index.pages());
        names.add(dev.portolan.control.run.RunNames.indexPage(report.getSpec().run(), targetPages.size() + 1));
        return new RunIndex(AddressIndex.of(all, resolvedAt), names, "cluster", now, dropped);
      }
    }
    return new RunIndex(index.index(), index.pages(), "cluster", now, dropped);
  }

  /** At most this many index entries per run (initial and appended); changes beyond are counted, not kept. */
  static final int MAX_INDEX_ENTRIES = 100_000;

  /**
   * Each findings page gets the owner of every address once, after its agent wrote it, and again
   * when an ownership change recorded later could concern its findings.
   */
  private void attributePages(List<ScanReportPage> findingPages, RunIndex index, Instant now) {
    if (index.index().isEmpty()) {
      return;
    }
    // As instants: Instant.toString() drops a zero fraction, so "...:00Z" sorts after "...:00.250Z" as text.
    Instant lastChange = index.index().entries().stream().map(IndexEntry::changedBefore).map(Timestamps::orNull)
        .filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(null);
    for (ScanReportPage page : findingPages) {
      var spec = page.getSpec();
      if (spec == null || spec.findings() == null || spec.findings().isEmpty()) {
        continue;
      }
      if (attributedSince(spec.attributedAt(), lastChange)) {
        continue;
      }
      List<Finding> attributed = ReportAggregator.attribute(spec.findings(), index);
      d.store().attribute(page, attributed, now);
    }
  }

  /** Whether a page attributed at {@code attributedAt} has seen every change up to {@code lastChange}. */
  static boolean attributedSince(String attributedAt, Instant lastChange) {
    Instant at = Timestamps.orNull(attributedAt);
    return at != null && (lastChange == null || !lastChange.isAfter(at));
  }


  @Override
  public ErrorStatusUpdateControl<ScanReport> updateErrorStatus(ScanReport report, Context<ScanReport> context, Exception e) {
    d.metrics().reconcileError(NAME);
    return ErrorStatusUpdateControl.defaultErrorProcessing();
  }

  /** Our own write goes into the cache at once, so the next reconcile does not compute from before it. */
  private static void remember(Context<ScanReport> context, ScanReport written, ScanReport before) {
    context.eventSourceRetriever().getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(written), written, before);
  }

  /** A main report with no shard plan that has not ended and is not Pod-sourced (those are planned at start). */
  static boolean waitsForPlan(ScanReport r) {
    return r.getSpec() != null && (r.getSpec().shards() == null || r.getSpec().shards().isEmpty())
        && SourcePods.of(r).isEmpty() && !RunHistory.isTerminal(r);
  }

  /** The plan over the agents ready now, by the policy's scanner selection and the run's frozen rate. */
  private List<ShardAssignment> plan(ScanReport report) {
    Optional<ScanPolicy> policy = policy(report.getMetadata().getNamespace(), report.getSpec().policy());
    if (policy.isEmpty()) {
      return List.of();
    }
    var scanners = policy.get().getSpec().scanners();
    List<String> nodes = d.agents().readyNodes(scanners == null ? null : scanners.nodeSelector());
    long rate = report.getSpec().scope() != null && report.getSpec().scope().rate() != null
        ? report.getSpec().scope().rate()
        : policy.get().getSpec().rateOrDefault();
    return ShardPlanner.plan(nodes, rate, scanners == null ? null : scanners.maxShards(), d.guard().maxRatePerNode());
  }

  /** The baseline to diff with, and whether the diff already recorded must be kept instead. */
  private record Baseline(Optional<PreviousRun> previous, boolean keepExisting) {}

  private Baseline baseline(ScanReport report, Context<ScanReport> context) {
    String ns = report.getMetadata().getNamespace();
    String policy = report.getSpec().policy();
    ScanReportStatus existing = report.getStatus();
    List<ScanReport> runs = context.getPrimaryCache()
        .list(ns, r -> policy != null && policy.equals(r.getSpec() == null ? null : r.getSpec().policy()))
        .toList();
    String named = existing == null || existing.diff() == null ? null : existing.diff().previousReport();
    Optional<ScanReport> base;
    if (named != null) {
      base = runs.stream().filter(r -> r.getMetadata().getName().equals(named)).findFirst();
      if (base.isEmpty() && RunPhase.isTerminal(existing.phase())) {
        return new Baseline(Optional.empty(), true);
      }
    } else {
      base = Optional.empty();
    }
    if (base.isEmpty()) {
      base = RunHistory.of(runs).baselineBefore(report);
    }
    return new Baseline(base.map(b -> PreviousRun.of(b.getMetadata().getName(), pagesOf(b))), false);
  }

  private List<ScanReportPage> pagesOf(ScanReport run) {
    return d.store().pages(run.getMetadata().getNamespace(), RunStore.runName(run)).stream().filter(p -> !isTargets(p)).toList();
  }

  private Optional<ScanPolicy> policy(String namespace, String name) {
    if (name == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(d.client().resources(ScanPolicy.class).inNamespace(namespace).withName(name).get());
  }
}
