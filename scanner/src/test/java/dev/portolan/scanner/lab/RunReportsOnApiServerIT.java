package dev.portolan.scanner.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portolan.scanner.lab.services.LabServices;
import dev.portolan.testkit.KubeApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What {@code portolan run} prints is what a cluster stores: its ScanReports (spec and status) and
 * ScanReportPages, taken as they are from the output of two real runs in {@link SegmentationIT}'s
 * leaky lab (with nginx over HTTP and TLS validated, violations, a broken path, an address index,
 * and a diff against the first run), are accepted by a real API server with our CRDs under strict
 * field validation, and read back unchanged: the schema prunes nothing the run wrote.
 */
@ExtendWith(LabExtension.class)
@DisplayName("portolan run's reports on a real API server")
class RunReportsOnApiServerIT {
  static final String NGINX = "198.18.2.20";
  static final String NAMESPACE = "tools";
  static final String NGINX_POD = """
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: nginx-0
        namespace: blog
        labels: {app.kubernetes.io/name: nginx, app.kubernetes.io/instance: edge}
        ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: nginx, uid: s-nginx, controller: true}]
      spec:
        nodeName: node-1
        containers: [{name: nginx, ports: [{name: http, containerPort: 80}, {name: https, containerPort: 443}]}]
      status: {phase: Running, podIP: 198.18.2.20}
      """;
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  static KubeApi api;
  static KubernetesClient client;
  static LabServices services;
  static Path first;
  static Path second;

  @BeforeAll
  static void runTwiceAndStartTheApiServer(Lab lab) throws Exception {
    api = KubeApi.start();
    client = api.admin();
    api.createNamespace(NAMESPACE);
    api.applyCrds("META-INF/fabric8/scanpolicies.portolan.dev-v1.yml", "META-INF/fabric8/scanreports.portolan.dev-v1.yml",
        "META-INF/fabric8/scanreportpages.portolan.dev-v1.yml");

    SegmentationIT.leakyCni(lab);
    services = new LabServices(lab.targetNamespace(), lab.workDirectory());
    services.nginx(NGINX, 80, 443);
    Path snapshot = SegmentationIT.file(lab, "snapshot.yaml", SegmentationIT.SNAPSHOT + NGINX_POD);
    String validation = "{timeoutSeconds: 5}";
    Path firstPolicy = SegmentationIT.file(lab, "first.yaml", SegmentationIT.policy("{cidrs: [198.18.1.0/24]}", validation));
    Path secondPolicy = SegmentationIT.file(lab, "second.yaml",
        SegmentationIT.policy("{cidrs: [198.18.1.0/24, 198.18.2.0/24], exclude: [198.18.1.99]}", validation));
    first = lab.workDirectory().resolve("first-report.yaml");
    second = lab.workDirectory().resolve("second-report.yaml");
    Lab.Run one = lab.portolan("run", "-f", firstPolicy.toString(), "--objects", snapshot.toString(), "-o", first.toString(), "-q");
    assertThat(one.exitCode()).as(one.stderr()).isZero();
    Lab.Run two = lab.portolan("run", "-f", secondPolicy.toString(), "--objects", snapshot.toString(), "-o", second.toString(),
        "--previous", first.toString(), "-q");
    assertThat(two.exitCode()).as(two.stderr()).isZero();
  }

  @AfterAll
  static void stop() {
    if (services != null) {
      services.close();
    }
    if (api != null) {
      api.close();
    }
  }

