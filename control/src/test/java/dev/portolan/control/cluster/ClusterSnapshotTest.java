package dev.portolan.control.cluster;

import static dev.portolan.control.fixtures.Cluster.T0;
import static dev.portolan.control.fixtures.Cluster.node;
import static dev.portolan.control.fixtures.Cluster.pod;
import static dev.portolan.control.fixtures.Cluster.service;
import static dev.portolan.control.fixtures.Cluster.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a cluster snapshot")
class ClusterSnapshotTest {
  @Test
  @DisplayName("sorts the objects it is given by kind and ignores the kinds a run does not use")
  void sortsByKind() {
    var s = snapshot(
        new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build(),
        pod("shop", "web-1", "10.244.1.7").build(),
        service("shop", "web", "10.96.0.10").build(),
        new EndpointSliceBuilder().withNewMetadata().withNamespace("shop").withName("web-abc").endMetadata().build(),
        node("node-a", "10.0.0.5").build(),
        new NetworkPolicyBuilder().withNewMetadata().withNamespace("shop").withName("deny-all").endMetadata().build(),
        new ReplicaSetBuilder().withNewMetadata().withNamespace("shop").withName("web-7d4b9").endMetadata().build(),
        new JobBuilder().withNewMetadata().withNamespace("shop").withName("migrate").endMetadata().build(),
        new DeploymentBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata().build(),
        new ConfigMapBuilder().withNewMetadata().withNamespace("shop").withName("settings").endMetadata().build());
    assertThat(s.namespaces()).hasSize(1);
    assertThat(s.pods()).hasSize(1);
    assertThat(s.services()).hasSize(1);
    assertThat(s.endpointSlices()).hasSize(1);
    assertThat(s.nodes()).hasSize(1);
    assertThat(s.networkPolicies()).hasSize(1);
    assertThat(s.replicaSets()).hasSize(1);
    assertThat(s.jobs()).hasSize(1);
    assertThat(s.takenAt()).isEqualTo(T0);
    assertThat(s.source()).isEqualTo("test");
  }

  @Test
  @DisplayName("knows a namespace's labels, or only its kubernetes.io/metadata.name label when the namespace is not listed")
  void namespaceLabels() {
    var s = snapshot(new NamespaceBuilder().withNewMetadata().withName("shop").addToLabels("team", "payments").endMetadata().build());
    assertThat(s.namespaceLabels("shop")).isEqualTo(Map.of("team", "payments"));
    assertThat(s.namespaceLabels("ops")).isEqualTo(Map.of("kubernetes.io/metadata.name", "ops"));
    assertThat(s.namespace("ops")).isEmpty();
  }

  @Test
  @DisplayName("names every namespace it knows of, listed or holding a pod or Service, sorted and once each")
  void namespaceNames() {
    var s = snapshot(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build(),
        pod("shop", "web-1", "10.244.1.7").build(), pod("ops", "backup-1", "10.244.1.8").build(),
        service("billing", "api", "10.96.0.10").build());
    assertThat(s.namespaceNames()).containsExactly("billing", "ops", "shop");
  }

  @Test
  @DisplayName("of no cluster is empty and says so as its source")
  void empty() {
    var s = ClusterSnapshot.empty(T0);
    assertThat(s.pods()).isEmpty();
    assertThat(s.nodes()).isEmpty();
    assertThat(s.source()).isEqualTo("none");
    assertThat(s.takenAt()).isEqualTo(T0);
  }
}
