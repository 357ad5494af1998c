package dev.portolan.operator.it;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec.Vantage;
import dev.portolan.operator.support.Harness;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Agents of the chart's {@code scanner.mode: connect} run on the pod network: a run they take is
 * recorded as probing from their pods (namespace, labels, pod addresses), which is what the
 * cluster's NetworkPolicies judge, not from their nodes.
 */
@DisplayName("the vantage point of agents on the pod network")
class AgentVantageIT {
  private static Harness h;

  @BeforeAll
  static void start() {
    h = new Harness("vantage");
    assumeTrue(h.cluster.canFakePods(), "writes agent pods with their addresses");
    for (String node : new String[] {"node-a", "node-b"}) {
      h.createNode(new NodeBuilder().withNewMetadata().withName(node).endMetadata()
          .withNewStatus().addNewAddress().withType("InternalIP").withAddress(node.equals("node-a") ? "10.99.0.1" : "10.99.0.2")
          .endAddress().endStatus().build());
      Pod agent = new PodBuilder(Harness.agentPod(node, true))
          .editMetadata().addToLabels("controller-revision-hash", "7c9d").endMetadata()
          .editSpec().withHostNetwork(false).endSpec()
          .editStatus().withPodIP(node.equals("node-a") ? "10.244.1.4" : "10.244.2.4").endStatus().build();
      h.createPod(h.ns, agent);
    }
    h.start();
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  @DisplayName("the run probes as the agents' pods")
  void podVantage() {
    h.apply(policy("from-pods", h.ns).cidrs("10.1.0.0/30").build());
    ScanReport run = h.awaitReport("from-pods-g1", r -> r.getSpec().shards() != null && r.getSpec().shards().size() == 2);
    Vantage v = run.getSpec().scope().vantage();
    assertThat(v.kind()).isEqualTo(Vantage.POD);
    assertThat(v.namespace()).isEqualTo(h.ns);
    assertThat(v.labels()).doesNotContainKey("controller-revision-hash").containsAllEntriesOf(Map.of("app.kubernetes.io/component", "scanner"));
    assertThat(v.addresses()).containsExactly("10.244.1.4", "10.244.2.4");
  }
}
