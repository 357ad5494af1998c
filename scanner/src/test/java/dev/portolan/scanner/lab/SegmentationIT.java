package dev.portolan.scanner.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportStatus.BrokenPath;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.ScanReportStatus.WorkloadRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A segmentation test against a leaky CNI: the target namespace holds the addresses of the pods of
 * a cluster snapshot, with real listeners, and iptables there enforces only some of the
 * snapshot's NetworkPolicies. {@code portolan run --objects} from the scanner namespace, as a pod
 * in {@code tools} labelled {@code role=scanner}, must report exactly the ports open although a
 * policy isolates them (naming the policies and the workload), exactly the allowed listeners that
 * are blocked, and nothing for the paths the network enforces as declared.
 *
 * <pre>
 *   shop: default-deny (all pods, Ingress); web-from-scanner (app=web admits tools' role=scanner on
 *         the named port http); api-from-web (app=api admits only app=web pods, on 9090)
 *   blog: no policy
 *
 *   pod                     address        listens     the CNI                        expected
 *   shop web-...-a (web)    198.18.1.10    8080 9100   enforces: only 8080 passes     nothing
 *   shop web-...-b (web)    198.18.1.11    8080 9100   drops everything               broken path :8080
 *   shop web-...-c (web)    198.18.1.12    8080 9100   enforces nothing               violation :9100
 *   shop api-...   (api)    198.18.1.20    9090        enforces nothing               violation :9090
 *   shop db-0      (db)     198.18.1.30    5432        enforces: drops everything     nothing
 *   blog wordpress-...      198.18.2.10    80 (443)    no policy                      nothing (443 closed)
 *   (no owner)              198.18.1.99    80          -                              open, unattributed
 * </pre>
 */
@ExtendWith(LabExtension.class)
@DisplayName("NetworkPolicies tested against a leaky CNI in the lab")
class SegmentationIT {
  static final String WEB_A = "198.18.1.10";
  static final String WEB_B = "198.18.1.11";
  static final String WEB_C = "198.18.1.12";
  static final String API = "198.18.1.20";
  static final String DB = "198.18.1.30";
  static final String WORDPRESS = "198.18.2.10";
  static final String STRAY = "198.18.1.99";
  static final String PORTS = "80,443,5432,8080,9090,9100";

