package dev.portolan.operator.plan;

import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.guard.GuardDecision;
import dev.portolan.control.run.RunResolution;
import dev.portolan.control.run.RunSpecs;
import dev.portolan.control.run.ShardPlanner;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.operator.schedule.DueRun;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Builds the main report of a new run: the frozen scope and audit record (shared {@link RunSpecs}),
 * a fresh random seed (the probe order of the run), and the shard plan over the agents that are
 * ready now ({@link ShardPlanner}). With no agent ready the plan is empty: the report is created
 * anyway, waits (Complete=False, NoScanners) and is planned by the report reconciler as soon as
 * an agent is ready, so the run's name and time are fixed when it became due.
 */
public final class RunFactory {
  public static final String CREATED_BY = "portolan-operator";

  private final GuardConfig guard;
  private final String engineVersion;
  private final RandomGenerator random;

  public RunFactory(GuardConfig guard, String engineVersion, RandomGenerator random) {
    this.guard = guard;
    this.engineVersion = engineVersion;
    this.random = random;
  }

  /** One shard per ready agent (up to spec.scanners.maxShards), each with its share of the rate. */
  public List<ShardAssignment> shards(ScanPolicySpec spec, List<String> readyNodes) {
    Integer maxShards = spec.scanners() == null ? null : spec.scanners().maxShards();
    return ShardPlanner.plan(readyNodes, spec.rateOrDefault(), maxShards, guard.maxRatePerNode());
  }

  /** The single shard of a Pod-sourced run, assigned to the pod's name. */
  public List<ShardAssignment> podShard(ScanPolicySpec spec, String podName) {
    return ShardPlanner.plan(List.of(podName), spec.rateOrDefault(), 1, guard.maxRatePerNode());
  }

  public ScanReport mainReport(
      ScanPolicy policy, DueRun due, GuardDecision.Accepted decision, List<ShardAssignment> shards,
      Map<String, String> annotations, Instant now, RunResolution resolution) {
    ScanReport report = RunSpecs.mainReport(
        policy, due.name(), decision, guard, shards, random.nextLong(),
        new RunSpecs.Trigger(due.trigger(), CREATED_BY, engineVersion), now, resolution);
    if (!annotations.isEmpty()) {
      Map<String, String> a = new HashMap<>(report.getMetadata().getAnnotations() == null ? Map.of() : report.getMetadata().getAnnotations());
      a.putAll(annotations);
      report.getMetadata().setAnnotations(a);
    }
    return report;
  }
}
