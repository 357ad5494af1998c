package dev.portolan.operator.reconcile;

import dev.portolan.control.cluster.ClusterSnapshot;
import dev.portolan.control.cluster.SelectorTargets;
import dev.portolan.control.cluster.TargetLabels;
import dev.portolan.control.guard.Guard;
import dev.portolan.control.guard.GuardDecision;
import dev.portolan.control.run.RunResolution;
import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.Defaults;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportSpec.Vantage;
import dev.portolan.operator.cluster.AgentDirectory;
import dev.portolan.operator.cluster.ClusterCache;
import dev.portolan.operator.cluster.OpenReportsWriter;
import dev.portolan.operator.cluster.PolicyEvents;
import dev.portolan.operator.cluster.SourcePodTemplate;
import dev.portolan.operator.cluster.SourcePods;
import dev.portolan.operator.metrics.PolicyState;
import dev.portolan.operator.metrics.PortolanMetrics;
import dev.portolan.operator.plan.RunFactory;
import dev.portolan.operator.plan.RunHistory;
import dev.portolan.operator.schedule.DueRun;
import dev.portolan.operator.schedule.RunSchedule;
import dev.portolan.operator.schedule.ScheduleDecision;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * ScanPolicy -> runs. Each reconcile reads the policy, its runs (main reports, from an informer)
 * and the cluster objects its selectors name; asks the guard; starts the run that is due, if any;
 * deletes runs beyond the history limit; and writes the policy's status (and, when the policy is
 * deleted, deletes its runs). Nothing is remembered
 * between reconciles: run names are deterministic, so a restart or a second replica finds the run
 * it would have created and creates nothing twice.
 */
