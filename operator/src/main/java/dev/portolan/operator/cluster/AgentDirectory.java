package dev.portolan.operator.cluster;

import dev.portolan.crds.v1alpha1.ScanReportSpec.Vantage;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The scanner agents that can take a shard now, by node name. */
public interface AgentDirectory {

  /**
   * Nodes with a ready agent, restricted to nodes whose labels include {@code nodeSelector} (all
   * when empty or null), sorted.
   */
  List<String> readyNodes(Map<String, String> nodeSelector);

  /**
   * Where the agents on {@code nodes} send from when they run on the pod network (the chart's
   * {@code scanner.mode: connect}): their pods' namespace, labels and addresses, which is what
   * NetworkPolicies judge; empty when they run on their nodes' network (the raw engine's default).
   */
  default Optional<Vantage> podVantage(Collection<String> nodes) {
    return Optional.empty();
  }

  /** Agents known by name, always ready (for API servers without pods; the selector is not checked). */
  static AgentDirectory fixed(List<String> nodes) {
    List<String> sorted = nodes.stream().sorted().distinct().toList();
    return selector -> sorted;
  }
}
