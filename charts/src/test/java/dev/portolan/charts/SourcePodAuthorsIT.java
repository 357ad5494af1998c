package dev.portolan.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.portolan.testkit.KubeApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The chart's admission policy for pod-sourced ScanPolicies, on a real API server (its admission
 * chain runs the rendered ValidatingAdmissionPolicy, its authorizer answers the CEL authorizer
 * check): only a user who may create pods in the source pod's namespace may write a policy that
 * scans as a workload there. Every request is made with a service account's own token.
 */
@DisplayName("source-pod policies: only authors who could run the pod")
class SourcePodAuthorsIT {
  private static final String A = "team-a";
  private static final String B = "team-b";
  private static final ResourceDefinitionContext POLICIES = new ResourceDefinitionContext.Builder()
      .withGroup("portolan.dev").withVersion("v1alpha1").withPlural("scanpolicies").withKind("ScanPolicy").withNamespaced(true).build();
  static KubeApi api;
  /** May create ScanPolicies in team-a, not pods. */
  static KubernetesClient alice;
  /** May create ScanPolicies and pods in team-a. */
  static KubernetesClient bob;

  @BeforeAll
  static void start() throws IOException {
    api = KubeApi.start();
    KubernetesClient admin = api.admin();
    try (Stream<Path> crds = Files.list(RenderedChart.CHART.resolve("crds"))) {
      for (Path f : crds.sorted().toList()) {
        api.applyCrd(admin.getKubernetesSerialization().unmarshal(Files.readString(f), CustomResourceDefinition.class));
      }
    }
    api.createNamespace(A);
    api.createNamespace(B);
    RenderedChart chart = RenderedChart.render(RenderedChart.ADMISSION_POLICY_KUBE_VERSION, RenderedChart.values("sourcePods.enabled", true, "sourcePods.namespaces", List.of(A, B)));
    List<HasMetadata> admission = chart.objects().stream()
        .filter(o -> o.getApiVersion().startsWith("admissionregistration.k8s.io/"))
        .filter(o -> o.getMetadata().getName().endsWith("-source-pod-authors")).toList();
    assertThat(admission).as("the chart renders the policy and its binding").extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    admission.forEach(o -> admin.resource(o).create());
    alice = author("alice", false);
    bob = author("bob", true);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  private static KubernetesClient author(String name, boolean mayCreatePods) {
    KubernetesClient admin = api.admin();
    admin.serviceAccounts().inNamespace(A).resource(new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    RoleBuilder role = new RoleBuilder().withNewMetadata().withName(name).withNamespace(A).endMetadata()
        .addToRules(new PolicyRuleBuilder().withApiGroups("portolan.dev").withResources("scanpolicies")
            .withVerbs("get", "list", "create", "update", "patch", "delete").build());
    if (mayCreatePods) {
      role.addToRules(new PolicyRuleBuilder().withApiGroups("").withResources("pods").withVerbs("create").build());
    }
    admin.rbac().roles().inNamespace(A).resource(role.build()).create();
    admin.rbac().roleBindings().inNamespace(A).resource(new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(A).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
        .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(A).endSubject().build()).create();
    return api.as(A, name);
  }

  private static GenericKubernetesResource policy(String name, Map<String, Object> source) {
    GenericKubernetesResource p = new GenericKubernetesResource();
    p.setApiVersion("portolan.dev/v1alpha1");
    p.setKind("ScanPolicy");
    p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(A).build());
    Map<String, Object> spec = new java.util.LinkedHashMap<>(Map.of(
        "purpose", "segmentation test", "ports", "443",
        "targets", Map.of("pods", Map.of("matchLabels", Map.of("app", "db")))));
    if (source != null) {
      spec.put("source", source);
    }
    p.setAdditionalProperty("spec", spec);
    return p;
  }

  private static Map<String, Object> pod(String namespace, String app) {
    Map<String, Object> pod = new java.util.LinkedHashMap<>(Map.of("labels", Map.of("app", app)));
    if (namespace != null) {
      pod.put("namespace", namespace);
    }
    return Map.of("type", "Pod", "pod", pod);
  }

  private static GenericKubernetesResource create(KubernetesClient as, GenericKubernetesResource p) {
    return as.genericKubernetesResources(POLICIES).inNamespace(A).resource(p).create();
  }

  @Test
  @DisplayName("refuses a pod-sourced policy from an author who may not create pods there, and says why")
  void refusesWithoutPodRights() {
    // The admission plugin loads policies from its informer: wait until this one is enforced.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThatThrownBy(() -> create(alice, policy("as-web", pod(null, "web"))))
            .isInstanceOf(KubernetesClientException.class)
            .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403))
            .hasMessageContaining("spec.source.pod: system:serviceaccount:team-a:alice may not create pods in namespace team-a")
            .hasMessageContaining("drop spec.source"));
    assertThat(api.admin().genericKubernetesResources(POLICIES).inNamespace(A).withName("as-web").get()).isNull();
  }

  @Test
  @DisplayName("accepts it from an author who may create pods in that namespace, and only there")
  void acceptsWithPodRights() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThatThrownBy(() -> create(bob, policy("into-b", pod(B, "ledger"))))
            .hasMessageContaining("may not create pods in namespace team-b"));
    assertThat(create(bob, policy("as-web-bob", pod(A, "web")))).isNotNull();
    assertThat(create(bob, policy("as-web-default-ns", pod(null, "web")))).isNotNull();
  }

  @Test
  @DisplayName("leaves agent-sourced policies and unchanged sources alone, refuses a changed one")
  void onlyTheSourceIsJudged() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThatThrownBy(() -> create(alice, policy("probe", pod(null, "web")))).hasMessageContaining("may not create pods"));
    assertThat(create(alice, policy("from-agents", null))).isNotNull();
    GenericKubernetesResource bobs = create(bob, policy("shared", pod(null, "web")));
    // Alice may relabel Bob's policy (the operator's finalizer is such an update too)...
    bobs.getMetadata().setLabels(Map.of("team", "a"));
    assertThat(alice.genericKubernetesResources(POLICIES).inNamespace(A).resource(bobs).update().getMetadata().getLabels())
        .containsEntry("team", "a");
    // ...but not make it scan as another workload.
    GenericKubernetesResource current = alice.genericKubernetesResources(POLICIES).inNamespace(A).withName("shared").get();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) current.getAdditionalProperties().get("spec");
    spec.put("source", pod(null, "payments"));
    assertThatThrownBy(() -> alice.genericKubernetesResources(POLICIES).inNamespace(A).resource(current).update())
        .hasMessageContaining("may not create pods in namespace team-a");
  }
}
