package dev.portolan.control.cluster;

import dev.portolan.crds.v1alpha1.ScanReportPageSpec.NetworkVerdict;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * What the run's expectations make of an owner, decided when the index is resolved (the full
 * labels are known then; the index keeps only allow-listed ones): which expectations' workload
 * selectors select it, and what NetworkPolicies let the vantage point reach on a pod.
 */
public interface OwnerFacts {
  /** Positions (from 0) of the expectations whose workload selectors select {@code owner}; empty for none. */
  List<Integer> rules(HasMetadata owner);

  /** The NetworkPolicy verdict for a pod from the run's vantage point, or null when the run does not ask. */
  NetworkVerdict network(Pod pod);

  /** No expectations by workload, no NetworkPolicies. */
  OwnerFacts NONE = new OwnerFacts() {
    @Override
    public List<Integer> rules(HasMetadata owner) {
      return List.of();
    }

    @Override
    public NetworkVerdict network(Pod pod) {
      return null;
    }
  };
}
