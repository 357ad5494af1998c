package dev.portolan.operator.it;

import static dev.portolan.operator.support.FakeAgent.finding;
import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portolan.control.openreports.OpenReports;
import dev.portolan.crds.v1alpha1.ReportingSpec;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.operator.support.FakeAgent;
import dev.portolan.operator.support.Harness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The operator's part of OpenReports, on the API server the ITs run against (fabric8's mock by
 * default, which validates no schema: OpenReportsRealApiIT proves the Reports against the real
 * CRD): a finished run writes one Report per namespace its findings are about, naming the
 * workload, tells the policy through an Event, the next run replaces them, and the policy's
 * deletion takes them all.
 */
@DisplayName("OpenReports from finished runs")
class OpenReportsIT {
  private static final ResourceDefinitionContext REPORTS = new ResourceDefinitionContext.Builder()
      .withGroup("openreports.io").withVersion("v1alpha1").withKind("Report").withPlural("reports").withNamespaced(true).build();
  private static Harness h;
  private static String apps;

  @BeforeAll
  static void start() {
    h = new Harness("openreports");
    apps = h.ns + "-apps";
    if (!h.cluster.isMock()) {
      // A real server serves Reports only with their CRD (the mock serves any path).
      h.cluster.applyCrd("/openreports/reports.openreports.io.yaml");
    }
    h.readyAgents("node-a");
    if (h.cluster.canFakePods()) {
      // A Deployment's pod at 10.20.0.1, known to the operator's caches before it starts.
      h.namespace(apps);
      h.client.apps().replicaSets().inNamespace(apps).resource(new ReplicaSetBuilder()
          .withNewMetadata().withName("api-5d9").withUid("rs-uid")
          .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("api").withUid("deploy-uid")
          .withController(true).endOwnerReference().endMetadata().build()).create();
      h.createPod(apps, new PodBuilder()
          .withNewMetadata().withName("api-5d9-x2x").withUid("pod-uid").withLabels(Map.of("app", "api"))
          .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("api-5d9").withUid("rs-uid")
          .withController(true).endOwnerReference().endMetadata()
          .withNewSpec().withNodeName("node-a").endSpec()
          .withNewStatus().withPhase("Running").withPodIP("10.20.0.1").addNewPodIP("10.20.0.1").endStatus().build());
    }
    h.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static List<GenericKubernetesResource> reports() {
    return h.client.genericKubernetesResources(REPORTS).inAnyNamespace()
        .withLabel(OpenReports.POLICY_NAMESPACE_LABEL, h.ns).list().getItems();
  }

  private static GenericKubernetesResource reportIn(String namespace) {
    return reports().stream().filter(r -> namespace.equals(r.getMetadata().getNamespace())).findFirst().orElse(null);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> results(GenericKubernetesResource r) {
    return (List<Map<String, Object>>) r.getAdditionalProperties().get("results");
  }

  @Test
  @SuppressWarnings("unchecked")
  @DisplayName("run -> Reports per namespace naming the Deployment -> replaced by the next run -> gone with the policy")
  void lifecycle() {
    assumeTrue(h.cluster.canFakePods(), "needs a pod whose address the test chooses");
    h.apply(policy("payments", h.ns).cidrs("10.20.0.0/30").ports("22,80,443").allow("80,443").build());
    FakeAgent agent = h.agent();
    h.awaitReport("payments-g1", r -> r.getSpec().shards() != null && !r.getSpec().shards().isEmpty());
    agent.start("payments-g1", 0, "node-a", 12);
    agent.finish("payments-g1", 0, "node-a", 12,
        List.of(finding("10.20.0.1", 22, "ssh"), finding("10.20.0.1", 80, "http"), finding("10.20.0.2", 443, "https")));
    h.awaitReport("payments-g1", r -> r.getStatus() != null && r.getStatus().phase() == RunPhase.Succeeded);

    String name = OpenReports.name(h.ns, "payments");
    await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(reports()).extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrder(apps, h.ns));
    GenericKubernetesResource inApps = reportIn(apps);
    assertThat(inApps.getMetadata().getName()).isEqualTo(name);
    assertThat(inApps.getMetadata().getLabels()).containsEntry(OpenReports.RUN_LABEL, "payments-g1");
    assertThat(inApps.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(results(inApps)).singleElement().satisfies(r -> {
      assertThat(r).containsEntry("result", "fail").containsEntry("policy", h.ns + "/payments");
      assertThat((List<Object>) r.get("resources")).first()
          .isEqualTo(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "namespace", apps, "name", "api"));
      assertThat((String) r.get("message")).startsWith("10.20.0.1:22/tcp (ssh) on Deployment " + apps + "/api is open");
    });
    GenericKubernetesResource own = reportIn(h.ns);
    assertThat(results(own)).isEmpty();
    assertThat(own.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind() + "/" + o.getName()).isEqualTo("ScanReport/payments-g1"));
    if (h.cluster.hasCoreApi()) {
      await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(h.events("payments", "OpenReportsWritten")).singleElement()
          .satisfies(e -> assertThat(e.getMessage()).contains(apps).contains(h.ns)));
    }

    // The next run finds only allowed ports: the apps namespace has nothing to report any more.
    h.apply(policy("payments", h.ns).cidrs("10.20.0.0/30").ports("80,443").allow("80,443").build());
    h.awaitReport("payments-g2", r -> r.getSpec().shards() != null && !r.getSpec().shards().isEmpty());
    agent.start("payments-g2", 0, "node-a", 8);
    agent.finish("payments-g2", 0, "node-a", 8, List.of(finding("10.20.0.1", 80, "http")));
    await().atMost(Harness.WAIT).untilAsserted(() -> {
      assertThat(reports()).extracting(r -> r.getMetadata().getNamespace()).containsExactly(h.ns);
      assertThat(reportIn(h.ns).getMetadata().getLabels()).containsEntry(OpenReports.RUN_LABEL, "payments-g2");
    });

    h.client.resources(ScanPolicy.class).inNamespace(h.ns).withName("payments").delete();
    await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(reports()).isEmpty());
  }

  @Test
  @DisplayName("a policy that opts out writes no Reports")
  void optOut() {
    h.apply(policy("quiet", h.ns).cidrs("10.30.0.0/30").ports("22").allow("80")
        .reporting(new ReportingSpec(new ReportingSpec.OpenReports(false, null))).build());
    FakeAgent agent = h.agent();
    h.awaitReport("quiet-g1", r -> r.getSpec().shards() != null && !r.getSpec().shards().isEmpty());
    agent.start("quiet-g1", 0, "node-a", 4);
    agent.finish("quiet-g1", 0, "node-a", 4, List.of(finding("10.30.0.1", 22, "ssh")));
    h.awaitReport("quiet-g1", r -> r.getStatus() != null && r.getStatus().phase() == RunPhase.Succeeded
        && r.getStatus().summary().violations() == 1L);
    assertThat(h.client.genericKubernetesResources(REPORTS).inAnyNamespace()
        .withLabel(OpenReports.POLICY_LABEL, "quiet").list().getItems()).isEmpty();
  }
}
