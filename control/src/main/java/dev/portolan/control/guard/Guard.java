package dev.portolan.control.guard;

import dev.portolan.control.UsageException;
import dev.portolan.control.schedule.Cron;
import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.Scope;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.SourceSpec;
import dev.portolan.crds.v1alpha1.TargetsSpec;
import dev.portolan.crds.v1alpha1.TargetsSpec.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a policy against the cluster's {@link GuardConfig} before anything runs. A policy outside
 * the guard does not run, and the decision says why in words a person can act on. The schema
 * already rejected what it could at apply time; this is the rest, and the check for policies that
 * reached the cluster some other way.
 *
 * <p>Tenancy (docs/decisions/010-tenancy.md): a policy reaches its own namespace's Pods and
 * Services; CIDRs, nodes, other namespaces and source pods elsewhere only through its namespace's
 * {@link NamespaceGrant}, and never past the guard's allowed and excluded ranges.
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
   * @param namespace the policy's namespace
   * @param clusterAddresses addresses the policy's cluster selectors resolved to (nodes, services,
   *     pods), already as text entries
   */
  public GuardDecision evaluate(ScanPolicySpec spec, String namespace, List<String> clusterAddresses) {
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
    Optional<NamespaceGrant> grant = config.grantFor(namespace);
    Optional<GuardDecision.Rejected> reach = reach(spec, namespace, grant, policyExcludes);
    if (reach.isPresent()) {
      return reach.get();
    }
    Long grantRate = grant.map(NamespaceGrant::maxRate).orElse(null);
    if (grantRate != null && grantRate < config.maxRatePerPolicy() && spec.rateOrDefault() > grantRate) {
      return new GuardDecision.Rejected(
          "RateAboveGrant",
          "spec.rate " + spec.rateOrDefault() + " is above the " + grantRate + " probes/s granted to the policies of namespace "
              + namespace + "; lower it or ask the cluster admins to raise maxRate in its guard.namespaces grant.");
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

  /**
   * What the policy reaches beyond its own namespace's Pods and Services, checked against its
   * namespace's grant: CIDRs, nodes, selectors of other namespaces, a source pod elsewhere.
   */
  private Optional<GuardDecision.Rejected> reach(
      ScanPolicySpec spec, String namespace, Optional<NamespaceGrant> grant, AddressSet policyExcludes) {
    String ask = " Ask the cluster admins for a grant (guard.namespaces in the Helm values: name: " + namespace + ", ";
    TargetsSpec targets = spec.targets();
    if (!targets.cidrsOrEmpty().isEmpty()) {
      AddressSet named = Scope.parseList(targets.cidrsOrEmpty()).minus(policyExcludes).minus(excluded);
      // What lies outside the guard's allowed ranges is the guard's refusal (OutsideAllowedScope),
      // which no grant can lift: the grant is asked only about the rest.
      named = named.minus(named.minus(allowed));
      List<String> granted = grant.map(NamespaceGrant::cidrs).orElse(List.of());
      AddressSet outside = named.minus(Scope.parseList(granted));
      if (!outside.isEmpty()) {
        return Optional.of(new GuardDecision.Rejected(
            "CidrsNotGranted",
            granted.isEmpty()
                ? "Policies in namespace " + namespace + " may scan only its own pods and services, not spec.targets.cidrs;"
                    + " select them with targets.pods or targets.services." + ask + "cidrs: [" + String.join(", ", targets.cidrsOrEmpty()) + "])."
                : "spec.targets.cidrs reaches " + outside.ranges().get(0)
                    + (outside.rangeCount() > 1 ? " (and " + (outside.rangeCount() - 1) + " more ranges)" : "")
                    + ", outside the ranges granted to namespace " + namespace + " (" + String.join(", ", granted)
                    + "); narrow or exclude it, or ask the cluster admins to widen the grant's cidrs."));
      }
    }
    if (targets.nodes() != null && !grant.map(NamespaceGrant::nodes).orElse(false)) {
      return Optional.of(new GuardDecision.Rejected(
          "NodesNotGranted",
          "Policies in namespace " + namespace + " may not scan nodes (spec.targets.nodes)." + ask + "nodes: true)."));
    }
    for (Selector selector : new Selector[] {targets.services(), targets.pods()}) {
      if (selector == null) {
        continue;
      }
      String kind = selector == targets.services() ? "services" : "pods";
      String ns = selector.namespaceFor(namespace);
      if (ns == null && !grant.map(NamespaceGrant::reachesEveryNamespace).orElse(false)) {
        return Optional.of(new GuardDecision.Rejected(
            "NamespaceNotGranted",
            "spec.targets." + kind + ".namespace \"*\" reaches every namespace; policies in namespace " + namespace
                + " may select only their own. Drop the namespace, or" + lower(ask) + "otherNamespaces: [\"*\"])."));
      }
      if (ns != null && !ns.equals(namespace) && !grant.map(g -> g.reaches(ns)).orElse(false)) {
        return Optional.of(new GuardDecision.Rejected(
            "NamespaceNotGranted",
            "spec.targets." + kind + ".namespace " + ns + " is another namespace; policies in namespace " + namespace
                + " may select only their own. Drop the namespace, or" + lower(ask) + "otherNamespaces: [" + ns + "])."));
      }
    }
    if (spec.source() != null && spec.source().type() == SourceSpec.Type.Pod && spec.source().pod() != null) {
      String ns = spec.source().pod().namespace();
      if (ns != null && !ns.equals(namespace) && !grant.map(g -> g.reaches(ns)).orElse(false)) {
        return Optional.of(new GuardDecision.Rejected(
            "SourceNamespaceNotGranted",
            "spec.source.pod.namespace " + ns + " is another namespace; a policy in namespace " + namespace
                + " scans from a pod of its own namespace. Drop the namespace, or" + lower(ask) + "otherNamespaces: [" + ns + "])."));
      }
    }
    return Optional.empty();
  }

  private static String lower(String sentence) {
    return " a" + sentence.substring(" A".length());
  }
}
