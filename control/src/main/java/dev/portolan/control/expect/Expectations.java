package dev.portolan.control.expect;

import dev.portolan.control.cluster.LabelSelectors;
import dev.portolan.control.cluster.Ownership;
import dev.portolan.control.netpol.Reachability;
import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.Scope;
import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ExpectationsSpec.ExposureRule;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.NetworkVerdict;
import dev.portolan.crds.v1alpha1.ScanReportSpec.Vantage;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What may be exposed, and the violation an open port is when nothing allows it.
 *
 * <p>Rules: a finding is allowed when some rule covers its address (or names none), its port (or
 * none), its service (or none) and its owner (the rule's workload selectors, decided when the
 * run's index was resolved: {@link Ownership#rules()}). Without an {@code expectations} block
 * nothing is a violation; with one, everything its rules do not allow is, unless it only asks for
 * NetworkPolicies ({@code fromNetworkPolicies} without {@code allowed}).
 *
 * <p>NetworkPolicies: with {@code fromNetworkPolicies}, an open port on a pod that the policies
 * deny from the run's vantage point is a violation too: the worst a segmentation test can find,
 * since the CNI does not enforce what the cluster declares.
 */
public final class Expectations {
  private record Rule(int index, ExposureRule spec, AddressSet addresses, PortSet ports, List<String> services) {}

  private final List<Rule> rules = new ArrayList<>();
  private final boolean explicit;
  private final boolean networkPolicies;
  private final Severity severity;
  private final Vantage vantage;

  public Expectations(ExpectationsSpec spec) {
    this(spec, null);
  }

  public Expectations(ExpectationsSpec spec, Vantage vantage) {
    this.networkPolicies = spec != null && spec.derivedFromNetworkPolicies();
    this.explicit = spec != null && (spec.allowed() != null || !networkPolicies);
    this.severity = spec == null || spec.severity() == null ? Severity.medium : spec.severity();
    this.vantage = vantage;
    if (spec != null && spec.allowed() != null) {
      for (int i = 0; i < spec.allowed().size(); i++) {
        ExposureRule r = spec.allowed().get(i);
        rules.add(new Rule(i, r,
            r.cidrs() == null || r.cidrs().isEmpty() ? null : Scope.parseList(r.cidrs()),
            r.ports() == null || r.ports().isBlank() ? null : PortSet.parse(r.ports()),
            r.services() == null ? List.of() : r.services()));
      }
    }
  }

  public boolean declared() {
    return explicit || networkPolicies;
  }

  public boolean fromNetworkPolicies() {
    return networkPolicies;
  }

  /** The violation an open finding without a known owner is, if it is one. */
  public Optional<Violation> check(Finding f) {
    return check(f, Optional.empty());
  }

  /** The violation this open finding is, if it is one, given what owned its address at probe time. */
  public Optional<Violation> check(Finding f, Optional<Ownership> owner) {
    Target target = owner.map(Ownership::target).orElse(null);
    String service = f.service() == null ? "unknown" : f.service();
    String what = (target == null ? f.ip() : target.describe()) + " port " + f.port() + " (" + service + ")";
    if (networkPolicies && owner.isPresent() && "Pod".equals(target.kind())) {
      NetworkVerdict v = owner.get().network();
      if (v != null && !Reachability.allows(v, f.port()) && !ownNode(f, target)) {
        List<String> isolating = new ArrayList<>();
        if (v.ingressIsolatedBy() != null) {
          isolating.addAll(v.ingressIsolatedBy());
        }
        if (v.egressIsolatedBy() != null) {
          isolating.addAll(v.egressIsolatedBy());
        }
        boolean one = isolating.size() == 1;
        String allowed = v.allowedPorts() == null || v.allowedPorts().isEmpty() ? "no port"
            : (v.allowedPorts().matches("\\d+") ? "only port " : "only ports ") + v.allowedPorts();
        String reason = what + " is reachable although NetworkPolic" + (one ? "y " : "ies ") + names(isolating)
            + (one ? " isolates " : " isolate ") + (v.ingressIsolatedBy() != null ? "it" : "the vantage point")
            + (one ? " and allows " : " and allow ") + allowed
            + " from " + vantageText() + ": the network does not enforce " + (one ? "it" : "them");
        return Optional.of(new Violation(f.ip(), f.port(), f.service(), reason, target, null, isolating,
            severityOr(Severity.high)));
      }
    }
    if (!explicit) {
      return Optional.empty();
    }
    int address = Ipv4.parse(f.ip());
    List<Integer> selected = owner.map(Ownership::rules).orElse(List.of());
    Rule nearest = null;
    int best = -1;
    for (Rule r : rules) {
      int score = 0;
      boolean inAddresses = r.addresses() == null || r.addresses().contains(address);
      boolean inPorts = r.ports() == null || r.ports().indexOf(f.port()) >= 0;
      boolean inServices = r.services().isEmpty() || (f.service() != null && r.services().contains(f.service()));
      boolean inWorkloads = !r.spec().selectsWorkloads() || selected.contains(r.index());
      if (inAddresses && inPorts && inServices && inWorkloads) {
        return Optional.empty();
      }
      score = (inAddresses ? 1 : 0) + (inPorts ? 1 : 0) + (inServices ? 1 : 0) + (inWorkloads ? 2 : 0);
      if (score > best) {
        best = score;
        nearest = r;
      }
    }
    if (rules.isEmpty()) {
      return Optional.of(new Violation(f.ip(), f.port(), f.service(),
          "nothing may be exposed in this scope, but " + what + " is open", target, null, null, severity));
    }
    String why = nearestText(nearest, f, address, selected, target);
    return Optional.of(new Violation(f.ip(), f.port(), f.service(),
        what + " is open and no expectation allows it; the nearest, " + name(nearest) + ", does not: " + why,
        target, name(nearest), null, nearest.spec().severity() == null ? severity : nearest.spec().severity()));
  }

  private Severity severityOr(Severity fallback) {
    return severity == Severity.medium ? fallback : severity;
  }

  /** A node may always reach the pods it runs: an agent on the target's own node is allowed. */
  private boolean ownNode(Finding f, Target target) {
    return vantage != null && Vantage.NODE.equals(vantage.kind()) && f.node() != null && f.node().equals(target.node());
  }

  private String vantageText() {
    if (vantage == null) {
      return "the vantage point";
    }
    if (Vantage.POD.equals(vantage.kind())) {
      return "a pod in " + vantage.namespace() + " labelled "
          + (vantage.labels() == null || vantage.labels().isEmpty() ? "{}" : LabelSelectors.describe(
              new io.fabric8.kubernetes.api.model.LabelSelector(null, vantage.labels())));
    }
    return "the nodes";
  }

  private static String name(Rule r) {
    return "rule " + (r.index() + 1) + (r.spec().description() == null ? "" : " '" + r.spec().description() + "'");
  }

  /** In words, what of the nearest rule this finding does not meet. */
  private static String nearestText(Rule r, Finding f, int address, List<Integer> selected, Target target) {
    List<String> misses = new ArrayList<>();
    if (r.addresses() != null && !r.addresses().contains(address)) {
      misses.add("it covers " + String.join(", ", r.spec().cidrs()) + ", not " + f.ip());
    }
    if (r.ports() != null && r.ports().indexOf(f.port()) < 0) {
      misses.add("it allows port " + r.spec().ports() + ", not " + f.port());
    }
    if (!r.services().isEmpty() && (f.service() == null || !r.services().contains(f.service()))) {
      misses.add("it allows " + String.join(", ", r.services()) + ", not " + (f.service() == null ? "an unidentified service" : f.service()));
    }
    if (r.spec().selectsWorkloads() && !selected.contains(r.index())) {
      misses.add("it selects " + selectors(r.spec()) + ", not " + (target == null ? "an address no cluster object owned" : target.describe()));
    }
    return String.join("; ", misses);
  }

  private static String selectors(ExposureRule r) {
    List<String> parts = new ArrayList<>();
    if (r.podSelector() != null) {
      parts.add("pods " + LabelSelectors.describe(r.podSelector()));
    }
    if (r.namespaceSelector() != null) {
      parts.add("in namespaces " + LabelSelectors.describe(r.namespaceSelector()));
    }
    if (r.service() != null) {
      parts.add("service " + (r.service().name() != null ? r.service().name() : LabelSelectors.describe(r.service().selector())));
    }
    if (r.nodeSelector() != null) {
      parts.add("nodes " + LabelSelectors.describe(r.nodeSelector()));
    }
    return String.join(" ", parts);
  }

  /** "a", "a and b", "a, b and c". */
  private static String names(List<String> names) {
    if (names.size() <= 1) {
      return String.join("", names);
    }
    return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
  }
}
