package dev.portolan.operator.it;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.TargetsSpec;
import dev.portolan.crds.v1alpha1.TargetsSpec.Selector;
import dev.portolan.operator.support.Harness;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Cluster selectors resolved from the cluster's objects into the run's frozen scope.
 *
 * <p>What the mock cannot prove: real node, service and pod addresses (written here by the test);
 * list permissions. Needs the core API.
 */
@DisplayName("cluster selectors")
class ClusterSelectorIT {
  private static Harness h;

  @BeforeAll
  static void start() {
    h = new Harness("selectors");
    h.readyAgents("node-a");
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  @DisplayName("nodes -> InternalIPs, services -> cluster IPs (not headless), pods -> running pods' IPs, in the right namespaces")
  void selectorsResolve() {
    assumeTrue(h.cluster.canFakePods(), "writes node, service and pod addresses itself");
    String other = h.ns + "-other";
    h.namespace(other);
    h.createNode(new NodeBuilder().withNewMetadata().withName("web-1").withLabels(Map.of("role", "web")).endMetadata()
        .withNewStatus().addNewAddress().withType("InternalIP").withAddress("10.50.0.1").endAddress()
        .addNewAddress().withType("ExternalIP").withAddress("203.0.113.9").endAddress().endStatus().build());
    h.client.services().inNamespace(h.ns).resource(new ServiceBuilder().withNewMetadata().withName("shop").withLabels(Map.of("app", "shop")).endMetadata()
        .withNewSpec().withClusterIP("10.51.0.10").withClusterIPs("10.51.0.10").endSpec().build()).create();
    h.client.services().inNamespace(h.ns).resource(new ServiceBuilder().withNewMetadata().withName("shop-headless").withLabels(Map.of("app", "shop")).endMetadata()
        .withNewSpec().withClusterIP("None").endSpec().build()).create();
    h.client.services().inNamespace(other).resource(new ServiceBuilder().withNewMetadata().withName("shop").withLabels(Map.of("app", "shop")).endMetadata()
        .withNewSpec().withClusterIP("10.51.0.99").endSpec().build()).create();
    h.createPod(other, new PodBuilder().withNewMetadata().withName("shop-1").withLabels(Map.of("app", "shop")).endMetadata()
        .withNewStatus().withPhase("Running").withPodIP("10.52.0.7").addNewPodIP("10.52.0.7").endStatus().build());
    h.createPod(h.ns, new PodBuilder().withNewMetadata().withName("shop-2").withLabels(Map.of("app", "shop")).endMetadata()
        .withNewStatus().withPhase("Pending").endStatus().build());

    // The operator resolves runs against its informer caches, which are synced when it starts:
    // starting it now makes the run see these objects without racing their watch events.
    h.start();
    h.apply(policy("cluster", h.ns).targets(new TargetsSpec(null, null,
        new Selector(null, Map.of("role", "web")),
        new Selector(null, Map.of("app", "shop")),
        new Selector("*", Map.of("app", "shop")))).build());
    ScanReport run = h.awaitReport("cluster-g1", r -> true);
    assertThat(run.getSpec().scope().cidrs()).containsExactly("10.50.0.1", "10.51.0.10", "10.52.0.7");
    assertThat(run.getSpec().scope().addresses()).isEqualTo(3L);
  }
}