@ControllerConfiguration(name = ScanPolicyReconciler.NAME)
public final class ScanPolicyReconciler implements Reconciler<ScanPolicy>, Cleaner<ScanPolicy> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScanPolicyReconciler.class);
  public static final String NAME = "scanpolicy";
  static final String RUNS = "runs";
  static final String ACCEPTED = "Accepted";
  static final String SCHEDULED = "Scheduled";
  static final String RUNNING = "Running";

  /** What the reconciler needs from the rest of the operator. */
  public record Dependencies(
      Guard guard, ClusterCache cluster, TargetLabels labels, AgentDirectory agents, RunFactory runs, RunStore store,
      SourcePods sourcePods, SourcePodTemplate sourcePodTemplate, PolicyEvents events, PortolanMetrics metrics,
      Clock clock, Duration resync, OpenReportsWriter openReports) {}

  private final Dependencies d;
  private volatile InformerEventSource<ScanReport, ScanPolicy> runsSource;
  private volatile IndexerResourceCache<ScanPolicy> policies;

  public ScanPolicyReconciler(Dependencies dependencies) {
    this.d = dependencies;
  }

  /** The policies this replica knows, as the metrics describe them now. */
  public Stream<PolicyState> states() {
    IndexerResourceCache<ScanPolicy> cache = policies;
    InformerEventSource<ScanReport, ScanPolicy> runs = runsSource;
    if (cache == null || runs == null) {
      return Stream.empty();
    }
    Instant now = d.clock().instant();
    return cache.list().map(p -> PolicyStates.of(p, runs.getSecondaryResources(p), now));
  }

  @Override
  public List<EventSource<?, ScanPolicy>> prepareEventSources(EventSourceContext<ScanPolicy> context) {
    policies = context.getPrimaryCache();
    var config = InformerEventSourceConfiguration.from(ScanReport.class, ScanPolicy.class)
        .withName(RUNS)
        // A policy cares when a run changes phase or gets its plan, not at every progress report.
        .withOnUpdateFilter((now, before) -> !policyView(now).equals(policyView(before)))
        .withSecondaryToPrimaryMapper(r -> {
          Map<String, String> labels = r.getMetadata().getLabels();
          String policy = labels == null ? null : labels.get(ScanReport.POLICY_LABEL);
          return policy == null ? Set.of() : Set.of(new ResourceID(policy, r.getMetadata().getNamespace()));
        })
        .build();
    runsSource = new InformerEventSource<>(config, context);
    return List.of(runsSource);
  }

  private static String policyView(ScanReport r) {
    boolean planned = r.getSpec() != null && r.getSpec().shards() != null && !r.getSpec().shards().isEmpty();
    return RunHistory.phase(r) + "/" + planned;
  }

  @Override
  public UpdateControl<ScanPolicy> reconcile(ScanPolicy policy, Context<ScanPolicy> context) throws Exception {
    d.metrics().reconciled(NAME);
    Instant now = d.clock().instant();
    ScanPolicySpec spec = policy.getSpec();
    Long generation = policy.getMetadata().getGeneration();
    ScanPolicyStatus existing = policy.getStatus();
    List<Condition> before = existing == null ? null : existing.conditions();
    RunHistory history = RunHistory.of(context.getSecondaryResources(ScanReport.class));

    ClusterSnapshot snapshot = d.cluster().snapshot(now);
    GuardDecision decision = evaluate(policy, snapshot);
    Condition accepted;
    Condition scheduled;
    ScanPolicyStatus.Workload workload = null;
    Optional<Instant> next = Optional.empty();
    if (decision instanceof GuardDecision.Rejected r) {
      accepted = Conditions.of(ACCEPTED, false, r.reason(), r.message(), generation);
      if (Conditions.changed(before, accepted)) {
        d.events().emit(policy, PolicyEvents.WARNING, r.reason(), r.message(), "rejected/" + generation + "/" + r.reason());
      }
      scheduled = Conditions.of(SCHEDULED, false, "NotAccepted", "No run starts while the scan guard rejects the policy.", generation);
    } else {
      GuardDecision.Accepted a = (GuardDecision.Accepted) decision;
      workload = a.workload().toStatus();
      accepted = Conditions.of(ACCEPTED, true, "WithinGuard",
          "The scope (" + a.workload().addresses() + " addresses x " + a.workload().ports() + " ports) is inside the scan guard.",
          generation);
      ScheduleDecision s = RunSchedule.decide(policy, knownRuns(history, existing), names(history.active()), now);
      if (s.start().isPresent()) {
        history = history.with(start(policy, s.start().get(), a, now, snapshot));
      }
      scheduled = Conditions.of(SCHEDULED, s.scheduled(), s.reason(), s.message(), generation);
      next = s.nextRunTime();
      if (SourcePods.isPodSourced(policy)) {
        keepSourcePods(policy, history.active());
      }
    }

    int historyLimit = spec == null ? Defaults.HISTORY_LIMIT : spec.historyLimitOrDefault();
    for (ScanReport old : history.toPrune(historyLimit)) {
      d.store().delete(old);
      deleteOpenReports(policy, old);
      history = RunHistory.of(history.runs().stream().filter(r -> r != old).toList());
    }

    List<ScanReport> active = history.active();
    Condition running = active.isEmpty()
        ? Conditions.of(RUNNING, false, "NoActiveRun", "No run is in progress.", generation)
        : Conditions.of(RUNNING, true, "RunInProgress", describe(active.get(0)), generation);
    ScanPolicyStatus status = new ScanPolicyStatus(
        generation,
        Conditions.merge(before, List.of(accepted, scheduled, running, ready(accepted, scheduled, history, generation)), now),
        workload,
        history.lastTerminal().map(RunHistory::summary).orElse(null),
        next.map(Instant::toString).orElse(null),
        active.isEmpty() ? null : active.get(0).getMetadata().getName());

    Duration requeue = next.map(t -> Duration.between(now, t).plusMillis(500))
        .filter(t -> t.compareTo(d.resync()) < 0)
        .map(t -> t.isNegative() ? Duration.ofSeconds(1) : t)
        .orElse(d.resync());
    if (Objects.equals(status, existing)) {
      return UpdateControl.<ScanPolicy>noUpdate().rescheduleAfter(requeue);
    }
    ScanPolicy patch = new ScanPolicy();
    patch.getMetadata().setName(policy.getMetadata().getName());
    patch.getMetadata().setNamespace(policy.getMetadata().getNamespace());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch).rescheduleAfter(requeue);
  }

  /** The OpenReports a pruned run wrote, if no newer run replaced them; a refusal is logged, never fatal. */
  private void deleteOpenReports(ScanPolicy policy, ScanReport run) {
    try {
      d.openReports().deleteRun(policy.getMetadata().getNamespace(), policy.getMetadata().getName(), run.getMetadata().getName());
    } catch (KubernetesClientException e) {
      LOG.warn("Could not delete the OpenReports of run {}/{}: {}", run.getMetadata().getNamespace(), run.getMetadata().getName(),
          e.getMessage());
    }
  }

  /**
   * Ready, the one condition Argo CD's and Flux's health checks and {@code kubectl wait
   * --for=condition=Ready} read: True while the guard accepts the policy, its schedule can fire and
   * its last finished run succeeded (or none has finished yet); False, with the reason, otherwise.
   */
  static Condition ready(Condition accepted, Condition scheduled, RunHistory history, Long generation) {
    if (!"True".equals(accepted.status())) {
      return Conditions.of(Condition.READY, false, accepted.reason(), accepted.message(), generation);
    }
    if (INVALID_SCHEDULE.contains(scheduled.reason())) {
      return Conditions.of(Condition.READY, false, scheduled.reason(), scheduled.message(), generation);
    }
    Optional<ScanReport> last = history.lastTerminal();
    if (last.isEmpty()) {
      return Conditions.of(Condition.READY, true, "Accepted", "The policy is accepted; no run has finished yet.", generation);
    }
    RunPhase phase = RunHistory.phase(last.get());
    String run = last.get().getMetadata().getName();
    return phase == RunPhase.Succeeded
        ? Conditions.of(Condition.READY, true, "LastRunSucceeded", "The last run, " + run + ", succeeded.", generation)
        : Conditions.of(Condition.READY, false, "LastRun" + phase.name(),
            "The last run, " + run + ", ended " + phase.name() + ": kubectl describe scanreport " + run + " says why.", generation);
  }

  private static final Set<String> INVALID_SCHEDULE = Set.of("InvalidSchedule", "InvalidTimeZone");

  /**
   * A deleted policy takes its runs with it, pages and source pods included: owner references
   * cannot reach a source pod in another namespace, and an API server without a garbage collector
   * follows none at all.
   */
  @Override
  public DeleteControl cleanup(ScanPolicy policy, Context<ScanPolicy> context) {
    for (ScanReport run : RunHistory.of(context.getSecondaryResources(ScanReport.class)).runs()) {
      d.store().delete(run);
    }
    // Reports in other namespaces have no owner reference to follow: delete them here. A refusal
    // (403) must not keep the policy from going; it is logged and the Reports stay.
    try {
      d.openReports().deleteAll(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
    } catch (KubernetesClientException e) {
      LOG.warn("Could not delete the OpenReports of policy {}/{}: {}", policy.getMetadata().getNamespace(),
          policy.getMetadata().getName(), e.getMessage());
    }
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<ScanPolicy> updateErrorStatus(ScanPolicy policy, Context<ScanPolicy> context, Exception e) {
    d.metrics().reconcileError(NAME);
    // What kubectl describe shows: the API's refusal (Pod Security, RBAC, quota...) in one line,
    // once per generation and cause; the retries that follow stay in the log and the error counter.
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    String cause = message.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(message);
    int detail = cause.indexOf("Message: ");
    cause = detail >= 0 ? cause.substring(detail + "Message: ".length()) : cause;
    int status = cause.indexOf(". Received status: ");
    cause = status >= 0 ? cause.substring(0, status) : cause;
    d.events().emit(policy, PolicyEvents.WARNING, "ReconcileFailed", "Could not reconcile (retrying): " + cause,
        "error/" + policy.getMetadata().getGeneration() + "/" + cause);
    return ErrorStatusUpdateControl.defaultErrorProcessing();
  }

  private GuardDecision evaluate(ScanPolicy policy, ClusterSnapshot snapshot) {
    ScanPolicySpec spec = policy.getSpec();
    if (spec != null && spec.targets() != null && spec.targets().selectsClusterObjects() && !d.cluster().enabled()) {
      return new GuardDecision.Rejected("ClusterLookupUnavailable",
          "The policy selects nodes, services or pods, but this operator does not read the cluster's objects"
              + " (it runs with --agent-nodes against an API server without the core API); give targets.cidrs.");
    }
    List<String> addresses = spec == null ? List.of()
        : SelectorTargets.resolve(spec.targets(), policy.getMetadata().getNamespace(), snapshot);
    return d.guard().evaluate(spec, policy.getMetadata().getNamespace(), addresses);
  }

  /** Creates the run's main report (and its source pod), recording it in the informer at once. */
  private ScanReport start(ScanPolicy policy, DueRun due, GuardDecision.Accepted decision, Instant now, ClusterSnapshot snapshot) {
    ScanPolicySpec spec = policy.getSpec();
    List<ShardAssignment> shards;
    Map<String, String> annotations = Map.of();
    Pod pod = null;
    if (SourcePods.isPodSourced(policy)) {
      pod = SourcePods.desired(policy, due.name(), d.sourcePodTemplate());
      shards = d.runs().podShard(spec, pod.getMetadata().getName());
      annotations = Map.of(SourcePods.ANNOTATION, pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
    } else {
      shards = d.runs().shards(spec, d.agents().readyNodes(spec.scanners() == null ? null : spec.scanners().nodeSelector()));
    }
    RunResolution resolution = resolve(policy, decision, shards, snapshot);
    ScanReport created = d.store().create(d.runs().mainReport(policy, due, decision, shards, annotations, now, resolution));
    d.store().createIndex(created, resolution.entries());
    InformerEventSource<ScanReport, ScanPolicy> source = runsSource;
    if (source != null) {
      source.handleRecentResourceCreate(ResourceID.fromResource(created), created);
    }
    if (pod != null) {
      if (pod.getMetadata().getNamespace().equals(created.getMetadata().getNamespace())) {
        pod.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
            .withApiVersion(created.getApiVersion()).withKind(created.getKind())
            .withName(created.getMetadata().getName()).withUid(created.getMetadata().getUid()).build()));
      }
      d.sourcePods().ensure(pod);
    }
    d.events().emit(policy, PolicyEvents.NORMAL, "RunStarted",
        "Run " + due.name() + " started (" + due.trigger() + ") over "
            + (shards.isEmpty() ? "no shard yet: it waits for a ready scanner agent" : shards.size() + (shards.size() == 1 ? " shard" : " shards")) + ".",
        due.name() + "/RunStarted");
    return created;
  }

  /**
   * The run's addresses resolved against the cluster as it is now: what owns each, which
   * expectations select it, what NetworkPolicies let the vantage point reach (a source pod's
   * namespace and labels, the planned agents' pods when they run on the pod network, or else
   * their nodes).
   */
  private RunResolution resolve(ScanPolicy policy, GuardDecision.Accepted decision, List<ShardAssignment> shards, ClusterSnapshot snapshot) {
    ScanPolicySpec spec = policy.getSpec();
    String ns = policy.getMetadata().getNamespace();
    Vantage vantage;
    if (SourcePods.isPodSourced(policy)) {
      String sourceNs = spec.source().pod().namespace() == null ? ns : spec.source().pod().namespace();
      vantage = new Vantage(Vantage.POD, sourceNs, spec.source().pod().labels(), null, null);
    } else {
      java.util.Set<String> planned = new java.util.HashSet<>();
      shards.forEach(sh -> planned.add(sh.node()));
      // Agents on the pod network (scanner.mode connect) probe as their pods; others as their nodes.
      vantage = d.agents().podVantage(planned).orElseGet(() -> nodeVantage(planned, snapshot));
    }
    if (!d.cluster().enabled()) {
      return RunResolution.none(vantage);
    }
    return RunResolution.resolve(spec.expectations(), ns, decision.scope().hosts(), decision.ports(), snapshot, vantage, d.labels());
  }

  private static Vantage nodeVantage(Set<String> planned, ClusterSnapshot snapshot) {
    List<String> addresses = new ArrayList<>();
    for (var n : snapshot.nodes()) {
      if (planned.contains(n.getMetadata().getName()) && n.getStatus() != null && n.getStatus().getAddresses() != null) {
        n.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType())).forEach(a -> addresses.add(a.getAddress()));
      }
    }
    return new Vantage(Vantage.NODE, null, null, null, addresses.isEmpty() ? null : addresses);
  }

  /** A Pod-sourced run in progress has its pod; one deleted by hand is started again to resume. */
  private void keepSourcePods(ScanPolicy policy, List<ScanReport> active) {
    for (ScanReport r : active) {
      Optional<String[]> ref = SourcePods.of(r);
      if (ref.isPresent() && !d.sourcePods().exists(ref.get()[0], ref.get()[1])) {
        d.sourcePods().ensure(SourcePods.desired(policy, r.getMetadata().getName(), d.sourcePodTemplate()));
      }
    }
  }

  private static Set<String> knownRuns(RunHistory history, ScanPolicyStatus status) {
    Set<String> known = new HashSet<>(names(history.runs()));
    if (status != null && status.lastRun() != null && status.lastRun().report() != null) {
      known.add(status.lastRun().report());
    }
    if (status != null && status.activeRun() != null) {
      known.add(status.activeRun());
    }
    return known;
  }

  private static List<String> names(List<ScanReport> reports) {
    List<String> out = new ArrayList<>(reports.size());
    for (ScanReport r : reports) {
      out.add(r.getMetadata().getName());
    }
    return out;
  }

  private static String describe(ScanReport run) {
    RunPhase phase = RunHistory.phase(run);
    boolean planned = run.getSpec().shards() != null && !run.getSpec().shards().isEmpty();
    return "Run " + run.getMetadata().getName() + " is " + phase
        + (planned ? "." : ": it waits for a ready scanner agent.");
  }
}
