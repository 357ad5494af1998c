package dev.portolan.scanner.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.scanner.cli.CliRun;
import dev.portolan.testkit.KubeApi;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portolan run --kubeconfig}: the run is resolved against a live cluster (the real API server
 * tier) under a service account that holds only what the CLI documents it needs (list on
 * namespaces, pods, services, endpointslices, nodes, networkpolicies, replicasets, jobs), so RBAC
 * authorises every request. The pod's address is on loopback with a real listener; the cluster's
 * NetworkPolicy isolates it, so the open port is a violation naming the Deployment. Without those
 * rights the run stops with exit 2 and one line that says what to grant.
 */
@DisplayName("portolan run --kubeconfig, against a real API server with RBAC")
class RunKubeconfigIT {
  private static final String POD_IP = "127.0.0.41";
  private static KubeApi api;
  private static KubernetesClient admin;
  private static ServerSocket listener;

  @BeforeAll
  static void start() throws IOException {
    api = KubeApi.start();
    admin = api.admin();
    listener = new ServerSocket(0, 50, InetAddress.getByName(POD_IP));
    for (String ns : List.of("shop", "audit")) {
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
          .withLabels(Map.of("kubernetes.io/metadata.name", ns)).endMetadata().build()).createOr(o -> o.update());
    }
    ReplicaSet rs = admin.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder()
        .withNewMetadata().withName("web-5f9c").withLabels(Map.of("app", "web"))
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("web")
        .withUid("6f1c1c2e-0000-4000-8000-000000000001").withController(true).endOwnerReference().endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage("nginx").endContainer().endSpec().endTemplate()
        .endSpec().build()).create();
    Pod pod = admin.pods().inNamespace("shop").resource(new PodBuilder()
        .withNewMetadata().withName("web-5f9c-x2x4q").withLabels(Map.of("app", "web"))
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web-5f9c")
        .withUid(rs.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
        .withNewSpec().withNodeName("node-a").addNewContainer().withName("web").withImage("nginx")
        .addNewPort().withName("http").withContainerPort(listener.getLocalPort()).endPort().endContainer().endSpec()
        .build()).create();
    // A real API server drops the status of a create; the kubelet would write it, so the test does.
    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP(POD_IP)
        .addNewPodIP(POD_IP).build());
    admin.pods().inNamespace("shop").resource(pod).updateStatus();
    admin.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().addToSelector("app", "web").addNewPort().withPort(80).withNewTargetPort("http").endPort().endSpec()
        .build()).create();
    admin.discovery().v1().endpointSlices().inNamespace("shop").resource(new EndpointSliceBuilder()
        .withNewMetadata().withName("web-abc").withLabels(Map.of("kubernetes.io/service-name", "web")).endMetadata()
        .withAddressType("IPv4").addNewEndpoint().withAddresses(POD_IP).withNewTargetRef().withKind("Pod")
        .withNamespace("shop").withName(pod.getMetadata().getName()).endTargetRef().endEndpoint().build()).create();
    admin.network().v1().networkPolicies().inNamespace("shop").resource(new NetworkPolicyBuilder()
        .withNewMetadata().withName("default-deny").endMetadata()
        .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress").endSpec().build()).create();

    // Two service accounts: one with exactly the rights the CLI names, one with none.
    for (String sa : List.of("auditor", "nobody")) {
      admin.serviceAccounts().inNamespace("audit").resource(new ServiceAccountBuilder().withNewMetadata().withName(sa)
          .endMetadata().build()).create();
    }
    admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("portolan-run-reader").endMetadata()
        .addNewRule().withApiGroups("").withResources("namespaces", "pods", "services", "nodes").withVerbs("list").endRule()
        .addNewRule().withApiGroups("discovery.k8s.io").withResources("endpointslices").withVerbs("list").endRule()
        .addNewRule().withApiGroups("networking.k8s.io").withResources("networkpolicies").withVerbs("list").endRule()
        .addNewRule().withApiGroups("apps").withResources("replicasets").withVerbs("list").endRule()
        .addNewRule().withApiGroups("batch").withResources("jobs").withVerbs("list").endRule()
        .build()).create();
    admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName("portolan-run-reader")
        .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
        .withName("portolan-run-reader").endRoleRef().addNewSubject().withKind("ServiceAccount").withNamespace("audit")
        .withName("auditor").endSubject().build()).create();
  }

  @AfterAll
  static void stop() throws IOException {
    if (listener != null) {
      listener.close();
    }
    if (api != null) {
      api.close();
    }
  }

  private static Path policy(Path dir) throws IOException {
    return Files.writeString(dir.resolve("policy.yaml"), """
        apiVersion: portolan.dev/v1alpha1
        kind: ScanPolicy
        metadata: {name: shop-isolation, namespace: audit}
        spec:
          purpose: Is the shop's default-deny enforced?
          targets: {cidrs: ["%s"]}
          ports: "%d"
          waitSeconds: 1
          expectations: {fromNetworkPolicies: true}
        """.formatted(POD_IP, listener.getLocalPort()));
  }

  @Test
  @DisplayName("with list rights only, every finding names its owner from the live cluster and the isolated open port is a violation")
  void resolvesAgainstTheLiveCluster(@TempDir Path dir) throws IOException {
    Path kubeconfig = api.kubeconfigFor("audit", "auditor", dir.resolve("auditor.kubeconfig"));
    Path ndjson = dir.resolve("findings.ndjson");
    CliRun run = CliRun.of("run", "-f", policy(dir).toString(), "--kubeconfig", kubeconfig.toString(),
        "--fail-on-violation", "-oJ", ndjson.toString());

    assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isEqualTo(3);
    assertThat(run.stderr()).contains("1 address owned by cluster objects (cluster https://127.0.0.1:");
    assertThat(run.stdout())
        .contains("kind: Pod", "namespace: shop", "name: web-5f9c-x2x4q", "kind: Deployment", "name: web", "- shop/web")
        .contains("networkPolicies:", "- shop/default-deny");
    JsonNode finding = new ObjectMapper().readTree(Files.readAllLines(ndjson).stream()
        .filter(l -> l.contains("\"type\":\"port\"")).findFirst().orElseThrow());
    assertThat(finding.path("ip").asText()).isEqualTo(POD_IP);
    assertThat(finding.path("target").path("workload").path("name").asText()).isEqualTo("web");
    assertThat(finding.path("target").path("portName").asText()).isEqualTo("http");
  }

  @Test
  @DisplayName("without the rights, exit 2 and one line that says what to grant (or to give a snapshot)")
  void refusedSaysWhatToGrant(@TempDir Path dir) throws IOException {
    Path kubeconfig = api.kubeconfigFor("audit", "nobody", dir.resolve("nobody.kubeconfig"));
    CliRun run = CliRun.of("run", "-f", policy(dir).toString(), "--kubeconfig", kubeconfig.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr().strip().lines()).singleElement().asString()
        .startsWith("portolan: the API server refused to list namespaces (403)")
        .contains("grant list on them, or give a snapshot with --objects");
    assertThat(run.stderr()).doesNotContain("Exception", "\tat ");
  }
}
