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
