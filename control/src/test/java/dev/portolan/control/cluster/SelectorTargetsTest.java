package dev.portolan.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.TargetsSpec;
import dev.portolan.crds.v1alpha1.TargetsSpec.Selector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("cluster selectors over a snapshot")
class SelectorTargetsTest {
  private static ClusterSnapshot snapshot(HasMetadata... objects) {
    return ClusterSnapshot.of(List.of(objects), Instant.parse("2026-12-01T00:00:00Z"), "test");
  }

  private static TargetsSpec nodes(Selector s) {
    return new TargetsSpec(null, null, s, null, null);
  }

  private static TargetsSpec services(Selector s) {
    return new TargetsSpec(null, null, null, s, null);
  }

  private static TargetsSpec pods(Selector s) {
    return new TargetsSpec(null, null, null, null, s);
  }

  @Test
  @DisplayName("nodes give their IPv4 InternalIP addresses, never ExternalIPs (a scan from outside), host names or IPv6")
  void nodeAddresses() {
    var node = new NodeBuilder().withNewMetadata().withName("a").addToLabels("pool", "edge").endMetadata().withNewStatus()
        .addNewAddress().withType("InternalIP").withAddress("10.0.0.5").endAddress()
        .addNewAddress().withType("InternalIP").withAddress("fd00::5").endAddress()
        .addNewAddress().withType("ExternalIP").withAddress("203.0.113.5").endAddress()
        .addNewAddress().withType("Hostname").withAddress("node-a").endAddress()
        .endStatus().build();
    var other = new NodeBuilder().withNewMetadata().withName("b").addToLabels("pool", "core").endMetadata().withNewStatus()
        .addNewAddress().withType("InternalIP").withAddress("10.0.0.6").endAddress().endStatus().build();
    assertThat(SelectorTargets.resolve(nodes(new Selector(null, Map.of("pool", "edge"))), "x", snapshot(node, other)))
        .containsExactly("10.0.0.5");
    assertThat(SelectorTargets.resolve(nodes(new Selector(null, null)), "x", snapshot(node, other)))
        .containsExactly("10.0.0.5", "10.0.0.6");
  }

  @Test
  @DisplayName("services give cluster, external and load-balancer IPs; headless and ExternalName services give none")
  void serviceAddresses() {
    var dual = new ServiceBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata().withNewSpec()
        .withClusterIP("10.96.0.10").withClusterIPs("10.96.0.10", "fd00::a").withExternalIPs("198.18.5.1").endSpec()
        .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("198.18.5.2").endIngress().endLoadBalancer().endStatus().build();
    var headless = new ServiceBuilder().withNewMetadata().withName("db").withNamespace("shop").endMetadata().withNewSpec()
        .withClusterIP("None").withClusterIPs("None").endSpec().build();
    var external = new ServiceBuilder().withNewMetadata().withName("ext").withNamespace("shop").endMetadata().withNewSpec()
        .withType("ExternalName").withExternalName("db.example.com").endSpec().build();
    var elsewhere = new ServiceBuilder().withNewMetadata().withName("web").withNamespace("other").endMetadata().withNewSpec()
        .withClusterIP("10.96.0.99").endSpec().build();
    var snap = snapshot(dual, headless, external, elsewhere);
    assertThat(SelectorTargets.resolve(services(new Selector(null, null)), "shop", snap))
        .containsExactly("10.96.0.10", "198.18.5.1", "198.18.5.2");
    assertThat(SelectorTargets.resolve(services(new Selector("*", null)), "shop", snap))
        .containsExactly("10.96.0.10", "10.96.0.99", "198.18.5.1", "198.18.5.2");
  }

  @Test
  @DisplayName("pods give their addresses until they end; labels match as a selector, set-based expressions included")
  void podAddresses() {
    var web = new PodBuilder().withNewMetadata().withName("web-1").withNamespace("shop").addToLabels(Map.of("app", "web", "tier", "front"))
        .endMetadata().withNewSpec().endSpec().withNewStatus().withPhase("Running").withPodIP("10.244.1.7")
        .addNewPodIP("10.244.1.7").addNewPodIP("fd00::7").endStatus().build();
    var api = new PodBuilder().withNewMetadata().withName("api-1").withNamespace("shop").addToLabels("app", "api").endMetadata()
        .withNewSpec().endSpec().withNewStatus().withPhase("Pending").withPodIP("10.244.1.8").endStatus().build();
    var done = new PodBuilder().withNewMetadata().withName("job-1").withNamespace("shop").addToLabels("app", "web").endMetadata()
        .withNewSpec().endSpec().withNewStatus().withPhase("Succeeded").withPodIP("10.244.1.9").endStatus().build();
    var snap = snapshot(web, api, done);
    assertThat(SelectorTargets.resolve(pods(new Selector(null, Map.of("app", "web"))), "shop", snap)).containsExactly("10.244.1.7");
    assertThat(SelectorTargets.resolve(pods(new Selector(null, null,
        List.of(new LabelSelectorRequirement("app", "In", List.of("web", "api")), new LabelSelectorRequirement("tier", "DoesNotExist", null)))),
        "shop", snap)).containsExactly("10.244.1.8");
    assertThat(SelectorTargets.resolve(pods(new Selector(null, Map.of("app", "web"))), "other", snap)).isEmpty();
  }

  @Test
  @DisplayName("a selector's namespace: empty is the policy's, '*' is every namespace")
  void namespaces() {
    assertThat(SelectorTargets.namespace(new Selector(null, Map.of()), "shop")).isEqualTo("shop");
    assertThat(SelectorTargets.namespace(new Selector("", Map.of()), "shop")).isEqualTo("shop");
    assertThat(SelectorTargets.namespace(new Selector("*", Map.of()), "shop")).isNull();
    assertThat(SelectorTargets.namespace(new Selector("db", Map.of()), "shop")).isEqualTo("db");
  }
}
