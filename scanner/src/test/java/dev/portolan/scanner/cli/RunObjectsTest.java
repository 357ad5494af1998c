package dev.portolan.scanner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.crds.v1alpha1.ScanReportStatus.WorkloadRef;
import dev.portolan.scanner.report.NmapDtd;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code portolan run --objects}: a cluster snapshot, given as a YAML stream, as a kubectl List or
 * split over two files, names the owner of every finding the same way. Three loopback addresses
 * stand for a pod of a Deployment (through its ReplicaSet, with a Service in front through an
 * EndpointSlice), the Service's cluster IP and a node's InternalIP; each has a real listener.
 */
@DisplayName("portolan run --objects")
class RunObjectsTest {
  static final String POD_IP = "127.0.0.2";
  static final String SERVICE_IP = "127.0.0.3";
  static final String NODE_IP = "127.0.0.4";
  static final String POD = "web-5f9c-abcde";

  static ServerSocket podListener;
  static ServerSocket serviceListener;
  static ServerSocket nodeListener;

  @BeforeAll
  static void listen() throws IOException {
    podListener = new ServerSocket(0, 50, InetAddress.getByName(POD_IP));
    serviceListener = new ServerSocket(0, 50, InetAddress.getByName(SERVICE_IP));
    nodeListener = new ServerSocket(0, 50, InetAddress.getByName(NODE_IP));
  }

  @AfterAll
  static void close() throws IOException {
    for (ServerSocket s : new ServerSocket[] {podListener, serviceListener, nodeListener}) {
      if (s != null) {
        s.close();
      }
    }
  }

  static int podPort() {
    return podListener.getLocalPort();
  }

  static int servicePort() {
    return serviceListener.getLocalPort();
  }

  static int nodePort() {
    return nodeListener.getLocalPort();
  }

