package dev.portolan.operator.cluster;

import dev.portolan.crds.v1alpha1.ScanReportSpec.Vantage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Agents are the pods in the operator's namespace that carry the agent labels (the scanner
 * DaemonSet's): one that runs, is Ready and is bound to a node offers that node.
 */
public final class PodAgentDirectory implements AgentDirectory {
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, String> agentLabels;

  public PodAgentDirectory(KubernetesClient client, String namespace, Map<String, String> agentLabels) {
    this.client = client;
    this.namespace = namespace;
    this.agentLabels = Map.copyOf(agentLabels);
  }

  public String namespace() {
    return namespace;
  }

  public Map<String, String> agentLabels() {
    return agentLabels;
  }

  @Override
  public List<String> readyNodes(Map<String, String> nodeSelector) {
    List<String> nodes = nodesOf(client.pods().inNamespace(namespace).withLabels(agentLabels).list().getItems());
    if (nodeSelector == null || nodeSelector.isEmpty()) {
      return nodes;
    }
    List<String> out = new ArrayList<>();
    for (String name : nodes) {
      Node node = client.nodes().withName(name).get();
      if (node != null && matches(node.getMetadata().getLabels(), nodeSelector)) {
        out.add(name);
      }
    }
    return out;
  }

  @Override
  public Optional<Vantage> podVantage(Collection<String> nodes) {
    return podVantage(client.pods().inNamespace(namespace).withLabels(agentLabels).list().getItems(), nodes);
  }

  /**
   * The vantage of the ready agent pods on {@code nodes} that are not on their node's network:
   * their namespace, the labels NetworkPolicies select them by (without the per-revision labels a
   * DaemonSet adds) and their pod addresses. Empty when those agents use their nodes' network.
   */
  public static Optional<Vantage> podVantage(Collection<Pod> pods, Collection<String> nodes) {
    List<Pod> onPodNetwork = pods.stream()
        .filter(PodAgentDirectory::isReady)
        .filter(p -> nodes.contains(p.getSpec().getNodeName()))
        .filter(p -> !Boolean.TRUE.equals(p.getSpec().getHostNetwork()))
        .sorted(java.util.Comparator.comparing(p -> p.getSpec().getNodeName()))
        .toList();
    if (onPodNetwork.isEmpty()) {
      return Optional.empty();
    }
    Pod first = onPodNetwork.getFirst();
    Map<String, String> labels = new java.util.TreeMap<>(first.getMetadata().getLabels() == null ? Map.of() : first.getMetadata().getLabels());
    PER_REVISION_LABELS.forEach(labels::remove);
    List<String> addresses = onPodNetwork.stream()
        .map(p -> p.getStatus().getPodIP())
        .filter(ip -> ip != null && !ip.isBlank())
        .distinct().toList();
    return Optional.of(new Vantage(Vantage.POD, first.getMetadata().getNamespace(), labels, null,
        addresses.isEmpty() ? null : addresses));
  }

  /** Labels that differ between a DaemonSet's pods and revisions: no NetworkPolicy should select on them. */
  private static final List<String> PER_REVISION_LABELS = List.of("controller-revision-hash", "pod-template-generation", "pod-template-hash");

  /** Nodes of the agent pods that are running and Ready, sorted, once each. */
  public static List<String> nodesOf(Collection<Pod> pods) {
    TreeSet<String> nodes = new TreeSet<>();
    for (Pod p : pods) {
      if (isReady(p)) {
        nodes.add(p.getSpec().getNodeName());
      }
    }
    return List.copyOf(nodes);
  }

  /** Running, Ready=True, bound to a node and not being deleted. */
  public static boolean isReady(Pod p) {
    if ((p.getMetadata() != null && p.getMetadata().getDeletionTimestamp() != null) || p.getSpec() == null || p.getSpec().getNodeName() == null
        || p.getStatus() == null || !"Running".equals(p.getStatus().getPhase()) || p.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : p.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }

  /** Whether {@code labels} include every entry of {@code selector}. */
  public static boolean matches(Map<String, String> labels, Map<String, String> selector) {
    if (selector == null || selector.isEmpty()) {
      return true;
    }
    if (labels == null) {
      return false;
    }
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
