package dev.portolan.operator.it;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.guard.NamespaceGrant;
import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.TargetsSpec;
import dev.portolan.crds.v1alpha1.TargetsSpec.Selector;
import dev.portolan.operator.support.Harness;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Tenancy through the operator: a namespace's policies reach its own pods and services, and the
 * rest only as far as its grant in the guard says; every refusal is an Accepted=False condition
 * and a Warning Event that names the grant to ask for, and no run starts.
 *
 * <p>The namespace here is granted 10.1.0.0/16, one other namespace ({@code -b}) and 300
 * probes/s; not nodes, not the third namespace ({@code -c}).
 */
@DisplayName("tenancy: what a namespace's policies may reach")
class TenancyIT {
  private static Harness h;
  private static String b;
  private static String c;

  @BeforeAll
  static void start() {
    h = new Harness("tenancy");
    b = h.ns + "-b";
    c = h.ns + "-c";
    h.namespace(b);
    h.namespace(c);
    h.readyAgents("node-a");
    if (h.cluster.canFakePods()) {
      h.createPod(h.ns, pod("web-1", "10.60.0.5"));
      h.createPod(b, pod("web-1", "10.61.0.5"));
      h.createPod(c, pod("web-1", "10.62.0.5"));
      h.createNode(new NodeBuilder().withNewMetadata().withName("worker-1").withLabels(Map.of("role", "worker")).endMetadata()
          .withNewStatus().addNewAddress().withType("InternalIP").withAddress("10.63.0.1").endAddress().endStatus().build());
    }
    GuardConfig guard = GuardConfig.defaults()
        .withNamespaces(List.of(new NamespaceGrant(h.ns, List.of("10.1.0.0/16"), List.of(b), false, 300L)));
    // Started after the objects exist, so the first reconcile's caches hold them.
    h.start(h.config().guard(guard).build());
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static io.fabric8.kubernetes.api.model.Pod pod(String name, String ip) {
    return new PodBuilder().withNewMetadata().withName(name).withLabels(Map.of("app", "web")).endMetadata()
        .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP(ip).endStatus().build();
  }

  private static Condition accepted(String policy, String status) {
    ScanPolicy p = h.awaitPolicy(policy, x -> x.getStatus() != null && x.getStatus().conditions() != null
        && x.getStatus().conditions().stream().anyMatch(k -> "Accepted".equals(k.type()) && status.equals(k.status())));
    return p.getStatus().conditions().stream().filter(k -> "Accepted".equals(k.type())).findFirst().orElseThrow();
  }

  /** Applies {@code p}, refused for {@code reason}: the condition, a Warning Event with the same reason, no run. */
  private static Condition refused(ScanPolicy p, String reason) {
    h.apply(p);
    String policy = p.getMetadata().getName();
    Condition k = accepted(policy, "False");
    assertThat(k.reason()).isEqualTo(reason);
    assertThat(h.runs(policy)).isEmpty();
    if (h.cluster.hasCoreApi()) {
      await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(h.events(policy, reason)).singleElement()
          .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning")));
    }
    return k;
  }

  private static TargetsSpec pods(String namespace) {
    return new TargetsSpec(null, null, null, null, new Selector(namespace, Map.of("app", "web")));
  }

  @Test
  @DisplayName("its own namespace's pods: accepted, and only its own are scanned")
  void ownPods() {
    assumeTrue(h.cluster.canFakePods(), "writes pod addresses itself");
    h.apply(policy("own", h.ns).targets(pods(null)).build());
    ScanReport run = h.awaitReport("own-g1", r -> true);
    assertThat(run.getSpec().scope().cidrs()).containsExactly("10.60.0.5");
  }

  @Test
  @DisplayName("CIDRs inside the grant run; outside it they are refused, naming the grant")
  void cidrs() {
    h.apply(policy("inside", h.ns).cidrs("10.1.2.0/30").build());
    h.awaitReport("inside-g1", r -> true);
    Condition k = refused(policy("outside", h.ns).cidrs("10.2.0.0/30").build(), "CidrsNotGranted");
    assertThat(k.message()).contains("reaches 10.2.0.0/30").contains("granted to namespace " + h.ns + " (10.1.0.0/16)");
  }

  @Test
  @DisplayName("another namespace: the granted one is scanned, any other is refused")
  void otherNamespaces() {
    assumeTrue(h.cluster.canFakePods(), "writes pod addresses itself");
    h.apply(policy("granted-ns", h.ns).targets(pods(b)).build());
    assertThat(h.awaitReport("granted-ns-g1", r -> true).getSpec().scope().cidrs()).containsExactly("10.61.0.5");
    Condition k = refused(policy("other-ns", h.ns).targets(pods(c)).build(), "NamespaceNotGranted");
    assertThat(k.message()).contains("spec.targets.pods.namespace " + c + " is another namespace")
        .contains("otherNamespaces: [" + c + "]");
    refused(policy("every-ns", h.ns).targets(pods("*")).build(), "NamespaceNotGranted");
  }

  @Test
  @DisplayName("nodes are refused without nodes: true")
  void nodes() {
    Condition k = refused(policy("nodes", h.ns)
        .targets(new TargetsSpec(null, null, new Selector(null, Map.of("role", "worker")), null, null)).build(), "NodesNotGranted");
    assertThat(k.message()).contains("may not scan nodes").contains("nodes: true");
  }

  @Test
  @DisplayName("a source pod in a namespace the grant does not reach is refused")
  void sourcePodElsewhere() {
    Condition k = refused(policy("borrowed", h.ns).cidrs("10.1.3.0/30")
        .sourcePod(c, Map.of("app", "ledger")).build(), "SourceNamespaceNotGranted");
    assertThat(k.message()).contains("spec.source.pod.namespace " + c + " is another namespace");
  }

  @Test
  @DisplayName("a rate above the grant's cap is refused")
  void rate() {
    Condition k = refused(policy("fast", h.ns).cidrs("10.1.4.0/30").rate(301).build(), "RateAboveGrant");
    assertThat(k.message()).contains("300 probes/s granted");
  }
}
