package dev.portolan.operator.metrics;

import dev.portolan.crds.v1alpha1.ScanPolicyStatus.RunSummary;
import java.time.Duration;
import java.time.Instant;

/**
 * What the metrics say about one policy at a scrape, read by the reconcile layer from the policy,
 * its status, its runs and its schedule. A component is null when there is nothing to say: no run
 * has ended, none has succeeded, the policy has no (valid, unsuspended) schedule.
 *
 * @param lastRun the newest run that ended, in brief (status.lastRun)
 * @param lastSuccess when the newest run that succeeded completed
 * @param nextRun when the schedule fires next (status.nextRunTime)
 * @param interval how long the schedule waits between runs, as it stands now
 * @param created when the policy was created
 */
public record PolicyState(
    String namespace, String policy, RunSummary lastRun, Instant lastSuccess, Instant nextRun, Duration interval,
    Instant created) {}
