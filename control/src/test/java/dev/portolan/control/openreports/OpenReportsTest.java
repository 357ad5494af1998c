package dev.portolan.control.openreports;

import static dev.portolan.control.fixtures.Reports.NAMESPACE;
import static dev.portolan.control.fixtures.Reports.POLICY;
import static dev.portolan.control.fixtures.Reports.RUN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.control.aggregate.ReportAggregator.Evaluation;
import dev.portolan.control.fixtures.Reports;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus.BrokenPath;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.ScanReportStatus.WorkloadRef;
import dev.portolan.crds.v1alpha1.Severity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OpenReports of a finished run")
class OpenReportsTest {
  private static final Instant COMPLETED = Instant.parse("2024-05-01T11:05:00Z");

  private static Target pod(String namespace, String name, String deployment) {
    return new Target("Pod", namespace, name, "uid-" + name, null,
        deployment == null ? null : new WorkloadRef("Deployment", deployment), null, "node-a", null, null, null,
        "2024-05-01T10:59:00Z", Target.EXACT, null);
  }

  private static Target node(String name) {
    return new Target("Node", null, name, "uid-" + name, null, null, null, null, null, null, null, "2024-05-01T10:59:00Z", Target.EXACT, null);
  }

  private static Finding open(String ip, int port, String service, Target t) {
    return Reports.finding(ip, port, service).withTarget(t);
  }

  private static ScanReport run(RunPhase phase) {
    ScanReport r = Reports.main(Reports.plan(1));
    r.getMetadata().setCreationTimestamp("2024-05-01T10:58:00Z");
    r.getMetadata().setUid("run-uid");
    r.getMetadata().setOwnerReferences(List.of(new OwnerReference("portolan.dev/v1alpha1", true, true, "ScanPolicy", POLICY, "policy-uid")));
    ScanReportStatus e = ScanReportStatus.empty();
    r.setStatus(new ScanReportStatus(phase, phase == RunPhase.PartiallySucceeded ? "1 of 2 shards failed: shard 1 on node-b." : null,
        e.observedGeneration(), null, COMPLETED.toString(), null, null, null, null, null, null, null, null, null));
    return r;
  }

  private static GenericKubernetesResource in(List<GenericKubernetesResource> reports, String namespace) {
    return reports.stream().filter(r -> namespace.equals(r.getMetadata().getNamespace())).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> results(GenericKubernetesResource r) {
    return (List<Map<String, Object>>) r.getAdditionalProperties().get("results");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> summary(GenericKubernetesResource r) {
    return (Map<String, Object>) r.getAdditionalProperties().get("summary");
  }

  @Test
  @SuppressWarnings("unchecked")
  @DisplayName("a violation is a fail result in the namespace of the workload it is about, naming the workload first")
  void violationPerNamespace() {
    Finding redis = open("10.244.1.7", 6379, "redis", pod("payments", "cache-7d4b9-x2x", "cache"));
    Finding web = open("10.244.2.3", 443, "https", pod("shop", "web-0", null));
    Evaluation e = new Evaluation(List.of(redis, web),
        List.of(new Violation(redis.ip(), redis.port(), "redis", "no expectation allows port 6379", redis.target(),
            "web-ports", List.of("payments/default-deny"), Severity.high)),
        List.of(), List.of(), true);

    List<GenericKubernetesResource> reports = OpenReports.of(run(RunPhase.Succeeded), e, false, COMPLETED);

    assertThat(reports).extracting(r -> r.getMetadata().getNamespace()).containsExactly("payments", NAMESPACE);
    GenericKubernetesResource payments = in(reports, "payments");
    assertThat(payments.getApiVersion()).isEqualTo("openreports.io/v1alpha1");
    assertThat(payments.getKind()).isEqualTo("Report");
    assertThat(payments.getMetadata().getName()).isEqualTo("portolan." + NAMESPACE + "." + POLICY);
    assertThat(payments.getAdditionalProperties()).containsEntry("source", "portolan");
    assertThat(summary(payments)).containsEntry("fail", 1L).containsEntry("pass", 0L).containsEntry("warn", 0L);
    assertThat(results(payments)).singleElement().satisfies(r -> {
      assertThat(r).containsEntry("result", "fail")
          .containsEntry("severity", "high")
          .containsEntry("rule", "web-ports")
          .containsEntry("category", "Network segmentation")
          .containsEntry("policy", NAMESPACE + "/" + POLICY)
          .containsEntry("source", "portolan")
          .containsEntry("scored", true);
      assertThat(r.get("timestamp")).isEqualTo(Map.of("seconds", Instant.parse("2024-05-01T11:00:00Z").getEpochSecond(), "nanos", 0));
      assertThat((List<Object>) r.get("resources")).containsExactly(
          Map.of("apiVersion", "apps/v1", "kind", "Deployment", "namespace", "payments", "name", "cache"),
          Map.of("apiVersion", "v1", "kind", "Pod", "namespace", "payments", "name", "cache-7d4b9-x2x", "uid", "uid-cache-7d4b9-x2x"));
      assertThat((String) r.get("message"))
          .contains("10.244.1.7:6379/tcp (redis)")
          .contains("Deployment payments/cache")
          .contains("no expectation allows port 6379");
      assertThat((Map<String, Object>) r.get("properties"))
          .containsEntry("ip", "10.244.1.7")
          .containsEntry("port", "6379")
          .containsEntry("networkPolicies", "payments/default-deny")
          .containsEntry("run", RUN);
    });
    // The shop pod's exposure is allowed and passes are off: no Report for shop.
    assertThat(reports).noneMatch(r -> "shop".equals(r.getMetadata().getNamespace()));
    // The policy's own namespace always has its Report, empty when nothing there failed.
    assertThat(results(in(reports, NAMESPACE))).isEmpty();
    assertThat(summary(in(reports, NAMESPACE))).containsEntry("fail", 0L);
  }

  @Test
  @SuppressWarnings("unchecked")
  @DisplayName("results about nodes and unowned addresses go to the policy's namespace; unknown severity reads medium")
  void clusterScopedResults() {
    Finding kubelet = open("10.0.0.5", 10250, "https", node("node-a"));
    Finding stray = open("10.0.9.9", 22, "ssh", null);
    Evaluation e = new Evaluation(List.of(kubelet, stray), List.of(
        new Violation(kubelet.ip(), kubelet.port(), "https", "not allowed", kubelet.target(), null, null, null),
        new Violation(stray.ip(), stray.port(), "ssh", "not allowed", null, null, null, null)), List.of(), List.of(), false);

    List<GenericKubernetesResource> reports = OpenReports.of(run(RunPhase.Succeeded), e, false, COMPLETED);

    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
      assertThat(results(r)).extracting(x -> x.get("severity")).containsOnly("medium");
      assertThat(results(r)).extracting(x -> x.get("rule")).containsOnly("unexpected-exposure");
      assertThat(results(r)).filteredOn(x -> x.containsKey("resources")).singleElement()
          .satisfies(x -> assertThat((List<Object>) x.get("resources"))
              .containsExactly(Map.of("apiVersion", "v1", "kind", "Node", "name", "node-a", "uid", "uid-node-a")));
      // Sorted by address: 10.0.0.5 before 10.0.9.9.
      assertThat(results(r)).extracting(x -> (Object) ((Map<?, ?>) x.get("properties")).get("ip")).containsExactly("10.0.0.5", "10.0.9.9");
    });
  }

