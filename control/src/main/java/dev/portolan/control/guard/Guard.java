package dev.portolan.control.guard;

import dev.portolan.control.UsageException;
import dev.portolan.control.schedule.Cron;
import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.Scope;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a policy against the cluster's {@link GuardConfig} before anything runs. A policy outside
 * the guard does not run, and the decision says why in words a person can act on. The schema
 * already rejected what it could at apply time; this is the rest, and the check for policies that
 * reached the cluster some other way.
 */
public final class Guard {
  private final GuardConfig config;
  private final AddressSet allowed;
  private final AddressSet excluded;

  public Guard(GuardConfig config) {
    this.config = config;
    this.allowed = Scope.parseList(config.allowedCidrs());
    this.excluded = Scope.parseList(config.alwaysExcluded());
  }

  public GuardConfig config() {
    return config;
  }

  /**
   * @param clusterAddresses addresses the policy's cluster selectors resolved to (nodes, services,
   *     pods), already as text entries
   */
  public GuardDecision evaluate(ScanPolicySpec spec, List<String> clusterAddresses) {
    clusterAddresses = clusterAddresses == null ? List.of() : clusterAddresses;
    if (spec == null) {
      return new GuardDecision.Rejected("InvalidSpec", "The policy has no spec.");
    }
    if (spec.purpose() == null || spec.purpose().isBlank()) {
      return new GuardDecision.Rejected(
          "PurposeMissing", "The policy states no purpose; say why this scan runs in spec.purpose.");
    }
    if (spec.targets() == null) {
      return new GuardDecision.Rejected("InvalidTargets", "The policy has no targets; list spec.targets.cidrs or a cluster selector.");
    }
    if (spec.ports() == null || spec.ports().isBlank()) {
      return new GuardDecision.Rejected("InvalidPorts", "spec.ports is empty; list TCP ports such as 22,80,443 or 1-1024.");
    }
    PortSet ports;
    try {
      ports = PortSet.parse(spec.ports());
    } catch (UsageException e) {
      return new GuardDecision.Rejected("InvalidPorts", "spec.ports: " + e.getMessage() + ".");
    }
    AddressSet requested;
    AddressSet policyExcludes;
    try {
      List<String> all = new ArrayList<>(spec.targets().cidrsOrEmpty());
      all.addAll(clusterAddresses);
      requested = Scope.parseList(all);
      policyExcludes = Scope.parseList(spec.targets().excludeOrEmpty());
    } catch (UsageException e) {
      return new GuardDecision.Rejected("InvalidTargets", "spec.targets: " + e.getMessage() + ".");
    }
    if (spec.schedule() != null) {
      try {
        Cron.parse(spec.schedule());
      } catch (IllegalArgumentException e) {
        return new GuardDecision.Rejected("InvalidSchedule", "spec.schedule: " + e.getMessage() + ".");
      }
    }
    try {
      Cron.zone(spec.timeZone());
    } catch (IllegalArgumentException e) {
      return new GuardDecision.Rejected("InvalidTimeZone", "spec.timeZone: " + e.getMessage() + ".");
    }
    if (spec.rateOrDefault() > config.maxRatePerPolicy()) {
      return new GuardDecision.Rejected(
          "RateAboveGuard",
          "spec.rate "
              + spec.rateOrDefault()
              + " is above the guard's maximum of "
              + config.maxRatePerPolicy()
              + " probes/s per policy; lower it or ask the cluster admins to raise the cap.");
    }
    if (requested.isEmpty()) {
      return new GuardDecision.Rejected(
          "EmptyScope", "The targets resolve to no address (no cidrs, and no cluster object matched the selectors).");
    }
    Scope scope = Scope.of(requested, policyExcludes.union(excluded));
    if (scope.hosts().isEmpty()) {
      return new GuardDecision.Rejected(
          "EmptyScope",
          "Nothing is left to scan after the policy's excludes and the guard's always-excluded ranges ("
              + String.join(", ", config.alwaysExcluded())
              + ").");
    }
    AddressSet outside = scope.hosts().minus(allowed);
    if (!outside.isEmpty()) {
      return new GuardDecision.Rejected(
          "OutsideAllowedScope",
          "The scope reaches "
              + outside.ranges().get(0)
              + (outside.rangeCount() > 1 ? " (and " + (outside.rangeCount() - 1) + " more ranges)" : "")
              + ", outside the ranges the guard allows ("
              + String.join(", ", config.allowedCidrs())
              + "); narrow spec.targets or exclude it.");
    }
    Workload workload =
        Workload.of(scope.hosts().size(), ports.size(), spec.rateOrDefault(), spec.waitSecondsOrDefault());
    return new GuardDecision.Accepted(scope, ports, workload);
  }
}
