package dev.portolan.operator.cluster;

import java.util.List;
import java.util.Map;

/** The scanner agents that can take a shard now, by node name. */
public interface AgentDirectory {

  /**
   * Nodes with a ready agent, restricted to nodes whose labels include {@code nodeSelector} (all
   * when empty or null), sorted.
   */
  List<String> readyNodes(Map<String, String> nodeSelector);

  /** Agents known by name, always ready (for API servers without pods; the selector is not checked). */
  static AgentDirectory fixed(List<String> nodes) {
    List<String> sorted = nodes.stream().sorted().distinct().toList();
    return selector -> sorted;
  }
}