  static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(Files.readString(file))) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject()) {
          out.add(doc);
        }
      }
    }
    return out;
  }

  @Test
  @DisplayName("the runs wrote every part of a report: index, targets, TLS, CPEs, violations, a broken path, a diff")
  void theReportsAreRich() throws IOException {
    JsonNode report = documents(second).get(0);
    JsonNode status = report.path("status");
    assertThat(report.path("spec").path("scope").path("vantage").path("kind").asText()).isEqualTo("Pod");
    assertThat(report.path("spec").path("scope").path("watch").size()).isPositive();
    assertThat(status.path("violations").size()).isEqualTo(2);
    assertThat(status.path("brokenPaths").size()).isEqualTo(1);
    assertThat(status.path("diff").path("added").size()).isPositive();
    assertThat(status.path("diff").path("removed").size()).isEqualTo(1);
    assertThat(status.path("index").path("pages").size()).isEqualTo(1);
    assertThat(status.path("conditions").size()).isEqualTo(2);
    JsonNode tls = null;
    for (JsonNode f : status.path("findings")) {
      if (f.has("tls")) {
        tls = f;
      }
    }
    assertThat(tls).as("nginx's TLS port, validated").isNotNull();
    assertThat(tls.path("tls").path("sans").size()).isPositive();
    assertThat(tls.path("cpe").size()).isPositive();
    assertThat(tls.path("target").path("workload").path("kind").asText()).isEqualTo("StatefulSet");
    assertThat(documents(second)).extracting(d -> d.path("spec").path("contents").asText()).contains("Targets", "Findings");
    assertThat(documents(first).get(0).path("status").path("summary").path("unattributed").asInt()).isEqualTo(1);
  }

  @Test
  @DisplayName("kubectl takes the printed YAML as it is, with strict field validation")
  void kubectlTakesItAsItIs() {
    for (Path file : List.of(first, second)) {
      KubeApi.Result r = api.kubectl("create", "--dry-run=server", "--validate=strict", "-f", file.toString(), "-o", "name");
      assertThat(r.code()).as(r.output()).isZero();
      assertThat(r.output()).contains("scanreport.portolan.dev/").contains("scanreportpage.portolan.dev/")
          .doesNotContainIgnoringCase("warning");
    }
  }

  @Test
  @DisplayName("every object, created and given its status through the status subresource, reads back with nothing pruned")
  void storedUnchanged() throws IOException {
    int objects = 0;
    for (Path file : List.of(first, second)) {
      for (JsonNode doc : documents(file)) {
        String kind = doc.path("kind").asText();
        String name = doc.path("metadata").path("name").asText();
        assertThat(doc.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
        GenericKubernetesResource sent = client.getKubernetesSerialization().unmarshal(JSON.writeValueAsString(doc),
            GenericKubernetesResource.class);
        var resources = client.genericKubernetesResources(doc.path("apiVersion").asText(), kind).inNamespace(NAMESPACE);
        GenericKubernetesResource created = resources.resource(sent).fieldValidation(Validation.STRICT).create();
        if (doc.has("status")) {
          sent.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
          resources.resource(sent).fieldValidation(Validation.STRICT).updateStatus();
        }
        JsonNode back = JSON.readTree(client.getKubernetesSerialization().asJson(resources.withName(name).get()));

        List<String> differences = new ArrayList<>();
        for (String part : List.of("spec", "status")) {
          compare(kind + " " + name + " ." + part, doc.path(part), back.path(part), differences);
        }
        compare(kind + " " + name + " .metadata.labels", doc.path("metadata").path("labels"), back.path("metadata").path("labels"),
            differences);
        assertThat(differences).as("what the API server changed").isEmpty();
        objects++;
      }
    }
    assertThat(objects).as("two reports and their pages").isGreaterThanOrEqualTo(6);
  }

  @Test
  @DisplayName("the check has teeth: a status field the schema lacks is refused strictly, and seen as pruned otherwise")
  void unknownFieldsAreCaught() throws IOException {
    JsonNode doc = documents(first).get(0).deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) doc.path("metadata")).put("name", "canary");
    ((com.fasterxml.jackson.databind.node.ObjectNode) doc.path("status").path("summary")).put("notInTheSchema", 1);
    GenericKubernetesResource sent = client.getKubernetesSerialization().unmarshal(JSON.writeValueAsString(doc),
        GenericKubernetesResource.class);
    var resources = client.genericKubernetesResources(doc.path("apiVersion").asText(), "ScanReport").inNamespace(NAMESPACE);
    sent.getMetadata().setResourceVersion(resources.resource(sent).create().getMetadata().getResourceVersion());

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> resources.resource(sent).fieldValidation(Validation.STRICT).updateStatus())
        .isInstanceOfSatisfying(io.fabric8.kubernetes.client.KubernetesClientException.class,
            e -> assertThat(e.getMessage()).contains("notInTheSchema"));
    resources.resource(sent).fieldValidation(Validation.IGNORE).updateStatus();
    List<String> differences = new ArrayList<>();
    compare("status", doc.path("status"), JSON.readTree(client.getKubernetesSerialization().asJson(
        resources.withName("canary").get())).path("status"), differences);
    assertThat(differences).containsExactly("status.summary.notInTheSchema: pruned");
  }

  /** Every field of {@code sent} that {@code back} lacks or holds otherwise (numbers by value), and every field it added. */
  static void compare(String path, JsonNode sent, JsonNode back, List<String> out) {
    if (sent.isNumber() && back.isNumber()) {
      if (sent.decimalValue().compareTo(back.decimalValue()) != 0) {
        out.add(path + ": sent " + sent + ", stored " + back);
      }
      return;
    }
    if (sent.isObject() && back.isObject()) {
      for (Map.Entry<String, JsonNode> e : sent.properties()) {
        if (!back.has(e.getKey())) {
          out.add(path + "." + e.getKey() + ": pruned");
        } else {
          compare(path + "." + e.getKey(), e.getValue(), back.get(e.getKey()), out);
        }
      }
      for (Map.Entry<String, JsonNode> e : back.properties()) {
        if (!sent.has(e.getKey())) {
          out.add(path + "." + e.getKey() + ": added by the server (" + e.getValue() + ")");
        }
      }
      return;
    }
    if (sent.isArray() && back.isArray() && sent.size() == back.size()) {
      for (int i = 0; i < sent.size(); i++) {
        compare(path + "[" + i + "]", sent.get(i), back.get(i), out);
      }
      return;
    }
    if (!sent.equals(back)) {
      out.add(path + ": sent " + sent + ", stored " + back);
    }
  }
}
