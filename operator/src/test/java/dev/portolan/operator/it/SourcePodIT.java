package dev.portolan.operator.it;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.operator.PortolanOperator;
import dev.portolan.operator.cluster.SourcePods;
import dev.portolan.operator.reconcile.ScanPolicyReconciler;
import dev.portolan.operator.support.Harness;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Pod-sourced run scans from a pod with the workload's labels, in the workload's namespace.
 *
 * <p>What the mock cannot prove: that the pod is scheduled and runs, that NetworkPolicies apply to
 * it (a CNI's business), that its service account may write its shard. Needs pods: mock only here.
 */
@DisplayName("Pod-sourced runs")
class SourcePodIT {
  private static Harness h;
  private static PortolanOperator operator;

  @BeforeAll
  static void start() {
    h = new Harness("source");
    assumeTrue(h.cluster.canFakePods(), "checks pods the operator creates");
    operator = h.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  @DisplayName("the run starts a pod with the source labels, plans its one shard on it, and deletes it when done")
  void sourcePod() {
    String workloads = h.ns + "-shop";
    h.namespace(workloads);
    h.apply(policy("from-shop", h.ns).sourcePod(workloads, Map.of("app", "checkout", "tier", "web")).build());
    String run = "from-shop-g1";
    String podName = SourcePods.podName(run);
    ScanReport report = h.awaitReport(run, r -> true);
    assertThat(report.getSpec().shards()).singleElement().satisfies(s -> {
      assertThat(s.node()).isEqualTo(podName);
      assertThat(s.rate()).isEqualTo(100L);
    });
    assertThat(report.getMetadata().getAnnotations()).containsEntry(SourcePods.ANNOTATION, workloads + "/" + podName);

    Pod pod = await().atMost(Harness.WAIT).until(() -> h.client.pods().inNamespace(workloads).withName(podName).get(), p -> p != null);
    assertThat(pod.getMetadata().getLabels()).containsEntry("app", "checkout").containsEntry("tier", "web")
        .containsEntry(ScanReport.RUN_LABEL, run);
    assertThat(pod.getSpec().getHostNetwork()).as("absent or false").isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getSpec().getContainers()).singleElement().satisfies(c -> {
      assertThat(c.getArgs()).containsExactly("agent", "--node", podName, "--namespace", h.ns);
      assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_RAW");
    });

    // A pod deleted by hand mid-run is started again (the agent resumes its shard).
    h.client.pods().inNamespace(workloads).withName(podName).delete();
    await().atMost(Harness.WAIT).until(() -> h.client.pods().inNamespace(workloads).withName(podName).get() != null);

    h.agent().finish(run, 0, podName, 12, List.of());
    h.awaitReport(run, r -> RunPhase.Succeeded.equals(r.getStatus().phase()));
    await().atMost(Harness.WAIT).until(() -> h.client.pods().inNamespace(workloads).withName(podName).get() == null);
  }

  @Test
  @DisplayName("a refused pod (Pod Security, RBAC) is a Warning Event on the policy, and the operator keeps trying")
  void refusedPod() {
    String locked = h.ns + "-locked";
    h.namespace(locked);
    String why = "pods \"from-locked-g1-source\" is forbidden: violates PodSecurity \"baseline:latest\": non-default capabilities (container \"scanner\" must not include \"NET_RAW\")";
    h.cluster.refusePods(locked, why);
    h.apply(policy("from-locked", h.ns).sourcePod(locked, Map.of("app", "vault")).build());
    List<Event> events = await().atMost(Harness.WAIT).until(() -> h.events("from-locked", "ReconcileFailed"), e -> !e.isEmpty());
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).contains("violates PodSecurity", "NET_RAW", "retrying");
    });
    assertThat(operator.metrics().reconcileErrors(ScanPolicyReconciler.NAME)).isPositive();
  }

  @Test
  @DisplayName("deleting the policy mid-run deletes the pod in the other namespace too")
  void deletedPolicy() {
    String workloads = h.ns + "-db";
    h.namespace(workloads);
    h.apply(policy("from-db", h.ns).sourcePod(workloads, Map.of("app", "db")).build());
    String podName = SourcePods.podName("from-db-g1");
    await().atMost(Harness.WAIT).until(() -> h.client.pods().inNamespace(workloads).withName(podName).get() != null);
    h.client.resources(dev.portolan.crds.v1alpha1.ScanPolicy.class).inNamespace(h.ns).withName("from-db").delete();
    await().atMost(Harness.WAIT).until(() -> h.client.pods().inNamespace(workloads).withName(podName).get() == null
        && h.runs("from-db").isEmpty());
  }
}
