package dev.portolan.e2e;

import dev.portolan.testkit.KubeApi;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The cluster's API server in the end-to-end test's real-API execution: e2e/kubeapi's server (real
 * etcd, storage, server-side apply, RBAC, admission), started by this JVM inside the lab's targets'
 * namespace, where it listens on 127.0.0.1 with a certificate for that address. The operator, beside
 * it, reaches it there. An agent in node namespace N reaches it at 127.0.0.1 too, through a bridge
 * that keeps the certificate valid: socat listens on N's loopback and forwards to a Unix socket,
 * whose other end (socat in the targets' namespace) connects to the server; a Unix socket is a file
 * and crosses network namespaces, and no route or address is added anywhere.
 *
 * <p>Every request of the operator and the agents carries its own service account's token, bound
 * by the chart's rendered roles: a rule the chart lacks is a 403. There is no DaemonSet controller
 * or kubelet, so the test makes what they would: a Node per lab node and a Running, Ready agent
 * pod on it, which is how the operator finds its agents.
 */
final class LabKubeApi implements AutoCloseable {
  private final KubeApi api;

  private LabKubeApi(KubeApi api) {
    this.api = api;
  }

  /** Starts the server (or skips the test, as KubeApi decides) with the CRDs and {@code namespaces}. */
  static LabKubeApi start(String... namespaces) {
    KubeApi api = KubeApi.start();
    try {
      api.applyCrds("/META-INF/fabric8/scanpolicies.portolan.dev-v1.yml", "/META-INF/fabric8/scanreports.portolan.dev-v1.yml",
          "/META-INF/fabric8/scanreportpages.portolan.dev-v1.yml");
      for (String ns : namespaces) {
        api.createNamespace(ns);
      }
      return new LabKubeApi(api);
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  /** The test's own client, as kubectl with a cluster admin's credentials. */
  KubernetesClient client() {
    return api.admin();
  }

  int port() {
    return URI.create(api.server()).getPort();
  }

  /** Applies the chart's service accounts, roles and bindings as rendered. */
  void applyIdentities(List<HasMetadata> identities) {
    for (HasMetadata o : identities) {
      api.admin().resource(o).forceConflicts().fieldManager("portolan-e2e").serverSideApply();
    }
  }

  /** A kubeconfig holding service account {@code namespace/name}'s own token. */
  Path kubeconfig(String namespace, String name, Path file) {
    return api.kubeconfigFor(namespace, name, file);
  }

  /** The socat commands of the bridge: the targets' side, and node N's side. */
  List<String> bridgeServerSide(Path socket) {
    return List.of("socat", "UNIX-LISTEN:" + socket + ",fork,mode=600", "TCP:127.0.0.1:" + port());
  }

  List<String> bridgeNodeSide(Path socket) {
    return List.of("socat", "TCP-LISTEN:" + port() + ",bind=127.0.0.1,fork,reuseaddr", "UNIX-CONNECT:" + socket);
  }

  /** What the DaemonSet and the kubelet would make on node {@code node}: the Node, and a Ready agent pod on its network. */
  void registerAgent(String namespace, String node, String address, Map<String, String> podLabels) {
    KubernetesClient admin = api.admin();
    var n = admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
    n.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder().addNewAddress().withType("InternalIP").withAddress(address).endAddress().build());
    admin.nodes().resource(n).updateStatus();
    Pod pod = admin.pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName("portolan-scanner-" + node).withLabels(podLabels).endMetadata()
        .withNewSpec().withNodeName(node).withHostNetwork(true)
        .addNewContainer().withName("scanner").withImage("portolan:e2e").endContainer().endSpec().build()).create();
    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withHostIP(address).withPodIP(address)
        .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
    admin.pods().inNamespace(namespace).resource(pod).updateStatus();
  }

  @Override
  public void close() {
    api.close();
  }
}
