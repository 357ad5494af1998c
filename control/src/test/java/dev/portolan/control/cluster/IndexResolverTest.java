package dev.portolan.control.cluster;

import static dev.portolan.control.fixtures.Cluster.T0;
import static dev.portolan.control.fixtures.Cluster.at;
import static dev.portolan.control.fixtures.Cluster.controller;
import static dev.portolan.control.fixtures.Cluster.node;
import static dev.portolan.control.fixtures.Cluster.pod;
import static dev.portolan.control.fixtures.Cluster.port;
import static dev.portolan.control.fixtures.Cluster.resolve;
import static dev.portolan.control.fixtures.Cluster.scope;
import static dev.portolan.control.fixtures.Cluster.service;
import static dev.portolan.control.fixtures.Cluster.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.control.target.Ipv4;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.NetworkVerdict;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.PortOwner;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.crds.v1alpha1.ScanReportStatus.WorkloadRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("resolving a scope's addresses to the objects that own them")
class IndexResolverTest {
  private static final String ALL = "10.0.0.0/8";

  /** The target of the only entry at {@code ip}. */
  private static Target owner(List<IndexEntry> entries, String ip) {
    return at(entries, ip).target();
  }

  private static Target ownerOf(Pod pod, HasMetadata... others) {
    HasMetadata[] objects = new HasMetadata[others.length + 1];
    objects[0] = pod;
    System.arraycopy(others, 0, objects, 1, others.length);
    return owner(resolve(snapshot(objects), ALL), pod.getStatus().getPodIP());
  }