  /**
   * The snapshot's objects, one YAML document each. The pod has no pod-template-hash label, so only
   * its ReplicaSet object names the Deployment; the Service has no selector, so only the
   * EndpointSlice puts it in front of the pod.
   */
  static List<String> objects() {
    return List.of(
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {team: shop}}
        """,
        """
        apiVersion: v1
        kind: Node
        metadata: {name: node-a, uid: node-a-uid, labels: {app: edge, zone: a}}
        status:
          addresses:
          - {type: InternalIP, address: %s}
          - {type: Hostname, address: node-a}
        """.formatted(NODE_IP),
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: shop
          uid: pod-uid
          labels: {app: web, tier: front}
          ownerReferences:
          - {apiVersion: apps/v1, kind: ReplicaSet, name: web-5f9c, uid: rs-uid, controller: true}
        spec:
          nodeName: node-a
          containers:
          - name: web
            image: nginx
            ports:
            - {name: http, containerPort: %d}
        status: {phase: Running, podIP: %s, podIPs: [{ip: %s}]}
        """.formatted(POD, podPort(), POD_IP, POD_IP),
        """
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: web-5f9c
          namespace: shop
          ownerReferences:
          - {apiVersion: apps/v1, kind: Deployment, name: web, uid: deploy-uid, controller: true}
        """,
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop, uid: svc-uid, labels: {app: web}}
        spec:
          type: ClusterIP
          clusterIP: %s
          clusterIPs: [%s]
          ports:
          - {name: http, port: %d, protocol: TCP}
        """.formatted(SERVICE_IP, SERVICE_IP, servicePort()),
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-x7k2p
          namespace: shop
          labels: {kubernetes.io/service-name: web}
        addressType: IPv4
        endpoints:
        - addresses: [%s]
          targetRef: {kind: Pod, namespace: shop, name: %s}
        ports:
        - {name: http, port: %d, protocol: TCP}
        """.formatted(POD_IP, POD, podPort()));
  }

  static Path stream(Path dir, String name, List<String> docs) throws IOException {
    return Files.writeString(dir.resolve(name), "---\n" + String.join("---\n", docs));
  }

  /** The objects as {@code kubectl get ... -o yaml} prints them: one v1 List. */
  static Path kubectlList(Path dir, String name, List<String> docs) throws IOException {
    ObjectMapper yaml = RunCommand.yaml();
    ObjectNode list = yaml.createObjectNode();
    list.put("apiVersion", "v1");
    ArrayNode items = list.putArray("items");
    for (String d : docs) {
      items.add(yaml.readTree(d));
    }
    list.put("kind", "List");
    list.putObject("metadata").put("resourceVersion", "");
    return Files.writeString(dir.resolve(name), yaml.writeValueAsString(list));
  }

  static Path policy(Path dir) throws Exception {
    return RunCommandTest.policy(dir, "attribution", """
          purpose: name every finding's workload
          targets: {cidrs: ["%s-%s"]}
          ports: "%d,%d,%d"
          retries: 0
          waitSeconds: 1
          validation: {enabled: false}
        """.formatted(POD_IP, NODE_IP, podPort(), servicePort(), nodePort()));
  }

  /** "ip:port" to the finding's target, without the resolution time (each run resolves anew). */
  static Map<String, Target> targets(ScanReport report) {
    Map<String, Target> out = new TreeMap<>();
    for (Finding f : report.getStatus().findings()) {
      Target t = f.target();
      out.put(f.key(), t == null ? null : t.withAttribution(t.attribution(), t.note(), null));
    }
    return out;
  }

  static CliRun run(Path dir, String... objectsArgs) throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "-f", policy(dir).toString(), "-q"));
    args.addAll(List.of(objectsArgs));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    return run;
  }

  @Nested
  @DisplayName("names the owner of every finding")
  class Attribution {
    @Test
    @DisplayName("a pod by its Deployment (through the ReplicaSet) and Service (through the EndpointSlice), a Service, a Node")
    void targets(@TempDir Path dir) throws Exception {
      ScanReport report = RunCommandTest.reports(run(dir, "--objects", stream(dir, "cluster.yaml", objects()).toString()).stdout()).get(0);

      Map<String, Target> targets = RunObjectsTest.targets(report);
      assertThat(targets.keySet()).containsExactly(
          POD_IP + ":" + podPort(), SERVICE_IP + ":" + servicePort(), NODE_IP + ":" + nodePort());
      assertThat(targets.get(POD_IP + ":" + podPort())).isEqualTo(new Target(
          "Pod", "shop", POD, "pod-uid", null, new WorkloadRef("Deployment", "web"), List.of("shop/web"), "node-a",
          Map.of("app", "web"), "web", "http", null, Target.EXACT, null));
      assertThat(targets.get(SERVICE_IP + ":" + servicePort())).isEqualTo(new Target(
          "Service", "shop", "web", "svc-uid", null, null, null, null, Map.of("app", "web"), null, "http", null,
          Target.EXACT, null));
      assertThat(targets.get(NODE_IP + ":" + nodePort())).isEqualTo(new Target(
          "Node", null, "node-a", "node-a-uid", null, null, null, "node-a", Map.of("app", "edge"), null, null,
          null, Target.EXACT, null));
      assertThat(report.getStatus().summary().unattributed()).isZero();
      assertThat(report.getStatus().summary().byWorkloadKind()).containsExactlyInAnyOrderEntriesOf(
          Map.of("Deployment", 1L, "Service", 1L, "Node", 1L));
      assertThat(report.getStatus().index().source()).isEqualTo("snapshot cluster.yaml");
      assertThat(report.getStatus().index().entries()).isEqualTo(3);
    }

    @Test
    @DisplayName("the same, whether the snapshot is a YAML stream, a kubectl List, or split over two files")
    void sameInEveryForm(@TempDir Path dir) throws Exception {
      List<String> docs = objects();
      // The pod in one file, its ReplicaSet and the EndpointSlice naming it in the other.
      List<String> first = List.of(docs.get(0), docs.get(1), docs.get(2));
      List<String> second = List.of(docs.get(3), docs.get(4), docs.get(5));

      Map<String, Target> fromStream = RunObjectsTest.targets(RunCommandTest.reports(
          run(dir, "--objects", stream(dir, "stream.yaml", docs).toString()).stdout()).get(0));
      Map<String, Target> fromList = RunObjectsTest.targets(RunCommandTest.reports(
          run(dir, "--objects", kubectlList(dir, "list.yaml", docs).toString()).stdout()).get(0));
      ScanReport split = RunCommandTest.reports(run(dir, "--objects", stream(dir, "a.yaml", first).toString(),
          "--objects", kubectlList(dir, "b.yaml", second).toString()).stdout()).get(0);

      assertThat(fromStream).hasSize(3).doesNotContainValue(null);
      assertThat(fromList).isEqualTo(fromStream);
      assertThat(RunObjectsTest.targets(split)).isEqualTo(fromStream);
      assertThat(split.getStatus().index().source()).isEqualTo("snapshot a.yaml, b.yaml");
    }
  }

  @Nested
  @DisplayName("-oJ and -oX carry the same targets")
  class OtherOutputs {
    @Test
    @DisplayName("NDJSON: each open port's record has its target")
    void ndjson(@TempDir Path dir) throws Exception {
      Path json = dir.resolve("findings.ndjson");
      run(dir, "--objects", stream(dir, "cluster.yaml", objects()).toString(), "-oJ", json.toString());

      ObjectMapper mapper = new ObjectMapper();
      Map<String, JsonNode> byEndpoint = new TreeMap<>();
      JsonNode summary = null;
      for (String line : Files.readAllLines(json)) {
        JsonNode r = mapper.readTree(line);
        if ("port".equals(r.path("type").asText())) {
          byEndpoint.put(r.path("ip").asText() + ":" + r.path("port").asInt(), r);
        } else {
          summary = r;
        }
      }
      assertThat(summary).isNotNull();
      assertThat(summary.path("open").asInt()).isEqualTo(3);
      assertThat(byEndpoint).hasSize(3);
      JsonNode pod = byEndpoint.get(POD_IP + ":" + podPort()).path("target");
      assertThat(pod.path("kind").asText()).isEqualTo("Pod");
      assertThat(pod.path("namespace").asText()).isEqualTo("shop");
      assertThat(pod.path("name").asText()).isEqualTo(POD);
      assertThat(pod.path("workload").path("kind").asText()).isEqualTo("Deployment");
      assertThat(pod.path("workload").path("name").asText()).isEqualTo("web");
      assertThat(pod.path("services")).extracting(JsonNode::asText).containsExactly("shop/web");
      assertThat(pod.path("node").asText()).isEqualTo("node-a");
      assertThat(pod.path("container").asText()).isEqualTo("web");
      assertThat(pod.path("portName").asText()).isEqualTo("http");
      assertThat(pod.path("labels").properties()).extracting(Map.Entry::getKey).containsExactly("app");
      JsonNode service = byEndpoint.get(SERVICE_IP + ":" + servicePort()).path("target");
      assertThat(service.path("kind").asText()).isEqualTo("Service");
      assertThat(service.path("name").asText()).isEqualTo("web");
      assertThat(service.has("workload")).isFalse();
      JsonNode node = byEndpoint.get(NODE_IP + ":" + nodePort()).path("target");
      assertThat(node.path("kind").asText()).isEqualTo("Node");
      assertThat(node.path("name").asText()).isEqualTo("node-a");
      assertThat(node.has("namespace")).isFalse();
    }

    @Test
    @DisplayName("nmap XML (valid against nmap's DTD): host names and a portolan-target script per host")
    void xml(@TempDir Path dir) throws Exception {
      Path xml = dir.resolve("findings.xml");
      run(dir, "--objects", stream(dir, "cluster.yaml", objects()).toString(), "-oX", xml.toString());

      Document doc = NmapDtd.validate(Files.readString(xml));
      Map<String, String> hostnames = new TreeMap<>();
      Map<String, Map<String, String>> scripts = new TreeMap<>();
      NodeList hosts = doc.getElementsByTagName("host");
      for (int i = 0; i < hosts.getLength(); i++) {
        Element host = (Element) hosts.item(i);
        String ip = ((Element) host.getElementsByTagName("address").item(0)).getAttribute("addr");
        NodeList names = host.getElementsByTagName("hostname");
        assertThat(names.getLength()).as(ip).isEqualTo(1);
        hostnames.put(ip, ((Element) names.item(0)).getAttribute("name"));
        Element script = (Element) host.getElementsByTagName("hostscript").item(0);
        Map<String, String> elems = new TreeMap<>();
        NodeList es = ((Element) script.getElementsByTagName("script").item(0)).getElementsByTagName("elem");
        for (int k = 0; k < es.getLength(); k++) {
          elems.put(((Element) es.item(k)).getAttribute("key"), es.item(k).getTextContent());
        }
        scripts.put(ip, elems);
      }
      assertThat(hostnames).containsExactlyInAnyOrderEntriesOf(Map.of(
          POD_IP, POD + ".shop", SERVICE_IP, "web.shop", NODE_IP, "node-a"));
      assertThat(scripts.get(POD_IP)).containsEntry("kind", "Pod").containsEntry("workload", "Deployment/web")
          .containsEntry("services", "shop/web").containsEntry("node", "node-a").containsEntry("container", "web")
          .containsEntry("portName", "http");
      assertThat(scripts.get(SERVICE_IP)).containsEntry("kind", "Service").containsEntry("name", "web")
          .doesNotContainKey("workload");
      assertThat(scripts.get(NODE_IP)).containsEntry("kind", "Node").containsEntry("name", "node-a")
          .doesNotContainKey("namespace");
    }
  }

  static Stream<Arguments> badSnapshots() {
    return Stream.of(
        Arguments.of("not YAML", "bad.yaml", "kind: Pod\nmetadata: [unclosed\n", "is not a YAML stream of Kubernetes objects"),
        Arguments.of("an object without kind", "nokind.yaml", "apiVersion: v1\nmetadata: {name: x}\n",
            "holds an object without apiVersion and kind"),
        Arguments.of("an item of a List without kind", "list.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: shop}}\n- {metadata: {name: b}}\n",
            "holds an object without apiVersion and kind"),
        Arguments.of("a field of the wrong type", "type.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: shop}\nspec: oops\n",
            "is not a YAML stream of Kubernetes objects: Cannot construct instance of"),
        Arguments.of("an object without metadata.name", "noname.yaml",
            "apiVersion: v1\nkind: Pod\nstatus: {phase: Running, podIP: 127.0.0.2}\n", "holds a Pod without metadata.name"),
        Arguments.of("a NetworkPolicy of the wrong apiVersion", "netpol.yaml",
            "apiVersion: v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n",
            "holds a NetworkPolicy of apiVersion 'v1': a run reads NetworkPolicy objects as networking.k8s.io/v1"),
        Arguments.of("an EndpointSlice of a removed apiVersion", "slice.yaml",
            "apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata: {name: web, namespace: shop}\naddressType: IPv4\n",
            "a run reads EndpointSlice objects as discovery.k8s.io/v1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSnapshots")
  @DisplayName("a snapshot it cannot use is exit 2 with one line naming the file and what is wrong")
  void badSnapshot(String what, String file, String text, String mentions, @TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve(file), text);
    CliRun run = CliRun.of("run", "-f", policy(dir).toString(), "--objects", f.toString());
    assertUsageError(run, f.toString(), mentions);
  }

  @Test
  @DisplayName("a missing file is exit 2 with one line naming it")
  void missingFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("nowhere.yaml");
    CliRun run = CliRun.of("run", "-f", policy(dir).toString(), "--objects", stream(dir, "ok.yaml", objects()).toString(),
        "--objects", f.toString());
    assertUsageError(run, f.toString(), "no such file");
  }

  @Test
  @DisplayName("objects without a namespace are in \"default\", as kubectl apply would put them")
  void defaultNamespace(@TempDir Path dir) throws Exception {
    Path f = stream(dir, "handwritten.yaml", List.of(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, labels: {app: web}}
        spec: {containers: [{name: web, ports: [{containerPort: %d}]}]}
        status: {phase: Running, podIP: %s}
        """.formatted(podPort(), POD_IP),
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {selector: {app: web}, ports: [{port: %d}]}
        """.formatted(podPort()),
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        """));
    Path p = RunCommandTest.policy(dir, "netpol", """
          purpose: segmentation
          targets: {cidrs: ["%s"]}
          ports: "%d"
          retries: 0
          waitSeconds: 1
          validation: {enabled: false}
          expectations: {fromNetworkPolicies: true}
        """.formatted(POD_IP, podPort()));
    CliRun run = CliRun.of("run", "-f", p.toString(), "-q", "--objects", f.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    ScanReport report = RunCommandTest.reports(run.stdout()).get(0);
    assertThat(report.getStatus().findings()).singleElement().satisfies(found -> {
      assertThat(found.target().namespace()).isEqualTo("default");
      assertThat(found.target().services()).containsExactly("default/web");
    });
    assertThat(report.getStatus().violations()).singleElement()
        .satisfies(v -> assertThat(v.networkPolicies()).containsExactly("default/deny"));
  }

  @Test
  @DisplayName("a file that is not UTF-8 text is exit 2 with one line that says so")
  void notText(@TempDir Path dir) throws Exception {
    Path f = Files.write(dir.resolve("latin1.yaml"), "metadata: {name: caf\u00e9}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    CliRun run = CliRun.of("run", "-f", policy(dir).toString(), "--objects", f.toString());
    assertUsageError(run, f.toString(), "not UTF-8 text");
  }

  static void assertUsageError(CliRun run, String file, String mentions) {
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
    assertThat(run.stderr().lines()).as(run.stderr()).hasSize(1);
    assertThat(run.stderr()).startsWith("portolan: ").contains(file).contains(mentions).doesNotContain("\tat ");
    assertThat(run.stdout()).isEmpty();
  }

  @Test
  @DisplayName("objects of kinds a run does not use (a kubectl get all dump) are skipped and counted, and the run goes on")
  void otherKindsSkipped(@TempDir Path dir) throws Exception {
    List<String> docs = new ArrayList<>(objects());
    docs.add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: b}\n");
    docs.add("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n");
    // Knative's Service, which 'kubectl get all' lists too: a custom resource, not a core Service.
    docs.add("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n");
    CliRun run = CliRun.of("run", "-f", policy(dir).toString(), "--objects", stream(dir, "all.yaml", docs).toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("portolan: skipped 3 objects of kinds a run does not use");
    assertThat(RunObjectsTest.targets(RunCommandTest.reports(run.stdout()).get(0))).hasSize(3).doesNotContainValue(null);
  }
}