  static final String SNAPSHOT = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: tools, labels: {kubernetes.io/metadata.name: tools, team: security}}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop, team: shop}}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: blog, labels: {kubernetes.io/metadata.name: blog}}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: default-deny, namespace: shop}
      spec: {podSelector: {}, policyTypes: [Ingress]}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: web-from-scanner, namespace: shop}
      spec:
        podSelector: {matchLabels: {app: web}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {team: security}}
            podSelector: {matchLabels: {role: scanner}}
          ports:
          - {port: http}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: api-from-web, namespace: shop}
      spec:
        podSelector: {matchLabels: {app: api}}
        ingress:
        - from:
          - podSelector: {matchLabels: {app: web}}
          ports:
          - {port: 9090, protocol: TCP}
      ---
      apiVersion: apps/v1
      kind: ReplicaSet
      metadata:
        name: web-7d4b9c
        namespace: shop
        ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-web, controller: true}]
      ---
      apiVersion: apps/v1
      kind: ReplicaSet
      metadata:
        name: wordpress-6b7f
        namespace: blog
        ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: wordpress, uid: d-wp, controller: true}]
      %s
      %s
      %s
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: api-5c8f-x1
        namespace: shop
        labels: {app: api, pod-template-hash: 5c8f}
        ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-5c8f, uid: rs-api, controller: true}]
      spec:
        nodeName: node-2
        containers: [{name: api, ports: [{name: grpc, containerPort: 9090}]}]
      status: {phase: Running, podIP: 198.18.1.20}
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: db-0
        namespace: shop
        labels: {app: db}
        ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: s-db, controller: true}]
      spec:
        nodeName: node-1
        containers: [{name: postgres, ports: [{name: postgres, containerPort: 5432}]}]
      status: {phase: Running, podIP: 198.18.1.30}
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: wordpress-6b7f-q9
        namespace: blog
        labels: {app: wordpress, pod-template-hash: 6b7f}
        ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: wordpress-6b7f, uid: rs-wp, controller: true}]
      spec:
        nodeName: node-1
        containers: [{name: wordpress, ports: [{name: http, containerPort: 80}, {name: https, containerPort: 443}]}]
      status: {phase: Running, podIP: 198.18.2.10}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 198.18.200.1
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: web-k2x9s, namespace: shop, labels: {kubernetes.io/service-name: web}}
      addressType: IPv4
      endpoints:
      - {addresses: [198.18.1.10], targetRef: {kind: Pod, namespace: shop, name: web-7d4b9c-a}}
      - {addresses: [198.18.1.11], targetRef: {kind: Pod, namespace: shop, name: web-7d4b9c-b}}
      - {addresses: [198.18.1.12], targetRef: {kind: Pod, namespace: shop, name: web-7d4b9c-c}}
      ports: [{name: http, port: 8080, protocol: TCP}]
      """.formatted(webPod("a", WEB_A, "node-1"), webPod("b", WEB_B, "node-2"), webPod("c", WEB_C, "node-3"));

  static String webPod(String suffix, String ip, String node) {
    return """
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-7d4b9c-%s
          namespace: shop
          labels: {app: web, pod-template-hash: 7d4b9c}
          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d4b9c, uid: rs-web, controller: true}]
        spec:
          nodeName: %s
          containers: [{name: web, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9100}]}]
        status: {phase: Running, podIP: %s}""".formatted(suffix, node, ip).strip();
  }

  static String policy(String cidrs) {
    return policy("{cidrs: [" + cidrs + "]}", "{enabled: false}");
  }

  /** The segmentation policy over {@code targets}, validating open ports as {@code validation} says. */
  static String policy(String targets, String validation) {
    return """
        apiVersion: portolan.dev/v1alpha1
        kind: ScanPolicy
        metadata: {name: segmentation, namespace: tools}
        spec:
          purpose: check that the CNI enforces the shop's NetworkPolicies
          targets: %s
          ports: "%s"
          rate: 5000
          retries: 1
          waitSeconds: 1
          validation: %s
          source: {type: Pod, pod: {namespace: tools, labels: {role: scanner}}}
          expectations: {fromNetworkPolicies: true}
        """.formatted(targets, PORTS, validation);
  }

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static Lab.Run run;
  static ScanReport report;
  static List<Map<String, String>> ndjson;
  static Map<String, JsonNode> ndjsonTargets;

  /** The snapshot's pods listening in the lab, behind a CNI that enforces only some of its NetworkPolicies. */
  static void leakyCni(Lab lab) {
    lab.listen(WEB_A + ":8080", WEB_A + ":9100", WEB_B + ":8080", WEB_B + ":9100", WEB_C + ":8080", WEB_C + ":9100",
        API + ":9090", DB + ":5432", WORDPRESS + ":80", STRAY + ":80");
    lab.isolate(WEB_A, 8080); // default-deny and web-from-scanner, as declared
    lab.isolate(WEB_B); // default-deny only: the CNI ignores web-from-scanner's allow
    lab.isolate(DB); // default-deny, as declared
    // web-c and api: the CNI enforces nothing there
  }

  @BeforeAll
  static void scan(Lab lab) throws IOException {
    leakyCni(lab);
    Path snapshot = file(lab, "snapshot.yaml", SNAPSHOT);
    Path policy = file(lab, "policy.yaml", policy("\"198.18.1.0/24\", \"198.18.2.0/24\""));
    Path out = lab.workDirectory().resolve("report.yaml");
    Path json = lab.workDirectory().resolve("findings.ndjson");
    run = lab.portolan("run", "-f", policy.toString(), "--objects", snapshot.toString(), "-o", out.toString(),
        "-oJ", json.toString(), "--fail-on-violation");
    report = reports(Files.readString(out)).get(0);
    ndjson = Ndjson.parse(Files.readString(json));
    ndjsonTargets = new TreeMap<>();
    ObjectMapper mapper = new ObjectMapper();
    for (String line : Files.readAllLines(json)) {
      JsonNode r = mapper.readTree(line);
      if ("port".equals(r.path("type").asText())) {
        ndjsonTargets.put(r.path("ip").asText() + ":" + r.path("port").asInt(), r.path("target"));
      }
    }
  }

  static Path file(Lab lab, String name, String text) throws IOException {
    Path f = Files.writeString(lab.workDirectory().resolve(name), text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    return f;
  }

  static List<ScanReport> reports(String yaml) throws IOException {
    List<ScanReport> out = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(yaml)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if ("ScanReport".equals(doc.path("kind").asText())) {
          out.add(YAML.treeToValue(doc, ScanReport.class));
        }
      }
    }
    return out;
  }

  static Map<String, Violation> violations() {
    return report.getStatus().violations() == null ? Map.of()
        : report.getStatus().violations().stream().collect(Collectors.toMap(v -> v.ip() + ":" + v.port(), v -> v, (a, b) -> a, TreeMap::new));
  }

  static Map<String, BrokenPath> brokenPaths() {
    return report.getStatus().brokenPaths() == null ? Map.of()
        : report.getStatus().brokenPaths().stream().collect(Collectors.toMap(b -> b.ip() + ":" + b.port(), b -> b, (a, b) -> a, TreeMap::new));
  }

  @Test
  @DisplayName("exits 3 (--fail-on-violation) with every open port found, attributed, in the report and the NDJSON alike")
  void openPorts() {
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(3);
    assertThat(run.stderr()).contains("evaluated as for a pod in tools with labels {role=scanner}");
    List<String> open = List.of(WEB_A + ":8080", WEB_C + ":8080", WEB_C + ":9100", STRAY + ":80", API + ":9090", WORDPRESS + ":80");
    assertThat(report.getStatus().findings()).extracting(Finding::key).containsExactlyInAnyOrderElementsOf(open);
    assertThat(Ndjson.endpoints(ndjson, "open")).containsExactlyInAnyOrderElementsOf(open);
    assertThat(Ndjson.endpoints(ndjson, "filtered")).isEmpty();
    assertThat(report.getStatus().summary().open()).isEqualTo(6);
    assertThat(report.getStatus().summary().unattributed()).as("the stray listener no object owns").isEqualTo(1);
    assertThat(report.getStatus().summary().byWorkloadKind()).containsExactlyInAnyOrderEntriesOf(Map.of("Deployment", 5L));
    assertThat(ndjsonTargets.get(STRAY + ":80").isMissingNode()).isTrue();
  }

  @Test
  @DisplayName("violations: exactly the ports open although isolated, naming the NetworkPolicies and the workload")
  void violationsAreTheLeaks() {
    Map<String, Violation> v = violations();
    assertThat(v.keySet()).containsExactly(WEB_C + ":9100", API + ":9090");
    assertThat(report.getStatus().summary().violations()).isEqualTo(2);

    Violation metrics = v.get(WEB_C + ":9100");
    assertThat(metrics.networkPolicies()).containsExactly("shop/default-deny", "shop/web-from-scanner");
    assertThat(metrics.target().kind()).isEqualTo("Pod");
    assertThat(metrics.target().name()).isEqualTo("web-7d4b9c-c");
    assertThat(metrics.target().workload()).isEqualTo(new WorkloadRef("Deployment", "web"));
    assertThat(metrics.target().services()).containsExactly("shop/web");
    assertThat(metrics.target().portName()).isEqualTo("metrics");
    assertThat(metrics.severity()).hasToString("high");
    assertThat(metrics.reason())
        .startsWith("Deployment shop/web port 9100")
        .contains("NetworkPolicies shop/default-deny and shop/web-from-scanner isolate it and allow only port 8080")
        .contains("from a pod in tools labelled role=scanner")
        .endsWith("the network does not enforce them");

    Violation api = v.get(API + ":9090");
    assertThat(api.networkPolicies()).containsExactly("shop/api-from-web", "shop/default-deny");
    assertThat(api.target().name()).isEqualTo("api-5c8f-x1");
    assertThat(api.target().workload()).as("from the pod-template-hash, without the ReplicaSet object")
        .isEqualTo(new WorkloadRef("Deployment", "api"));
    assertThat(api.reason()).startsWith("Deployment shop/api port 9090").contains("allow no port from a pod in tools");

    // The NDJSON names the same workloads for the same ports.
    assertThat(ndjsonTargets.get(WEB_C + ":9100").path("workload").path("name").asText()).isEqualTo("web");
    assertThat(ndjsonTargets.get(WEB_C + ":9100").path("portName").asText()).isEqualTo("metrics");
    assertThat(ndjsonTargets.get(API + ":9090").path("workload").path("name").asText()).isEqualTo("api");
    assertThat(ndjsonTargets.get(API + ":9090").path("namespace").asText()).isEqualTo("shop");
  }

  @Test
  @DisplayName("broken paths: exactly the allowed, listening ports the network blocks")
  void brokenPathsAreTheOverBlocks() {
    Map<String, BrokenPath> b = brokenPaths();
    assertThat(b.keySet()).containsExactly(WEB_B + ":8080");
    assertThat(report.getStatus().summary().brokenPaths()).isEqualTo(1);
    BrokenPath web = b.get(WEB_B + ":8080");
    assertThat(web.state()).isEqualTo(Finding.FILTERED);
    assertThat(web.target().name()).isEqualTo("web-7d4b9c-b");
    assertThat(web.target().workload()).isEqualTo(new WorkloadRef("Deployment", "web"));
    assertThat(web.reason()).contains("declares port 8080 (http)").contains("shop/web-from-scanner ingress rule 1 (ports 8080)")
        .endsWith("the path is blocked although allowed");
    assertThat(ndjsonTargets).as("a blocked port is no open finding").doesNotContainKey(WEB_B + ":8080");
  }

  @Test
  @DisplayName("the paths the network enforces as declared give neither violations nor broken paths")
  void enforcedPathsAreQuiet(Lab lab) throws IOException {
    for (String quiet : List.of(WEB_A, DB, WORDPRESS, STRAY)) {
      assertThat(violations().keySet()).as(quiet).noneMatch(k -> k.startsWith(quiet + ":"));
      assertThat(brokenPaths().keySet()).as(quiet).noneMatch(k -> k.startsWith(quiet + ":"));
    }
    assertThat(report.getStatus().findings()).extracting(Finding::key).as("the blocked 9100, the isolated database")
        .doesNotContain(WEB_A + ":9100", DB + ":5432");

    // Scanning only those pods, the run passes --fail-on-violation.
    Path policy = file(lab, "enforced.yaml", policy("\"" + WEB_A + "\", \"" + DB + "\", \"" + WORDPRESS + "\""));
    Path json = lab.workDirectory().resolve("enforced.ndjson");
    Lab.Run enforced = lab.portolan("run", "-f", policy.toString(), "--objects", lab.workDirectory().resolve("snapshot.yaml").toString(),
        "-oJ", json.toString(), "--fail-on-violation", "-q");
    assertThat(enforced.exitCode()).as(enforced.stderr()).isZero();
    ScanReport r = reports(enforced.stdout()).get(0);
    assertThat(r.getStatus().violations()).isNull();
    assertThat(r.getStatus().brokenPaths()).isNull();
    assertThat(r.getStatus().summary().violations()).isZero();
    assertThat(r.getStatus().summary().brokenPaths()).isZero();
    assertThat(Ndjson.endpoints(Ndjson.parse(Files.readString(json)), "open"))
        .containsExactlyInAnyOrder(WEB_A + ":8080", WORDPRESS + ":80");
  }
}