  private static EndpointSlice slice(String namespace, String name, String service, String podName, String address) {
    var b = new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace).withName(name);
    if (service != null) {
      b.addToLabels("kubernetes.io/service-name", service);
    }
    var endpoint = b.endMetadata().withAddressType("IPv4").addNewEndpoint().withAddresses(address);
    if (podName != null) {
      endpoint.withNewTargetRef().withKind("Pod").withNamespace(namespace).withName(podName).endTargetRef();
    }
    return endpoint.endEndpoint().build();
  }

  @Nested
  @DisplayName("a pod")
  class Pods {
    @Test
    @DisplayName("owns its pod IP, and its target names it: kind, namespace, name, uid, node and when it was resolved")
    void target() {
      var entries = resolve(snapshot(pod("shop", "web-1", "10.244.1.7").build()), ALL);
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.244.1.7");
      Target t = entries.getFirst().target();
      assertThat(t.kind()).isEqualTo("Pod");
      assertThat(t.namespace()).isEqualTo("shop");
      assertThat(t.name()).isEqualTo("web-1");
      assertThat(t.uid()).isEqualTo("uid-web-1");
      assertThat(t.node()).isEqualTo("node-a");
      assertThat(t.resolvedAt()).isEqualTo(T0.toString());
      assertThat(t.hostNetwork()).as("on the pod network").isNull();
      assertThat(t.workload()).as("a bare pod").isNull();
      assertThat(t.services()).isNull();
      assertThat(t.describe()).isEqualTo("Pod shop/web-1");
      assertThat(entries.getFirst().changedBefore()).as("an entry of the index the run starts with").isNull();
    }

    @Test
    @DisplayName("declares the TCP ports of its containers and sidecars on its address, not UDP ports nor plain init containers'")
    void declaredPorts() {
      var p = pod("shop", "web-1", "10.244.1.7").editSpec()
          .addNewContainer().withName("web")
          .addNewPort().withContainerPort(8080).withName("http").endPort()
          .addNewPort().withContainerPort(8443).withProtocol("TCP").withName("https").endPort()
          .addNewPort().withContainerPort(5353).withProtocol("UDP").withName("mdns").endPort()
          .endContainer()
          .addNewInitContainer().withName("mesh").withRestartPolicy("Always")
          .addNewPort().withContainerPort(15090).withName("envoy").endPort().endInitContainer()
          .addNewInitContainer().withName("migrate").addNewPort().withContainerPort(7000).endPort().endInitContainer()
          .endSpec().build();
      IndexEntry e = at(resolve(snapshot(p), ALL), "10.244.1.7");
      assertThat(e.ports()).containsExactly(
          new PortOwner(8080, "web", "http", null),
          new PortOwner(8443, "web", "https", null),
          new PortOwner(15090, "mesh", "envoy", null));
    }

    @Test
    @DisplayName("that is Pending owns the address it already has; one without an address yet owns nothing")
    void pending() {
      var early = pod("shop", "web-1", "10.244.1.7").editStatus().withPhase("Pending").endStatus().build();
      var unscheduled = new PodBuilder().withNewMetadata().withNamespace("shop").withName("web-2").endMetadata()
          .withNewStatus().withPhase("Pending").endStatus().build();
      var entries = resolve(snapshot(early, unscheduled), ALL);
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.244.1.7");
      assertThat(entries.getFirst().target().name()).isEqualTo("web-1");
    }

    @Test
    @DisplayName("that has ended (Succeeded or Failed) owns nothing: its address may already be a running pod's")
    void ended() {
      var done = pod("shop", "migrate-1", "10.244.1.7").editStatus().withPhase("Succeeded").endStatus().build();
      var crashed = pod("shop", "web-0", "10.244.1.8").editStatus().withPhase("Failed").endStatus().build();
      var reused = pod("shop", "api-1", "10.244.1.7").build();
      var entries = resolve(snapshot(done, crashed, reused), ALL);
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.244.1.7");
      assertThat(entries.getFirst().target().name()).isEqualTo("api-1");
    }

    @Test
    @DisplayName("without a status (a hand-written snapshot) owns nothing")
    void noStatus() {
      var p = new PodBuilder().withNewMetadata().withNamespace("shop").withName("web-1").endMetadata().build();
      assertThat(resolve(snapshot(p), ALL)).isEmpty();
    }

    @Test
    @DisplayName("owns its hostPorts on its node's address, which stays the node's; the container port stays on the pod IP")
    void hostPorts() {
      var p = pod("ingress", "controller-1", "10.244.1.7").editSpec().addNewContainer().withName("nginx")
          .addNewPort().withContainerPort(443).withHostPort(8443).withName("https").endPort()
          .addNewPort().withContainerPort(53).withHostPort(53).withProtocol("UDP").endPort()
          .endContainer().endSpec().build();
      var entries = resolve(snapshot(p, node("node-a", "10.0.0.5").build()), ALL);
      IndexEntry onNode = at(entries, "10.0.0.5");
      assertThat(onNode.target().kind()).isEqualTo("Node");
      assertThat(onNode.ports()).extracting(PortOwner::port).containsExactly(8443);
      PortOwner hostPort = port(onNode, 8443);
      assertThat(hostPort.container()).isEqualTo("nginx");
      assertThat(hostPort.portName()).isEqualTo("https");
      assertThat(hostPort.target().kind()).isEqualTo("Pod");
      assertThat(hostPort.target().name()).isEqualTo("controller-1");
      assertThat(hostPort.target().hostNetwork()).as("a hostPort is not the host network").isNull();
      assertThat(at(entries, "10.244.1.7").ports()).extracting(PortOwner::port).containsExactly(443);
    }
  }

  @Nested
  @DisplayName("the workload of a pod")
  class Workloads {
    @Test
    @DisplayName("is the Deployment that controls the pod's ReplicaSet")
    void deploymentViaReplicaSet() {
      var rs = new ReplicaSetBuilder().withNewMetadata().withNamespace("shop").withName("web-7d4b9")
          .addToOwnerReferences(controller("apps/v1", "Deployment", "storefront")).endMetadata().build();
      var p = pod("shop", "web-7d4b9-x2x4k", "10.244.1.7").editMetadata()
          .addToOwnerReferences(controller("apps/v1", "ReplicaSet", "web-7d4b9")).endMetadata().build();
      Target t = ownerOf(p, rs);
      assertThat(t.workload()).isEqualTo(new WorkloadRef("Deployment", "storefront"));
      assertThat(t.describe()).isEqualTo("Deployment shop/storefront");
      assertThat(t.name()).as("the target is still the pod").isEqualTo("web-7d4b9-x2x4k");
    }

    @Test
    @DisplayName("without the ReplicaSet in the snapshot, is the Deployment named before the pod-template-hash")
    void deploymentFromHash() {
      var p = pod("shop", "web-7d4b9-x2x4k", "10.244.1.7").editMetadata().addToLabels("pod-template-hash", "7d4b9")
          .addToOwnerReferences(controller("apps/v1", "ReplicaSet", "web-7d4b9")).endMetadata().build();
      assertThat(ownerOf(p).workload()).isEqualTo(new WorkloadRef("Deployment", "web"));
    }

    @Test
    @DisplayName("is the ReplicaSet itself when no Deployment controls it, or when its name does not end in the hash")
    void bareReplicaSet() {
      var rs = new ReplicaSetBuilder().withNewMetadata().withNamespace("shop").withName("legacy-7d4b9").endMetadata().build();
      var p = pod("shop", "legacy-7d4b9-abcde", "10.244.1.7").editMetadata().addToLabels("pod-template-hash", "7d4b9")
          .addToOwnerReferences(controller("apps/v1", "ReplicaSet", "legacy-7d4b9")).endMetadata().build();
      assertThat(ownerOf(p, rs).workload()).isEqualTo(new WorkloadRef("ReplicaSet", "legacy-7d4b9"));

      var hand = pod("shop", "hand-1", "10.244.1.8").editMetadata().addToLabels("pod-template-hash", "5f6c7")
          .addToOwnerReferences(controller("apps/v1", "ReplicaSet", "hand")).endMetadata().build();
      assertThat(ownerOf(hand).workload()).isEqualTo(new WorkloadRef("ReplicaSet", "hand"));
      var unlabelled = pod("shop", "web-7d4b9-x2x4k", "10.244.1.9").editMetadata()
          .addToOwnerReferences(controller("apps/v1", "ReplicaSet", "web-7d4b9")).endMetadata().build();
      assertThat(ownerOf(unlabelled).workload()).isEqualTo(new WorkloadRef("ReplicaSet", "web-7d4b9"));
    }

    @Test
    @DisplayName("looks the ReplicaSet up in the pod's own namespace")
    void replicaSetOfAnotherNamespace() {
      var elsewhere = new ReplicaSetBuilder().withNewMetadata().withNamespace("other").withName("web-7d4b9")
          .addToOwnerReferences(controller("apps/v1", "Deployment", "impostor")).endMetadata().build();
      var p = pod("shop", "web-7d4b9-x2x4k", "10.244.1.7").editMetadata()
          .addToOwnerReferences(controller("apps/v1", "ReplicaSet", "web-7d4b9")).endMetadata().build();
      assertThat(ownerOf(p, elsewhere).workload()).isEqualTo(new WorkloadRef("ReplicaSet", "web-7d4b9"));
    }

    @Test
    @DisplayName("is the CronJob that controls the pod's Job; a Job of its own, or one not in the snapshot, is the Job")
    void cronJobViaJob() {
      var job = new JobBuilder().withNewMetadata().withNamespace("ops").withName("backup-29012345")
          .addToOwnerReferences(controller("batch/v1", "CronJob", "backup")).endMetadata().build();
      var oneOff = new JobBuilder().withNewMetadata().withNamespace("ops").withName("migrate").endMetadata().build();
      var scheduled = pod("ops", "backup-29012345-q7w2e", "10.244.2.1").editMetadata()
          .addToOwnerReferences(controller("batch/v1", "Job", "backup-29012345")).endMetadata().build();
      var single = pod("ops", "migrate-z9x8c", "10.244.2.2").editMetadata()
          .addToOwnerReferences(controller("batch/v1", "Job", "migrate")).endMetadata().build();
      var unknown = pod("ops", "report-k3j4h", "10.244.2.3").editMetadata()
          .addToOwnerReferences(controller("batch/v1", "Job", "report")).endMetadata().build();
      var entries = resolve(snapshot(job, oneOff, scheduled, single, unknown), ALL);
      assertThat(owner(entries, "10.244.2.1").workload()).isEqualTo(new WorkloadRef("CronJob", "backup"));
      assertThat(owner(entries, "10.244.2.2").workload()).isEqualTo(new WorkloadRef("Job", "migrate"));
      assertThat(owner(entries, "10.244.2.3").workload()).isEqualTo(new WorkloadRef("Job", "report"));
    }

    @Test
    @DisplayName("is the StatefulSet or DaemonSet that controls the pod directly")
    void directControllers() {
      var db = pod("shop", "db-0", "10.244.1.7").editMetadata()
          .addToOwnerReferences(controller("apps/v1", "StatefulSet", "db")).endMetadata().build();
      var agent = pod("kube-system", "fluent-bit-8k2lp", "10.244.1.8").editMetadata()
          .addToOwnerReferences(controller("apps/v1", "DaemonSet", "fluent-bit")).endMetadata().build();
      var entries = resolve(snapshot(db, agent), ALL);
      assertThat(owner(entries, "10.244.1.7").workload()).isEqualTo(new WorkloadRef("StatefulSet", "db"));
      assertThat(owner(entries, "10.244.1.8").workload()).isEqualTo(new WorkloadRef("DaemonSet", "fluent-bit"));
      assertThat(owner(entries, "10.244.1.8").describe()).isEqualTo("DaemonSet kube-system/fluent-bit");
    }

    @Test
    @DisplayName("is none for a pod whose ownerReferences name no controller")
    void notAController() {
      var ref = controller("apps/v1", "ReplicaSet", "web-7d4b9");
      ref.setController(false);
      var p = pod("shop", "web-1", "10.244.1.7").editMetadata().addToOwnerReferences(ref).endMetadata().build();
      assertThat(ownerOf(p).workload()).isNull();
    }
  }

  @Nested
  @DisplayName("the Services in front of a pod")
  class ServicesInFront {
    @Test
    @DisplayName("come from the EndpointSlices that list the pod, sorted, each once however many slices name it")
    void fromSlices() {
      var p = pod("shop", "web-1", "10.244.1.7").build();
      var other = pod("shop", "api-1", "10.244.1.8").build();
      var entries = resolve(snapshot(p, other,
          slice("shop", "web-abc", "web", "web-1", "10.244.1.7"),
          slice("shop", "web-def", "web", "web-1", "10.244.1.7"),
          slice("shop", "admin-xyz", "admin", "web-1", "10.244.1.7")), ALL);
      assertThat(owner(entries, "10.244.1.7").services()).containsExactly("shop/admin", "shop/web");
      assertThat(owner(entries, "10.244.1.8").services()).as("a pod no slice lists").isNull();
    }

    @Test
    @DisplayName("match an endpoint without a targetRef to the pod by its address, in the slice's namespace")
    void byAddress() {
      var p = pod("shop", "web-1", "10.244.1.7").build();
      var entries = resolve(snapshot(p, slice("shop", "web-abc", "web", null, "10.244.1.7"),
          slice("other", "web-abc", "web", null, "10.244.1.7")), ALL);
      assertThat(owner(entries, "10.244.1.7").services()).containsExactly("shop/web");
    }

    @Test
    @DisplayName("ignore a slice that names no Service (no kubernetes.io/service-name label)")
    void unlabelledSlice() {
      var p = pod("shop", "web-1", "10.244.1.7").build();
      assertThat(ownerOf(p, slice("shop", "stray", null, "web-1", "10.244.1.7")).services()).isNull();
    }

    @Test
    @DisplayName("come from the slices alone when there are any: a Service's selector is not read then")
    void slicesOverSelectors() {
      var p = pod("shop", "web-1", "10.244.1.7").editMetadata().addToLabels("app", "web").endMetadata().build();
      var selecting = service("shop", "web", "10.96.0.10").editSpec().addToSelector("app", "web").endSpec().build();
      assertThat(ownerOf(p, selecting, slice("shop", "admin-xyz", "admin", "web-1", "10.244.1.7")).services())
          .containsExactly("shop/admin");
    }

    @Test
    @DisplayName("without any EndpointSlice, are the Services of the pod's namespace whose selector matches its labels")
    void fromSelectors() {
      var p = pod("shop", "web-1", "10.244.1.7").editMetadata().addToLabels(Map.of("app", "web", "tier", "front"))
          .endMetadata().build();
      var web = service("shop", "web", "10.96.0.10").editSpec().addToSelector("app", "web").endSpec().build();
      var front = service("shop", "front", "10.96.0.11").editSpec().addToSelector("tier", "front").endSpec().build();
      var api = service("shop", "api", "10.96.0.12").editSpec().addToSelector("app", "api").endSpec().build();
      var elsewhere = service("other", "web", "10.96.0.13").editSpec().addToSelector("app", "web").endSpec().build();
      var manual = service("shop", "manual", "10.96.0.14").build();
      assertThat(ownerOf(p, web, front, api, elsewhere, manual).services()).containsExactly("shop/front", "shop/web");
    }
  }

  @Nested
  @DisplayName("a host-network pod")
  class HostNetwork {
    private final Pod proxy = pod("kube-system", "kube-proxy-7xk2p", "10.0.0.5").editMetadata()
        .addToOwnerReferences(controller("apps/v1", "DaemonSet", "kube-proxy")).endMetadata()
        .editSpec().withHostNetwork(true).addNewContainer().withName("kube-proxy")
        .addNewPort().withContainerPort(10249).withName("metrics").endPort()
        .addNewPort().withContainerPort(10256).withName("healthz").endPort()
        .endContainer().endSpec().build();

    @Test
    @DisplayName("leaves the address to its node; it owns the ports it declares there, flagged as on the host network")
    void nodeKeepsTheAddress() {
      var entries = resolve(snapshot(proxy, node("node-a", "10.0.0.5").build()), ALL);
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.0.0.5");
      IndexEntry e = entries.getFirst();
      assertThat(e.target().kind()).isEqualTo("Node");
      assertThat(e.target().name()).isEqualTo("node-a");
      assertThat(e.ports()).extracting(PortOwner::port).containsExactly(10249, 10256);
      PortOwner metrics = port(e, 10249);
      assertThat(metrics.container()).isEqualTo("kube-proxy");
      assertThat(metrics.portName()).isEqualTo("metrics");
      Target pod = metrics.target();
      assertThat(pod.kind()).isEqualTo("Pod");
      assertThat(pod.name()).isEqualTo("kube-proxy-7xk2p");
      assertThat(pod.hostNetwork()).isTrue();
      assertThat(pod.workload()).isEqualTo(new WorkloadRef("DaemonSet", "kube-proxy"));
      assertThat(pod.node()).isEqualTo("node-a");
    }

    @Test
    @DisplayName("on a node the snapshot lacks owns its ports on the host address, which has no owner of its own")
    void nodeUnknown() {
      var entries = resolve(snapshot(proxy), ALL);
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.0.0.5");
      assertThat(entries.getFirst().target()).isNull();
      assertThat(entries.getFirst().ports()).extracting(p -> p.target().name()).containsOnly("kube-proxy-7xk2p");
    }

    @Test
    @DisplayName("that has ended leaves no port on its node")
    void ended() {
      var done = new PodBuilder(proxy).editStatus().withPhase("Failed").endStatus().build();
      IndexEntry e = at(resolve(snapshot(done, node("node-a", "10.0.0.5").build()), ALL), "10.0.0.5");
      assertThat(e.target().kind()).isEqualTo("Node");
      assertThat(e.ports()).isNull();
    }
  }

  @Nested
  @DisplayName("Services and Nodes")
  class ServicesAndNodes {
    @Test
    @DisplayName("a Service owns its cluster, external and load-balancer IPs, each with the Service's TCP ports")
    void serviceAddresses() {
      var web = service("shop", "web", "10.96.0.10").editMetadata().addToLabels("app", "web").endMetadata().editSpec()
          .withExternalIPs("198.18.5.1")
          .addNewPort().withPort(443).withName("https").endPort()
          .addNewPort().withPort(53).withProtocol("UDP").withName("dns").endPort()
          .endSpec().withNewStatus().withNewLoadBalancer().addNewIngress().withIp("198.18.5.2").endIngress()
          .addNewIngress().withHostname("lb.example.com").endIngress().endLoadBalancer().endStatus().build();
      var entries = resolve(snapshot(web), ALL, "198.18.0.0/15");
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.96.0.10", "198.18.5.1", "198.18.5.2");
      for (IndexEntry e : entries) {
        Target t = e.target();
        assertThat(List.of(t.kind(), t.namespace(), t.name(), t.uid())).containsExactly("Service", "shop", "web", "uid-web");
        assertThat(t.labels()).isEqualTo(Map.of("app", "web"));
        assertThat(t.resolvedAt()).isEqualTo(T0.toString());
        assertThat(e.ports()).containsExactly(new PortOwner(443, null, "https", null));
      }
    }

    @Test
    @DisplayName("headless and ExternalName Services own no address")
    void headlessAndExternalName() {
      var headless = service("shop", "db", "None").build();
      var external = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("ext").endMetadata()
          .withNewSpec().withType("ExternalName").withExternalName("db.example.com").endSpec().build();
      assertThat(resolve(snapshot(headless, external), ALL)).isEmpty();
    }

    @Test
    @DisplayName("a node owns its InternalIP and ExternalIP, not its host name; its target is cluster-scoped and is its own node")
    void nodeAddresses() {
      var n = node("node-a", "10.0.0.5").editMetadata().addToLabels("app", "edge").endMetadata().editStatus()
          .addNewAddress().withType("ExternalIP").withAddress("203.0.113.5").endAddress()
          .addNewAddress().withType("Hostname").withAddress("node-a").endAddress()
          .endStatus().build();
      var entries = resolve(snapshot(n), ALL, "203.0.113.0/24");
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.0.0.5", "203.0.113.5");
      for (IndexEntry e : entries) {
        Target t = e.target();
        assertThat(t.kind()).isEqualTo("Node");
        assertThat(t.namespace()).isNull();
        assertThat(t.name()).isEqualTo("node-a");
        assertThat(t.uid()).isEqualTo("uid-node-a");
        assertThat(t.node()).isEqualTo("node-a");
        assertThat(t.labels()).isEqualTo(Map.of("app", "edge"));
        assertThat(t.describe()).isEqualTo("Node node-a");
        assertThat(e.ports()).isNull();
      }
    }

    @Test
    @DisplayName("NodePort and LoadBalancer Services own their TCP node ports on every node address in scope")
    void nodePorts() {
      var a = node("node-a", "10.0.0.5").editStatus().addNewAddress().withType("ExternalIP").withAddress("203.0.113.5")
          .endAddress().endStatus().build();
      var b = node("node-b", "10.0.0.6").build();
      var outside = node("node-c", "10.1.0.7").build();
      var np = service("shop", "web", "10.96.0.10").editSpec().withType("NodePort")
          .addNewPort().withPort(80).withNodePort(30080).withName("http").endPort()
          .addNewPort().withPort(53).withNodePort(30053).withProtocol("UDP").endPort().endSpec().build();
      var lb = service("shop", "shop-lb", "10.96.0.11").editSpec().withType("LoadBalancer")
          .addNewPort().withPort(443).withNodePort(30443).withName("https").endPort()
          .addNewPort().withPort(8443).withName("admin").endPort().endSpec().build();
      var entries = resolve(snapshot(a, b, outside, np, lb), "10.0.0.0/24", "203.0.113.0/24");
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.0.0.5", "10.0.0.6", "203.0.113.5");
      for (IndexEntry e : entries) {
        assertThat(e.target().kind()).isEqualTo("Node");
        assertThat(e.ports()).extracting(PortOwner::port).containsExactly(30080, 30443);
        assertThat(port(e, 30080).target().name()).isEqualTo("web");
        assertThat(port(e, 30080).portName()).isEqualTo("http");
        assertThat(port(e, 30443).target().name()).isEqualTo("shop-lb");
      }
    }

    @Test
    @DisplayName("a ClusterIP Service owns no node port")
    void clusterIpHasNoNodePorts() {
      var stale = service("shop", "web", "10.96.0.10").editSpec()
          .addNewPort().withPort(80).withNodePort(30080).endPort().endSpec().build();
      IndexEntry onNode = at(resolve(snapshot(node("node-a", "10.0.0.5").build(), stale), ALL), "10.0.0.5");
      assertThat(onNode.ports()).isNull();
    }

    @Test
    @DisplayName("a Service's external IP on a node's address leaves the address to the node; the Service owns its ports there")
    void externalIpOnNode() {
      var ext = service("shop", "web", "10.96.0.10").editSpec().withExternalIPs("10.0.0.5")
          .addNewPort().withPort(8080).withName("http").endPort().endSpec().build();
      IndexEntry e = at(resolve(snapshot(node("node-a", "10.0.0.5").build(), ext), ALL), "10.0.0.5");
      assertThat(e.target().kind()).isEqualTo("Node");
      assertThat(port(e, 8080).target().kind()).isEqualTo("Service");
      assertThat(port(e, 8080).target().name()).isEqualTo("web");
    }

    @Test
    @DisplayName("two Services sharing a load-balancer IP are each the owner of their own ports there")
    void sharedIngress() {
      var a = service("shop", "web", "10.96.0.10").editSpec().addNewPort().withPort(80).endPort().endSpec()
          .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("198.18.7.1").endIngress().endLoadBalancer()
          .endStatus().build();
      var b = service("shop", "admin", "10.96.0.11").editSpec().addNewPort().withPort(8443).endPort().endSpec()
          .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("198.18.7.1").endIngress().endLoadBalancer()
          .endStatus().build();
      var index = AddressIndex.of(resolve(snapshot(a, b), "198.18.7.0/24"), T0);
      int ip = Ipv4.parse("198.18.7.1");
      assertThat(index.attribute(ip, 80, T0).orElseThrow().target().name()).isEqualTo("web");
      assertThat(index.attribute(ip, 8443, T0).orElseThrow().target().name()).isEqualTo("admin");
    }
  }

  @Nested
  @DisplayName("the scope")
  class InScope {
    @Test
    @DisplayName("bounds the index: an address outside it is skipped, whatever owns it")
    void outsideSkipped() {
      var entries = resolve(snapshot(pod("shop", "web-1", "10.244.1.7").build(), pod("shop", "web-2", "10.244.2.7").build(),
          node("node-a", "10.0.0.5").build(), service("shop", "web", "10.96.0.10").build()), "10.244.1.0/24");
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.244.1.7");
    }

    @Test
    @DisplayName("holds IPv4 only: a dual-stack pod owns its IPv4 address, IPv6-only objects own nothing")
    void ipv6Ignored() {
      var dual = pod("shop", "web-1", "10.244.1.7").editStatus().withPodIPs().addNewPodIP("fd00::7").addNewPodIP("10.244.1.7")
          .endStatus().build();
      var v6 = pod("shop", "web-2", "fd00::8").build();
      var node = node("node-v6", "fd00::5").build();
      var svc = service("shop", "web", "fd00::a").build();
      var entries = resolve(snapshot(dual, v6, node, svc), "0.0.0.0/0");
      assertThat(entries).extracting(IndexEntry::ip).containsExactly("10.244.1.7");
    }

    @Test
    @DisplayName("sorts the entries by address as unsigned numbers: 10.x before 198.18.x before 203.0.113.x")
    void sorted() {
      var n = node("node-a", "203.0.113.5").build();
      var svc = service("shop", "web", "198.18.0.10").build();
      var p = pod("shop", "web-1", "10.244.1.7").build();
      assertThat(resolve(snapshot(n, svc, p), "10.0.0.0/8", "198.18.0.0/15", "203.0.113.0/24"))
          .extracting(IndexEntry::ip).containsExactly("10.244.1.7", "198.18.0.10", "203.0.113.5");
    }

    @Test
    @DisplayName("of an empty cluster resolves to no entries")
    void emptyCluster() {
      assertThat(new IndexResolver(ClusterSnapshot.empty(T0), TargetLabels.defaults(), OwnerFacts.NONE).resolve(scope(ALL)))
          .isEmpty();
    }
  }

  @Nested
  @DisplayName("the labels of a target")
  class Labels {
    @Test
    @DisplayName("are only the allow-listed keys by default (app.kubernetes.io/name, app.kubernetes.io/instance, app)")
    void defaults() {
      var p = pod("shop", "web-1", "10.244.1.7").editMetadata().addToLabels(Map.of(
          "app.kubernetes.io/name", "web", "app.kubernetes.io/instance", "web-prod", "app", "web",
          "team", "payments", "pod-template-hash", "7d4b9", "secret-token", "s3cr3t")).endMetadata().build();
      assertThat(ownerOf(p).labels()).isEqualTo(Map.of(
          "app.kubernetes.io/name", "web", "app.kubernetes.io/instance", "web-prod", "app", "web"));
    }

    @Test
    @DisplayName("are none at all when the object has no allow-listed label")
    void noneAllowed() {
      var p = pod("shop", "web-1", "10.244.1.7").editMetadata().addToLabels("team", "payments").endMetadata().build();
      assertThat(ownerOf(p).labels()).isNull();
    }

    @Test
    @DisplayName("follow a custom allow-list, which replaces the default one, for pods, Services and Nodes alike")
    void custom() {
      var p = pod("shop", "web-1", "10.244.1.7").editMetadata().addToLabels(Map.of("app", "web", "team", "payments"))
          .endMetadata().build();
      var s = service("shop", "web", "10.96.0.10").editMetadata().addToLabels(Map.of("app", "web", "team", "payments"))
          .endMetadata().build();
      var n = node("node-a", "10.0.0.5").editMetadata().addToLabels(Map.of("app", "edge", "topology.kubernetes.io/zone", "z1"))
          .endMetadata().build();
      var labels = new TargetLabels(List.of("team", "topology.kubernetes.io/zone"));
      var entries = new IndexResolver(snapshot(p, s, n), labels, OwnerFacts.NONE).resolve(scope(ALL));
      assertThat(owner(entries, "10.244.1.7").labels()).isEqualTo(Map.of("team", "payments"));
      assertThat(owner(entries, "10.96.0.10").labels()).isEqualTo(Map.of("team", "payments"));
      assertThat(owner(entries, "10.0.0.5").labels()).isEqualTo(Map.of("topology.kubernetes.io/zone", "z1"));
    }
  }

  @Nested
  @DisplayName("what the run's expectations make of an owner")
  class Facts {
    private final NetworkVerdict verdict = new NetworkVerdict("8080", List.of("shop/deny-all"), null, "shop/allow-web", "8080");

    /** Rule 0 selects pods, 1 Services, 2 Nodes; every pod gets {@link #verdict}. */
    private final OwnerFacts byKind = new OwnerFacts() {
      @Override
      public List<Integer> rules(HasMetadata owner) {
        return switch (owner) {
          case Pod _ -> List.of(0);
          case Service _ -> List.of(1);
          case Node _ -> List.of(2);
          default -> List.of();
        };
      }

      @Override
      public NetworkVerdict network(Pod pod) {
        return verdict;
      }
    };

    @Test
    @DisplayName("is recorded where each owner is: on its address, or on the ports it owns on another's address")
    void placed() {
      var p = pod("shop", "web-1", "10.244.1.7").editSpec().addNewContainer().withName("web")
          .addNewPort().withContainerPort(8080).endPort().endContainer().endSpec().build();
      var agent = pod("kube-system", "agent-1", "10.0.0.5").editSpec().withHostNetwork(true).addNewContainer()
          .withName("agent").addNewPort().withContainerPort(9100).endPort().endContainer().endSpec().build();
      var np = service("shop", "web", "10.96.0.10").editSpec().withType("NodePort")
          .addNewPort().withPort(80).withNodePort(30080).endPort().endSpec().build();
      var entries = new IndexResolver(snapshot(p, agent, np, node("node-a", "10.0.0.5").build()), TargetLabels.defaults(), byKind)
          .resolve(scope(ALL));

      IndexEntry pod = at(entries, "10.244.1.7");
      assertThat(pod.rules()).containsExactly(0);
      assertThat(pod.network()).isEqualTo(verdict);
      IndexEntry svc = at(entries, "10.96.0.10");
      assertThat(svc.rules()).containsExactly(1);
      assertThat(svc.network()).as("NetworkPolicies select pods only").isNull();
      IndexEntry onNode = at(entries, "10.0.0.5");
      assertThat(onNode.rules()).containsExactly(2);
      assertThat(onNode.network()).isNull();
      assertThat(port(onNode, 9100).rules()).containsExactly(0);
      assertThat(port(onNode, 30080).rules()).containsExactly(1);
    }

    @Test
    @DisplayName("is absent (not an empty list) when no expectation selects the owner")
    void none() {
      IndexEntry e = at(resolve(snapshot(pod("shop", "web-1", "10.244.1.7").build()), ALL), "10.244.1.7");
      assertThat(e.rules()).isNull();
      assertThat(e.network()).isNull();
    }
  }
}
