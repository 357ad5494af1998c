package dev.portolan.control.expect;

import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.Scope;
import dev.portolan.crds.v1alpha1.ExpectationsSpec.ExposureRule;
import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What may be exposed. A finding is allowed when some rule covers its address (or the rule names
 * none), its port (or none) and its service (or none). Without an {@code expectations} block
 * nothing is a violation; with one, everything it does not allow is.
 */
public final class Expectations {
  private record Rule(String description, AddressSet addresses, PortSet ports, List<String> services) {}

  private final List<Rule> rules;
  private final boolean declared;

  public Expectations(ExpectationsSpec spec) {
    this.declared = spec != null;
    this.rules = new ArrayList<>();
    if (spec != null && spec.allowed() != null) {
      for (ExposureRule r : spec.allowed()) {
        rules.add(
            new Rule(
                r.description(),
                r.cidrs() == null || r.cidrs().isEmpty() ? null : Scope.parseList(r.cidrs()),
                r.ports() == null || r.ports().isBlank() ? null : PortSet.parse(r.ports()),
                r.services() == null ? List.of() : r.services()));
      }
    }
  }

  /** The violation this finding is, if it is one. */
  public Optional<Violation> check(Finding f) {
    if (!declared) {
      return Optional.empty();
    }
    int address = Ipv4.parse(f.ip());
    for (Rule r : rules) {
      if ((r.addresses() == null || r.addresses().contains(address))
          && (r.ports() == null || r.ports().indexOf(f.port()) >= 0)
          && (r.services().isEmpty() || (f.service() != null && r.services().contains(f.service())))) {
        return Optional.empty();
      }
    }
    String service = f.service() == null ? "unknown" : f.service();
    return Optional.of(
        new Violation(
            f.ip(),
            f.port(),
            f.service(),
            rules.isEmpty()
                ? "nothing may be exposed in this scope, but " + service + " is open"
                : service + " is open here and no expectation allows it"));
  }
}
