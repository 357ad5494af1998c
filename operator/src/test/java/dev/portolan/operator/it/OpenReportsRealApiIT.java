package dev.portolan.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.control.aggregate.ReportAggregator.Evaluation;
import dev.portolan.control.openreports.OpenReports;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus.BrokenPath;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.ScanReportStatus.WorkloadRef;
import dev.portolan.crds.v1alpha1.Severity;
import dev.portolan.operator.cluster.OpenReportsWriter;
import dev.portolan.testkit.KubeApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * OpenReports on a real API server (e2e/kubeapi) with the OpenReports Report CRD as published:
 * every Report Portolan writes is accepted by the real schema (enums, required fields, the
 * timestamp object) and reads back unchanged, nothing pruned; the writer replaces a policy's
 * Reports across namespaces, never lets an older run replace a newer one's, and deletes them all.
 * Before the CRD exists the writer sees that the cluster does not serve Reports (404) and writes
 * nothing.
 */
@DisplayName("OpenReports on a real API server")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenReportsRealApiIT {
  private static final String POLICY_NS = "security";
  private static final String POLICY = "quarterly";
  private static KubeApi api;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = KubeApi.start();
    client = api.admin();
    for (String ns : List.of(POLICY_NS, "payments", "shop")) {
      api.createNamespace(ns);
    }
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  private static Target pod(String ns, String name, String deployment) {
    return new Target("Pod", ns, name, "0b6f9a4e-0000-4000-8000-" + String.format("%012d", Math.abs(name.hashCode())), null,
        deployment == null ? null : new WorkloadRef("Deployment", deployment), List.of(ns + "/" + name), "node-a",
        Map.of("app", name), null, null, "2026-12-04T10:00:00Z", Target.EXACT, null);
  }

  private static ScanReport run(String name, String created, RunPhase phase) {
    ScanReport r = new ScanReport();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(POLICY_NS).withCreationTimestamp(created).build());
    r.setSpec(new ScanReportSpec(POLICY, name, null, null, List.of()));
    ScanReportStatus e = ScanReportStatus.empty();
    r.setStatus(new ScanReportStatus(phase, phase == RunPhase.PartiallySucceeded ? "1 of 2 shards failed." : null, null, null,
        "2026-12-04T10:05:00Z", null, null, null, null, null, null, null, null, null));
    return r;
  }

  /** A run with every kind of result: fails of every severity, a warn, passes, an error, cluster-scoped ones. */
  private static List<GenericKubernetesResource> everyKind(ScanReport run) {
    List<Finding> open = new ArrayList<>();
    List<Violation> violations = new ArrayList<>();
    Severity[] severities = Severity.values();
    for (int i = 0; i < 1200; i++) {
      Target t = pod(i % 2 == 0 ? "payments" : "shop", "web-" + i, i % 3 == 0 ? null : "web");
      Finding f = new Finding("10.244." + (i / 200) + "." + (i % 200), 8000 + (i % 7), "http", "nginx", "1.26.3", null, null, "10",
          "HTTP/1.1 200 OK", null, null, "node-a", "2026-12-04T10:01:02.345678901Z").withTarget(t);
      open.add(f);
      if (i % 2 == 0) {
        violations.add(new Violation(f.ip(), f.port(), "http", "no expectation allows port " + f.port(), t, "web", i % 4 == 0
            ? List.of("payments/default-deny") : null, severities[i % severities.length]));
      }
    }
    Target node = new Target("Node", null, "node-a", "uid-node-a", null, null, null, null, null, null, null, null, null, null);
    Finding kubelet = new Finding("10.0.0.5", 10250, "https", null, null, null, null, null, null, null, null, "node-a", null).withTarget(node);
    open.add(kubelet);
    violations.add(new Violation(kubelet.ip(), kubelet.port(), "https", "nodes expose nothing", node, null, null, Severity.high));
    List<BrokenPath> broken = List.of(new BrokenPath("10.244.9.9", 5432, "filtered", pod("payments", "db-0", null), "blocked although allowed"));
    return OpenReports.of(run, new Evaluation(open, violations, broken, List.of(), true), true, Instant.parse("2026-12-04T10:05:00Z"));
  }

  @Test
  @Order(1)
  @DisplayName("without the CRD the cluster does not serve Reports and nothing is written")
  void notServed() {
    OpenReportsWriter writer = new OpenReportsWriter(client, Clock.systemUTC());
    assertThat(writer.served()).isFalse();
    assertThat(writer.replace(POLICY_NS, POLICY, Instant.now(), everyKind(run("quarterly-g1", "2026-12-04T10:00:00Z", RunPhase.Succeeded))))
        .isEqualTo(OpenReportsWriter.Outcome.NOT_SERVED);
  }

  @Test
  @Order(2)
  @DisplayName("every Report is accepted by the published schema and reads back unchanged")
  void acceptedAsWritten() throws Exception {
    installCrd();
    List<GenericKubernetesResource> reports = everyKind(run("quarterly-g1", "2026-12-04T10:00:00Z", RunPhase.PartiallySucceeded));
    assertThat(reports).extracting(r -> r.getMetadata().getNamespace()).containsExactly("payments", POLICY_NS, "shop");
    ObjectMapper json = new ObjectMapper();
    for (GenericKubernetesResource r : reports) {
      GenericKubernetesResource created = client.genericKubernetesResources(OpenReports.API_VERSION, OpenReports.KIND)
          .inNamespace(r.getMetadata().getNamespace()).resource(r).create();
      // Through text, so a long and an int of the same value compare equal.
      JsonNode sent = json.readTree(json.writeValueAsString(r.getAdditionalProperties()));
      JsonNode stored = json.readTree(json.writeValueAsString(created.getAdditionalProperties()));
      assertThat(stored).as("what the API server stored for %s", r.getMetadata().getNamespace()).isEqualTo(sent);
      assertThat(created.getMetadata().getLabels()).isEqualTo(r.getMetadata().getLabels());
      client.genericKubernetesResources(OpenReports.API_VERSION, OpenReports.KIND)
          .inNamespace(r.getMetadata().getNamespace()).withName(r.getMetadata().getName()).delete();
    }
    GenericKubernetesResource payments = reports.get(0);
    assertThat(((List<?>) payments.getAdditionalProperties().get("results"))).hasSize(OpenReports.MAX_RESULTS);
    // kubectl shows the counts in its columns, as it does for Policy Reporter's other sources.
    KubeApi.Result table = api.kubectl("get", "reports.openreports.io", "-n", POLICY_NS, "--no-headers");
    assertThat(table.code()).isZero();
  }

  @Test
  @Order(3)
  @DisplayName("the writer replaces a policy's Reports across namespaces, refuses to let an older run win, and deletes them all")
  void replaceAndDelete() throws Exception {
    installCrd();
    OpenReportsWriter writer = new OpenReportsWriter(client, Clock.systemUTC());
    assertThat(writer.served()).isTrue();
    assertThat(writer.replace(POLICY_NS, POLICY, Instant.parse("2026-12-04T10:00:00Z"),
        everyKind(run("quarterly-g1", "2026-12-04T10:00:00Z", RunPhase.Succeeded)))).isEqualTo(OpenReportsWriter.Outcome.WRITTEN);
    assertThat(namespacesWithReports()).containsExactly("payments", POLICY_NS, "shop");

    // The next run found nothing: only the policy's own Report stays, now the new run's.
    ScanReport next = run("quarterly-g2", "2026-12-04T11:00:00Z", RunPhase.Succeeded);
    List<GenericKubernetesResource> clean = OpenReports.of(next, new Evaluation(List.of(), List.of(), List.of(), List.of(), false), false,
        Instant.parse("2026-12-04T11:05:00Z"));
    assertThat(writer.replace(POLICY_NS, POLICY, Instant.parse("2026-12-04T11:00:00Z"), clean)).isEqualTo(OpenReportsWriter.Outcome.WRITTEN);
    assertThat(namespacesWithReports()).containsExactly(POLICY_NS);
    GenericKubernetesResource own = client.genericKubernetesResources(OpenReports.API_VERSION, OpenReports.KIND)
        .inNamespace(POLICY_NS).withName(OpenReports.name(POLICY_NS, POLICY)).get();
    assertThat(own.getMetadata().getLabels()).containsEntry(OpenReports.RUN_LABEL, "quarterly-g2");

    // A slow older run ending now does not put its results back.
    assertThat(writer.replace(POLICY_NS, POLICY, Instant.parse("2026-12-04T10:30:00Z"),
        everyKind(run("quarterly-g1b", "2026-12-04T10:30:00Z", RunPhase.Succeeded)))).isEqualTo(OpenReportsWriter.Outcome.SUPERSEDED);
    assertThat(namespacesWithReports()).containsExactly(POLICY_NS);

    // Pruning the old run leaves the new run's Reports; pruning the new one takes them.
    writer.deleteRun(POLICY_NS, POLICY, "quarterly-g1");
    assertThat(namespacesWithReports()).containsExactly(POLICY_NS);
    writer.deleteRun(POLICY_NS, POLICY, "quarterly-g2");
    assertThat(namespacesWithReports()).isEmpty();

    writer.replace(POLICY_NS, POLICY, Instant.parse("2026-12-04T12:00:00Z"),
        everyKind(run("quarterly-g3", "2026-12-04T12:00:00Z", RunPhase.Succeeded)));
    writer.deleteAll(POLICY_NS, POLICY);
    assertThat(namespacesWithReports()).isEmpty();
  }

  private static List<String> namespacesWithReports() {
    return client.genericKubernetesResources(OpenReports.API_VERSION, OpenReports.KIND).inAnyNamespace()
        .withLabel(OpenReports.POLICY_NAMESPACE_LABEL, POLICY_NS).list().getItems().stream()
        .map(r -> r.getMetadata().getNamespace()).sorted().toList();
  }

  private static void installCrd() throws Exception {
    try (InputStream in = OpenReportsRealApiIT.class.getResourceAsStream("/openreports/reports.openreports.io.yaml")) {
      api.applyCrd(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class));
    }
  }
}
