package dev.portolan.operator.reconcile;

import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.Timestamps;
import dev.portolan.operator.metrics.PolicyState;
import dev.portolan.operator.plan.RunHistory;
import dev.portolan.operator.schedule.RunSchedule;
import java.time.Instant;
import java.util.Collection;

/**
 * A policy as the metrics see it, from what exists now: its status (last ended run, next run time),
 * its runs (the newest success, which pruning always keeps) and its schedule. Nothing is
 * remembered, so a restarted operator exports the same values at once.
 */
final class PolicyStates {
  private PolicyStates() {}

  static PolicyState of(ScanPolicy policy, Collection<ScanReport> runs, Instant now) {
    ScanPolicyStatus status = policy.getStatus();
    Instant lastSuccess = RunHistory.of(runs).lastSucceeded()
        .map(r -> r.getStatus() == null ? null : Timestamps.orNull(r.getStatus().completionTime()))
        .orElse(null);
    return new PolicyState(
        policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(),
        status == null ? null : status.lastRun(),
        lastSuccess,
        status == null ? null : Timestamps.orNull(status.nextRunTime()),
        RunSchedule.interval(policy.getSpec(), now).orElse(null),
        Timestamps.orNull(policy.getMetadata().getCreationTimestamp()));
  }

}
