package dev.portolan.control.run;

import static dev.portolan.control.fixtures.Cluster.T0;
import static dev.portolan.control.fixtures.Cluster.at;
import static dev.portolan.control.fixtures.Cluster.node;
import static dev.portolan.control.fixtures.Cluster.pod;
import static dev.portolan.control.fixtures.Cluster.scope;
import static dev.portolan.control.fixtures.Cluster.service;
import static dev.portolan.control.fixtures.Cluster.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.control.cluster.ClusterSnapshot;
import dev.portolan.control.cluster.TargetLabels;
import dev.portolan.control.fixtures.Cluster;
import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ExpectationsSpec.ExposureRule;
import dev.portolan.crds.v1alpha1.ScanReportSpec.Vantage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("resolving a run against the cluster when it starts")
class RunResolutionTest {
  private static final String SCOPE = "10.0.0.0/8";
  private static final Vantage FROM_NODES = new Vantage(Vantage.NODE, null, null, null, List.of("10.0.0.5"));
  private static final ExpectationsSpec FROM_POLICIES = new ExpectationsSpec(List.of(), true, null);

  private static RunResolution resolve(ExpectationsSpec expectations, String ports, Vantage vantage, ClusterSnapshot snapshot) {
    return RunResolution.resolve(expectations, "shop", scope(SCOPE), PortSet.parse(ports), snapshot, vantage, TargetLabels.defaults());
  }

  private static PodBuilder declaring(PodBuilder pod, int... ports) {
    var container = pod.editSpec().addNewContainer().withName("main");
    for (int p : ports) {
      container.addNewPort().withContainerPort(p).endPort();
    }
    return container.endContainer().endSpec();
  }

  private static LabelSelector labels(String key, String value) {
    return new LabelSelectorBuilder().addToMatchLabels(key, value).build();
  }

  @Test
  @DisplayName("without expectations, the index is the cluster's owners, as of the snapshot and from its source; nothing is watched")
  void plain() {
    var snap = snapshot(pod("shop", "web-1", "10.244.1.7").build(), node("node-a", "10.0.0.5").build());
    RunResolution r = resolve(null, "80", FROM_NODES, snap);
    assertThat(r.entries()).isEqualTo(Cluster.resolve(snap, SCOPE));
    assertThat(r.resolvedAt()).isEqualTo(T0);
    assertThat(r.source()).isEqualTo("test");
    assertThat(r.watch()).isEmpty();
    assertThat(r.vantage()).isEqualTo(FROM_NODES);
    assertThat(r.index().resolvedAt()).isEqualTo(T0);
    assertThat(r.index().attribute(Ipv4.parse("10.244.1.7"), 80, T0).orElseThrow().target().name()).isEqualTo("web-1");
  }

  @Test
  @DisplayName("of a run that knows no cluster has an empty index, no resolution time and keeps its vantage point")
  void none() {
    RunResolution r = RunResolution.none(FROM_NODES);
    assertThat(r.index().isEmpty()).isTrue();
    assertThat(r.resolvedAt()).isNull();
    assertThat(r.watch()).isEmpty();
    assertThat(r.vantage()).isEqualTo(FROM_NODES);
  }

  @Test
  @DisplayName("records on each owner the expectations whose workload selectors select it, with its full labels")
  void rules() {
    var web = pod("shop", "web-1", "10.244.1.7").editMetadata().addToLabels(Map.of("app", "web", "team", "payments")).endMetadata();
    var api = pod("shop", "api-1", "10.244.1.8").editMetadata().addToLabels("app", "api").endMetadata();
    var elsewhere = pod("other", "web-1", "10.244.1.9").editMetadata().addToLabels("app", "web").endMetadata();
    var edge = node("node-a", "10.0.0.5").editMetadata().addToLabels("pool", "edge").endMetadata();
    var expectations = new ExpectationsSpec(List.of(
        new ExposureRule("payments", null, "8080", null, null, labels("team", "payments"), null, null, null),
        new ExposureRule("ssh anywhere", null, "22", null),
        new ExposureRule("edge nodes", null, "443", null, null, null, null, labels("pool", "edge"), null)));
    var entries = resolve(expectations, "22,443,8080", FROM_NODES,
        snapshot(web.build(), api.build(), elsewhere.build(), edge.build())).entries();
    assertThat(at(entries, "10.244.1.7").rules()).containsExactly(0);
    assertThat(at(entries, "10.244.1.7").target().labels()).as("team is used, not kept").isEqualTo(Map.of("app", "web"));
    assertThat(at(entries, "10.244.1.8").rules()).isNull();
    assertThat(at(entries, "10.244.1.9").rules()).as("a podSelector alone is the policy's namespace").isNull();
    assertThat(at(entries, "10.0.0.5").rules()).containsExactly(2);
  }

