package dev.portolan.control.cluster;

import dev.portolan.crds.v1alpha1.ScanReportPageSpec.NetworkVerdict;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import java.util.List;

/**
 * What owned an address and port at a probe's time, and what the run's expectations made of it:
 * the expectations whose workload selectors select it, and the NetworkPolicy verdict (pods only).
 */
public record Ownership(Target target, List<Integer> rules, NetworkVerdict network) {
  public Ownership {
    rules = rules == null ? List.of() : List.copyOf(rules);
  }
}
