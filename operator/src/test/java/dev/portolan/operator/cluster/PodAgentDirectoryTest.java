package dev.portolan.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PodAgentDirectory")
class PodAgentDirectoryTest {
  private static Pod agent(String node, String phase, String ready, boolean deleting) {
    var b = new PodBuilder().withNewMetadata().withName("agent-" + node).endMetadata()
        .withNewSpec().withNodeName(node).endSpec()
        .withNewStatus().withPhase(phase).addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus();
    if (deleting) {
      b.editMetadata().withDeletionTimestamp("2026-03-10T10:00:00Z").endMetadata();
    }
    return b.build();
  }

  @Test
  @DisplayName("an agent offers its node when it runs, is Ready, and is not going away")
  void readiness() {
    List<Pod> pods = List.of(
        agent("node-c", "Running", "True", false),
        agent("node-a", "Running", "True", false),
        agent("node-a", "Running", "True", false),
        agent("node-b", "Running", "False", false),
        agent("node-d", "Pending", "True", false),
        agent("node-e", "Running", "True", true),
        new PodBuilder().withNewSpec().endSpec().withNewStatus().withPhase("Running").endStatus().build());
    assertThat(PodAgentDirectory.nodesOf(pods)).containsExactly("node-a", "node-c");
  }

  private static Pod onNetwork(String node, Boolean hostNetwork, String ip) {
    return new PodBuilder(agent(node, "Running", "True", false))
        .editMetadata().withNamespace("portolan").withLabels(Map.of("app.kubernetes.io/component", "scanner",
            "controller-revision-hash", "5d8f", "pod-template-generation", "3")).endMetadata()
        .editSpec().withHostNetwork(hostNetwork).endSpec()
        .editStatus().withPodIP(ip).endStatus().build();
  }

  @Test
  @DisplayName("agents on the pod network probe as their pods: namespace, stable labels, pod addresses")
  void podVantage() {
    List<Pod> pods = List.of(onNetwork("node-b", false, "10.244.2.9"), onNetwork("node-a", null, "10.244.1.7"),
        onNetwork("node-c", false, "10.244.3.3"));
    var v = PodAgentDirectory.podVantage(pods, java.util.Set.of("node-a", "node-b")).orElseThrow();
    assertThat(v.kind()).isEqualTo("Pod");
    assertThat(v.namespace()).isEqualTo("portolan");
    assertThat(v.labels()).containsExactly(Map.entry("app.kubernetes.io/component", "scanner"));
    assertThat(v.addresses()).containsExactly("10.244.1.7", "10.244.2.9");
    // On their nodes' network (the raw engine) they probe as the nodes: no pod vantage.
    assertThat(PodAgentDirectory.podVantage(List.of(onNetwork("node-a", true, "10.0.0.5")), java.util.Set.of("node-a"))).isEmpty();
    assertThat(PodAgentDirectory.podVantage(pods, java.util.Set.of("node-z"))).isEmpty();
  }

  @Test
  @DisplayName("a node selector matches when the node carries every label it names")
  void selector() {
    assertThat(PodAgentDirectory.matches(Map.of("pool", "scan", "zone", "a"), Map.of("pool", "scan"))).isTrue();
    assertThat(PodAgentDirectory.matches(Map.of("pool", "web"), Map.of("pool", "scan"))).isFalse();
    assertThat(PodAgentDirectory.matches(null, Map.of("pool", "scan"))).isFalse();
    assertThat(PodAgentDirectory.matches(null, Map.of())).isTrue();
  }

  @Test
  @DisplayName("fixed agents are always ready, sorted and distinct")
  void fixed() {
    assertThat(AgentDirectory.fixed(List.of("b", "a", "b")).readyNodes(Map.of("x", "y"))).containsExactly("a", "b");
  }
}