  @Nested
  @DisplayName("with expectations from NetworkPolicies")
  class Watched {
    private final HasMetadata webIngress = new NetworkPolicyBuilder()
        .withNewMetadata().withNamespace("shop").withName("web-ingress").endMetadata()
        .withNewSpec().withPodSelector(labels("app", "web")).withPolicyTypes("Ingress")
        .addNewIngress().addNewPort().withProtocol("TCP").withPort(new IntOrString(8080)).endPort().endIngress()
        .endSpec().build();

    @Test
    @DisplayName("watches the ports pods declare that the run scans and the policies let the vantage point reach")
    void watched() {
      var web = declaring(pod("shop", "web-1", "10.244.1.7").editMetadata().addToLabels("app", "web").endMetadata(), 8080, 9090);
      var api = declaring(pod("shop", "api-1", "10.244.1.8"), 9090, 5000);
      var proxy = declaring(pod("kube-system", "kube-proxy-1", "10.0.0.5").editSpec().withHostNetwork(true).endSpec(), 9090);
      var svc = service("shop", "web", "10.96.0.10").editSpec().addNewPort().withPort(9090).endPort().endSpec();
      // A Service whose external IP is a pod's: its port there is the Service's, not one the pod declares.
      var onPod = service("shop", "odd", "10.96.0.11").editSpec().withExternalIPs("10.244.1.8").addNewPort().withPort(8080)
          .endPort().endSpec();
      RunResolution r = resolve(FROM_POLICIES, "8080,9090", FROM_NODES, snapshot(web.build(), api.build(), proxy.build(),
          svc.build(), onPod.build(), node("node-a", "10.0.0.5").build(), webIngress));
      assertThat(r.watch()).containsExactly("10.244.1.7:8080", "10.244.1.8:9090");
      assertThat(at(r.entries(), "10.244.1.7").network().allowedPorts()).isEqualTo("8080");
      assertThat(at(r.entries(), "10.244.1.7").network().ingressIsolatedBy()).containsExactly("shop/web-ingress");
      assertThat(at(r.entries(), "10.244.1.8").network().allowedPorts()).as("a pod no policy isolates").isNull();
    }

    @Test
    @DisplayName("watches nothing when the run does not derive expectations from NetworkPolicies")
    void notDerived() {
      var web = declaring(pod("shop", "web-1", "10.244.1.7"), 8080);
      RunResolution r = resolve(new ExpectationsSpec(List.of()), "8080", FROM_NODES, snapshot(web.build(), webIngress));
      assertThat(r.watch()).isEmpty();
      assertThat(at(r.entries(), "10.244.1.7").network()).isNull();
    }

    @Test
    @DisplayName("watches at most MAX_WATCH ports")
    void bounded() {
      List<HasMetadata> pods = new ArrayList<>();
      int[] ports = new int[100];
      for (int i = 0; i < ports.length; i++) {
        ports[i] = 1000 + i;
      }
      for (int i = 0; i < 101; i++) {
        pods.add(declaring(pod("shop", "web-" + i, "10.244." + (i / 200) + "." + (i % 200 + 1)), ports).build());
      }
      RunResolution r = resolve(FROM_POLICIES, "1000-1099", FROM_NODES, snapshot(pods.toArray(HasMetadata[]::new)));
      assertThat(r.entries()).hasSize(101);
      assertThat(r.watch()).hasSize(RunResolution.MAX_WATCH);
      assertThat(r.watch()).doesNotHaveDuplicates();
    }
  }

  @Nested
  @DisplayName("a source pod as the vantage point")
  class PodVantage {
    private final Vantage scanner = new Vantage(Vantage.POD, "scans", Map.of("app", "portolan"), null, null);

    @Test
    @DisplayName("gets its namespace's labels from the snapshot, as namespaceSelectors see them")
    void namespaceLabels() {
      var ns = new NamespaceBuilder().withNewMetadata().withName("scans").addToLabels("team", "security").endMetadata().build();
      assertThat(resolve(null, "80", scanner, snapshot(ns)).vantage().namespaceLabels()).isEqualTo(Map.of("team", "security"));
      assertThat(resolve(null, "80", scanner, snapshot()).vantage().namespaceLabels())
          .as("a namespace the snapshot does not list").isEqualTo(Map.of("kubernetes.io/metadata.name", "scans"));
      assertThat(resolve(null, "80", scanner, snapshot(ns)).vantage().labels()).isEqualTo(Map.of("app", "portolan"));
    }

    @Test
    @DisplayName("keeps the namespace labels it was given")
    void givenLabels() {
      var given = new Vantage(Vantage.POD, "scans", Map.of("app", "portolan"), Map.of("zone", "dmz"), null);
      var ns = new NamespaceBuilder().withNewMetadata().withName("scans").addToLabels("team", "security").endMetadata().build();
      assertThat(resolve(null, "80", given, snapshot(ns)).vantage()).isEqualTo(given);
    }
  }
}