  @Test
  @DisplayName("without a nearest expectation the rule says the kind of failure: isolated by NetworkPolicies, or just unexpected")
  void ruleWithoutExpectation() {
    Finding db = open("10.244.3.4", 9187, "http", pod("payments", "db-0", null));
    Evaluation e = new Evaluation(List.of(db), List.of(new Violation(db.ip(), db.port(), "http", "isolated", db.target(), null,
        List.of("payments/default-deny"), Severity.high)), List.of(), List.of(), true);
    assertThat(results(in(OpenReports.of(run(RunPhase.Succeeded), e, false, COMPLETED), "payments")))
        .singleElement().satisfies(r -> assertThat(r).containsEntry("rule", "isolated-but-reachable"));
  }

  @Test
  @DisplayName("passes on request: allowed exposures become pass results, violations stay fails only")
  void passes() {
    Finding ssh = open("10.244.1.7", 22, "ssh", pod("payments", "cache-1", "cache"));
    Finding https = open("10.244.1.7", 443, "https", pod("payments", "cache-1", "cache"));
    Evaluation e = new Evaluation(List.of(ssh, https),
        List.of(new Violation(ssh.ip(), ssh.port(), "ssh", "not allowed", ssh.target(), null, null, Severity.critical)),
        List.of(), List.of(), false);

    assertThat(results(in(OpenReports.of(run(RunPhase.Succeeded), e, false, COMPLETED), "payments")))
        .extracting(r -> r.get("result")).containsExactly("fail");
    GenericKubernetesResource withPasses = in(OpenReports.of(run(RunPhase.Succeeded), e, true, COMPLETED), "payments");
    assertThat(results(withPasses)).extracting(r -> r.get("result"), r -> r.get("rule"), r -> r.get("severity"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("fail", "unexpected-exposure", "critical"),
            org.assertj.core.groups.Tuple.tuple("pass", "expected-exposure", "info"));
    assertThat(summary(withPasses)).containsEntry("pass", 1L).containsEntry("fail", 1L);
  }

  @Test
  @DisplayName("a broken path is a low warn; a partial run adds an error to the policy's namespace saying so")
  void brokenAndPartial() {
    Target db = pod("payments", "db-0", null);
    Evaluation e = new Evaluation(List.of(), List.of(),
        List.of(new BrokenPath("10.244.3.4", 5432, "filtered", db, "Pod payments/db-0 declares port 5432 and the NetworkPolicies allow it, but it did not answer")),
        List.of(), true);

    List<GenericKubernetesResource> reports = OpenReports.of(run(RunPhase.PartiallySucceeded), e, false, COMPLETED);

    assertThat(results(in(reports, "payments"))).singleElement().satisfies(r -> {
      assertThat(r).containsEntry("result", "warn").containsEntry("severity", "low").containsEntry("rule", "blocked-although-allowed");
      assertThat(r.get("timestamp")).isEqualTo(Map.of("seconds", COMPLETED.getEpochSecond(), "nanos", 0));
    });
    assertThat(results(in(reports, NAMESPACE))).singleElement().satisfies(r -> {
      assertThat(r).containsEntry("result", "error").containsEntry("rule", "scope-scanned");
      assertThat((String) r.get("message")).contains("PartiallySucceeded").contains("shard 1 on node-b");
    });
    assertThat(summary(in(reports, NAMESPACE))).containsEntry("error", 1L);
  }

  @Test
  @DisplayName("a Report holds at most MAX_RESULTS results, the most severe first; the summary and an annotation count the rest")
  void bounded() {
    List<Finding> open = new ArrayList<>();
    List<Violation> violations = new ArrayList<>();
    int n = OpenReports.MAX_RESULTS + 100;
    for (int i = 0; i < n; i++) {
      Finding f = open("10.1." + (i / 250) + "." + (i % 250), 8080, "http", pod("payments", "p-" + i, "web"));
      open.add(f);
      violations.add(new Violation(f.ip(), f.port(), "http", "not allowed", f.target(), null, null,
          i == n - 1 ? Severity.critical : Severity.low));
    }
    GenericKubernetesResource r = in(OpenReports.of(run(RunPhase.Succeeded), new Evaluation(open, violations, List.of(), List.of(), false),
        false, COMPLETED), "payments");

    assertThat(results(r)).hasSize(OpenReports.MAX_RESULTS);
    assertThat(results(r).get(0)).containsEntry("severity", "critical");
    assertThat(summary(r)).containsEntry("fail", (long) n);
    assertThat(r.getMetadata().getAnnotations()).containsEntry(OpenReports.DROPPED_ANNOTATION, "100");
    assertThat(r.getAdditionalProperties().get("configuration")).isEqualTo(Map.of("limits", Map.of("maxResults", OpenReports.MAX_RESULTS)));
  }

  @Test
  @DisplayName("labels name the policy and run; only the Report in the run's namespace is owned by the run")
  void metadata() {
    Finding f = open("10.244.1.7", 6379, "redis", pod("payments", "cache-1", null));
    Evaluation e = new Evaluation(List.of(f), List.of(new Violation(f.ip(), f.port(), "redis", "x", f.target(), null, null, null)),
        List.of(), List.of(), false);
    List<GenericKubernetesResource> reports = OpenReports.of(run(RunPhase.Succeeded), e, false, COMPLETED);

    for (GenericKubernetesResource r : reports) {
      assertThat(r.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/managed-by", "portolan")
          .containsEntry("portolan.dev/policy", POLICY)
          .containsEntry("portolan.dev/policy-namespace", NAMESPACE)
          .containsEntry("portolan.dev/run", RUN);
      assertThat(r.getMetadata().getAnnotations()).containsEntry(OpenReports.RUN_CREATED_ANNOTATION, "2024-05-01T10:58:00Z");
    }
    assertThat(in(reports, NAMESPACE).getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> {
          assertThat(o.getApiVersion()).isEqualTo("portolan.dev/v1alpha1");
          assertThat(o.getKind()).isEqualTo("ScanReport");
          assertThat(o.getName()).isEqualTo(RUN);
          assertThat(o.getUid()).isEqualTo("run-uid");
          assertThat(o.getController()).isNull();
        });
    assertThat(in(reports, "payments").getMetadata().getOwnerReferences()).isNullOrEmpty();
  }

  @Test
  @DisplayName("names are unique per policy, valid DNS subdomains, and shortened with a hash when too long")
  void names() {
    assertThat(OpenReports.name("a-b", "c")).isNotEqualTo(OpenReports.name("a", "b-c"));
    String longPolicy = "p".repeat(253);
    String name = OpenReports.name("team", longPolicy);
    assertThat(name).hasSizeLessThanOrEqualTo(253).matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    assertThat(name).isNotEqualTo(OpenReports.name("team", "p".repeat(252)));
  }

  @Test
  @DisplayName("the API version of a workload reference follows its kind")
  void workloadApiVersions() {
    assertThat(OpenReports.apiVersionOf("StatefulSet")).isEqualTo("apps/v1");
    assertThat(OpenReports.apiVersionOf("DaemonSet")).isEqualTo("apps/v1");
    assertThat(OpenReports.apiVersionOf("CronJob")).isEqualTo("batch/v1");
    assertThat(OpenReports.apiVersionOf("Job")).isEqualTo("batch/v1");
  }
}
