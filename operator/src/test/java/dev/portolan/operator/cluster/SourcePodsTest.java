package dev.portolan.operator.cluster;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.UsageException;
import dev.portolan.crds.v1alpha1.ScanReport;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SourcePods")
class SourcePodsTest {
  @Test
  @DisplayName("the pod carries the workload's labels, no host network, and the agent arguments for its own name")
  void desiredPod() {
    var p = policy("from-shop", "security").sourcePod("shop", Map.of("app", "checkout")).build();
    var pod = SourcePods.desired(p, "from-shop-g1", new SourcePodTemplate("registry/portolan:1",
        "agent --node {node} --namespace {namespace} --run {run}", "scanner", java.util.Arrays.asList("regcred", " ", "mirror")));
    assertThat(pod.getSpec().getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("regcred", "mirror");
    assertThat(pod.getMetadata().getName()).isEqualTo("from-shop-g1-source");
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(pod.getMetadata().getLabels()).containsEntry("app", "checkout")
        .containsEntry(ScanReport.RUN_LABEL, "from-shop-g1").containsEntry(ScanReport.POLICY_LABEL, "from-shop");
    assertThat(pod.getSpec().getHostNetwork()).isFalse();
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("scanner");
    assertThat(pod.getSpec().getContainers()).singleElement().satisfies(c -> {
      assertThat(c.getImage()).isEqualTo("registry/portolan:1");
      assertThat(c.getArgs()).containsExactly("agent", "--node", "from-shop-g1-source", "--namespace", "security", "--run", "from-shop-g1");
      // The DaemonSet's posture: root with NET_RAW alone, read-only root, /tmp writable.
      assertThat(c.getSecurityContext().getRunAsUser()).isZero();
      assertThat(c.getSecurityContext().getPrivileged()).isFalse();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_RAW");
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    });
    assertThat(pod.getSpec().getVolumes()).singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
  }

  @Test
  @DisplayName("the pod is sized and placed as the template says, and left to the scheduler when it says nothing")
  void placement() {
    var p = policy("from-shop", "shop").sourcePod(null, Map.of("app", "checkout")).build();
    var resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("200m")).addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).build();
    var toleration = new io.fabric8.kubernetes.api.model.TolerationBuilder().withKey("dedicated").withOperator("Exists").build();
    var template = SourcePodTemplate.defaults("1").placed(resources, java.util.List.of(toleration), Map.of("pool", "scanners"));
    var pod = SourcePods.desired(p, "from-shop-g1", template);
    assertThat(pod.getSpec().getContainers().getFirst().getResources()).isEqualTo(resources);
    assertThat(pod.getSpec().getTolerations()).containsExactly(toleration);
    assertThat(pod.getSpec().getNodeSelector()).containsExactly(Map.entry("pool", "scanners"));
    var plain = SourcePods.desired(p, "from-shop-g1", SourcePodTemplate.defaults("1"));
    assertThat(plain.getSpec().getContainers().getFirst().getResources()).isNull();
    assertThat(plain.getSpec().getTolerations()).isEmpty();
    assertThat(plain.getSpec().getNodeSelector()).isNullOrEmpty();
  }

  @Test
  @DisplayName("an empty source namespace is the policy's")
  void defaultNamespace() {
    var p = policy("from-shop", "security").sourcePod(null, Map.of("app", "checkout")).build();
    assertThat(SourcePods.podNamespace(p)).isEqualTo("security");
  }

  @Test
  @DisplayName("a template must name an image and place {node}")
  void template() {
    assertThatThrownBy(() -> new SourcePodTemplate("img", "agent", "sa")).isInstanceOf(UsageException.class).hasMessageContaining("{node}");
    assertThatThrownBy(() -> new SourcePodTemplate(" ", "agent --node {node}", "sa")).isInstanceOf(UsageException.class);
  }
}
