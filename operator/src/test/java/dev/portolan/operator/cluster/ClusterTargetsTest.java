package dev.portolan.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.TargetsSpec.Selector;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ClusterTargets")
class ClusterTargetsTest {
  @Test
  @DisplayName("nodes give their IPv4 InternalIP addresses only")
  void nodes() {
    var node = new NodeBuilder().withNewStatus()
        .addNewAddress().withType("InternalIP").withAddress("10.0.0.5").endAddress()
        .addNewAddress().withType("InternalIP").withAddress("fd00::5").endAddress()
        .addNewAddress().withType("ExternalIP").withAddress("203.0.113.5").endAddress()
        .addNewAddress().withType("Hostname").withAddress("node-a").endAddress()
        .endStatus().build();
    assertThat(ClusterTargets.nodeAddresses(List.of(node, new NodeBuilder().build()))).containsExactly("10.0.0.5");
  }

  @Test
  @DisplayName("services give their cluster IPs; headless and ExternalName services give none")
  void services() {
    var dual = new ServiceBuilder().withNewSpec().withClusterIP("10.96.0.10").withClusterIPs("10.96.0.10", "fd00::a").endSpec().build();
    var legacy = new ServiceBuilder().withNewSpec().withClusterIP("10.96.0.11").endSpec().build();
    var headless = new ServiceBuilder().withNewSpec().withClusterIP("None").withClusterIPs("None").endSpec().build();
    var external = new ServiceBuilder().withNewSpec().withType("ExternalName").withExternalName("db.example.com").endSpec().build();
    assertThat(ClusterTargets.serviceAddresses(List.of(dual, legacy, headless, external))).containsExactly("10.96.0.10", "10.96.0.11");
  }

  @Test
  @DisplayName("pods give their IPs while running only")
  void pods() {
    var running = new PodBuilder().withNewStatus().withPhase("Running").withPodIP("10.244.1.7").addNewPodIP("10.244.1.7").addNewPodIP("fd00::7").endStatus().build();
    var legacy = new PodBuilder().withNewStatus().withPhase("Running").withPodIP("10.244.1.8").endStatus().build();
    var finished = new PodBuilder().withNewStatus().withPhase("Succeeded").withPodIP("10.244.1.9").endStatus().build();
    var pending = new PodBuilder().withNewStatus().withPhase("Pending").endStatus().build();
    assertThat(ClusterTargets.podAddresses(List.of(running, legacy, finished, pending))).containsExactly("10.244.1.7", "10.244.1.8");
  }

  @Test
  @DisplayName("a selector's namespace: empty is the policy's, '*' is every namespace")
  void namespaces() {
    assertThat(ClusterTargets.namespace(new Selector(null, Map.of()), "shop")).isEqualTo("shop");
    assertThat(ClusterTargets.namespace(new Selector("", Map.of()), "shop")).isEqualTo("shop");
    assertThat(ClusterTargets.namespace(new Selector("*", Map.of()), "shop")).isNull();
    assertThat(ClusterTargets.namespace(new Selector("db", Map.of()), "shop")).isEqualTo("db");
  }

  @Test
  @DisplayName("IPv4 only, strictly")
  void ipv4() {
    assertThat(ClusterTargets.isIpv4("10.0.0.1")).isTrue();
    assertThat(ClusterTargets.isIpv4("10.0.0.256")).isFalse();
    assertThat(ClusterTargets.isIpv4("10.0.0")).isFalse();
    assertThat(ClusterTargets.isIpv4("None")).isFalse();
    assertThat(ClusterTargets.isIpv4("::1")).isFalse();
    assertThat(ClusterTargets.isIpv4(null)).isFalse();
  }
}
