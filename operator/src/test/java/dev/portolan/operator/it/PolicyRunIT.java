package dev.portolan.operator.it;

import static dev.portolan.operator.support.FakeAgent.finding;
import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.operator.PortolanOperator;
import dev.portolan.operator.support.FakeAgent;
import dev.portolan.operator.support.Harness;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A policy from apply to a completed run, with agents simulated by the writes a real agent makes.
 *
 * <p>What the mock cannot prove here, and a real API server must: that the generated schema
 * accepts every object the operator writes (the mock validates nothing); that the agents' merge
 * patches and the operator's run under real resourceVersion semantics on /status; that pages stay
 * under the real object size limit; that the operator's RBAC suffices.
 */
@DisplayName("a policy runs to a completed report")
class PolicyRunIT {
  private static Harness h;
  private static PortolanOperator operator;

  @BeforeAll
  static void start() {
    h = new Harness("run");
    h.readyAgents("node-a", "node-b");
    operator = h.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  @DisplayName("apply -> planned run -> agents report -> Succeeded report, policy status, Events and metrics")
  void fullRun() throws Exception {
    h.apply(policy("payments", h.ns).cidrs("10.20.0.0/30").ports("22,80,443").allow("80,443").build());
    String run = "payments-g1";
    ScanReport report = h.awaitReport(run, r -> r.getSpec().shards() != null && r.getSpec().shards().size() == 2);

    assertThat(report.getMetadata().getLabels())
        .containsEntry(ScanReport.POLICY_LABEL, "payments").containsEntry(ScanReport.RUN_LABEL, run)
        // Each agent watches the runs labelled with its node.
        .containsEntry(dev.portolan.control.run.RunNames.nodeLabel("node-a"), "true")
        .containsEntry(dev.portolan.control.run.RunNames.nodeLabel("node-b"), "true");
    assertThat(report.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("ScanPolicy"));
    var audit = report.getSpec().audit();
    assertThat(audit.purpose()).isEqualTo("Segmentation check of the payment network");
    assertThat(audit.trigger()).isEqualTo("spec-change");
    assertThat(audit.createdBy()).isEqualTo("portolan-operator");
    assertThat(audit.policyGeneration()).isEqualTo(1L);
    assertThat(audit.policySpecHash()).startsWith("sha256:");
    assertThat(audit.guard().allowedCidrs()).contains("10.0.0.0/8");
    assertThat(report.getSpec().scope().cidrs()).containsExactly("10.20.0.0/30");
    assertThat(report.getSpec().scope().probes()).isEqualTo(12L);
    assertThat(report.getSpec().scope().seed()).isNotNull();
    assertThat(report.getSpec().shards()).extracting(s -> s.node()).containsExactly("node-a", "node-b");
    assertThat(report.getSpec().shards()).extracting(s -> s.rate()).containsExactly(50L, 50L);

    FakeAgent agent = h.agent();
    agent.start(run, 0, "node-a", 6);
    agent.start(run, 1, "node-b", 6);
    h.awaitReport(run, r -> RunPhase.Running.equals(r.getStatus().phase()));
    agent.finish(run, 0, "node-a", 6, List.of(finding("10.20.0.1", 80, "http"), finding("10.20.0.1", 22, "ssh")));
    agent.finish(run, 1, "node-b", 6, List.of(finding("10.20.0.2", 443, "https")));

    ScanReport done = h.awaitReport(run, r -> RunPhase.Succeeded.equals(r.getStatus().phase()));
    ScanReportStatus s = done.getStatus();
    assertThat(s.summary().open()).isEqualTo(3L);
    assertThat(s.summary().violations()).isEqualTo(1L);
    assertThat(s.violations()).singleElement().satisfies(v -> assertThat(v.port()).isEqualTo(22));
    assertThat(s.findings()).extracting(Finding::key).containsExactly("10.20.0.1:22", "10.20.0.1:80", "10.20.0.2:443");
    assertThat(s.pages()).containsExactly(run + "-s0-p1", run + "-s1-p1");
    assertThat(s.shards()).containsOnlyKeys("0", "1");
    assertThat(s.conditions()).extracting(Condition::type, Condition::status)
        .containsExactlyInAnyOrder(tuple("Complete", "True"), tuple(Condition.READY, "True"));

    ScanPolicy policy = h.awaitPolicy("payments", p -> p.getStatus() != null && p.getStatus().lastRun() != null);
    assertThat(policy.getStatus().lastRun().report()).isEqualTo(run);
    assertThat(policy.getStatus().lastRun().result()).isEqualTo("3 open, 1 violation");
    assertThat(policy.getStatus().activeRun()).isNull();
    assertThat(policy.getStatus().observedGeneration()).isEqualTo(1L);
    assertThat(policy.getStatus().workload().probes()).isEqualTo(12L);
    assertThat(policy.getStatus().conditions()).extracting(Condition::type).containsExactly("Accepted", "Scheduled", "Running", Condition.READY);
    assertThat(policy.getStatus().conditions()).filteredOn(c -> Condition.READY.equals(c.type())).singleElement()
        .satisfies(c -> {
          assertThat(c.status()).isEqualTo("True");
          assertThat(c.reason()).isEqualTo("LastRunSucceeded");
          assertThat(c.message()).contains(run);
        });
    assertThat(policy.getStatus().conditions()).allSatisfy(c -> {
      assertThat(c.lastTransitionTime()).isNotNull();
      assertThat(c.observedGeneration()).isEqualTo(1L);
      assertThat(c.reason()).matches("[A-Z][A-Za-z]+");
    });

    if (h.cluster.hasCoreApi()) {
      await().atMost(Harness.WAIT).untilAsserted(() -> {
        assertThat(h.events("payments", "RunCompleted")).hasSize(1);
        assertThat(h.events("payments", "ExpectationViolated")).singleElement()
            .satisfies(e -> assertThat(e.getMessage()).contains("10.20.0.1:22").startsWith("1 open port violates"));
      });
      assertThat(h.events("payments", "NewExposure")).as("the first run has no baseline").isEmpty();
    }

    HttpClient http = HttpClient.newHttpClient();
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    String labels = "{namespace=\"" + h.ns + "\",policy=\"payments\"}";
    assertThat(metrics)
        .contains("portolan_open_ports" + labels + " 3.0")
        .contains("portolan_violations" + labels + " 1.0")
        .contains("portolan_runs_total{namespace=\"" + h.ns + "\",policy=\"payments\",result=\"Succeeded\"} 1.0")
        .contains("portolan_runs_total{namespace=\"" + h.ns + "\",policy=\"payments\",result=\"Failed\"} 0.0")
        .containsPattern("portolan_last_success_timestamp_seconds\\{namespace=\"" + h.ns + "\",policy=\"payments\"} 1\\.[0-9]+E9")
        .contains("portolan_reconcile_errors_total{controller=\"scanreport\"}")
        .contains("portolan_probes_sent_total" + labels + " 12.0")
        .contains("portolan_scan_duration_seconds" + labels)
        .contains("portolan_reconciliations_total{controller=\"scanpolicy\"}")
        .doesNotContain("10.20.0.");
    for (String path : List.of("/healthz", "/readyz")) {
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + path)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("two agents writing their shards at the same time never clobber each other, nor does the operator")
  void concurrentShardWrites() {
    h.apply(policy("concurrent", h.ns).cidrs("10.21.0.0/28").ports("80").build());
    String run = "concurrent-g1";
    h.awaitReport(run, r -> r.getSpec().shards() != null && r.getSpec().shards().size() == 2);
    FakeAgent agent = h.agent();
    int updates = 30;
    CompletableFuture<?>[] writers = new CompletableFuture<?>[2];
    for (int shard = 0; shard < 2; shard++) {
      int index = shard;
      String node = shard == 0 ? "node-a" : "node-b";
      writers[shard] = CompletableFuture.runAsync(() -> {
        for (int i = 1; i <= updates; i++) {
          agent.progress(run, index, node, i, updates, i);
        }
      });
    }
    CompletableFuture.allOf(writers).join();
    ScanReport r = h.awaitReport(run, x -> x.getStatus() != null && x.getStatus().shards() != null && x.getStatus().shards().size() == 2);
    assertThat(r.getStatus().shards().get("0").position()).isEqualTo(updates);
    assertThat(r.getStatus().shards().get("1").position()).isEqualTo(updates);
    // The operator keeps aggregating meanwhile, and its writes leave both entries alone.
    h.awaitReport(run, x -> x.getStatus().summary() != null && x.getStatus().summary().probesSent() == 2L * updates);
    assertThat(h.report(run).getStatus().shards()).containsOnlyKeys("0", "1");
  }

  @Test
  @DisplayName("a status edited by hand is put back as the shards and pages say")
  void handEditedStatusIsCorrected() {
    h.apply(policy("tampered", h.ns).cidrs("10.22.0.0/30").ports("22").allow("443").build());
    String run = "tampered-g1";
    h.awaitReport(run, r -> r.getSpec().shards() != null && r.getSpec().shards().size() == 2);
    FakeAgent agent = h.agent();
    agent.finish(run, 0, "node-a", 2, List.of(finding("10.22.0.1", 22, "ssh")));
    agent.finish(run, 1, "node-b", 2, List.of());
    ScanReport done = h.awaitReport(run, r -> RunPhase.Succeeded.equals(r.getStatus().phase()));
    assertThat(done.getStatus().summary().violations()).isEqualTo(1L);

    // Someone hides the violation and makes the run look clean.
    h.client.resources(ScanReport.class).inNamespace(h.ns).withName(run).subresource("status").patch(
        PatchContext.of(PatchType.JSON_MERGE),
        "{\"status\":{\"violations\":null,\"message\":\"all good\",\"summary\":{\"violations\":0,\"open\":0}}}");

    ScanReport fixed = h.awaitReport(run, r -> r.getStatus().violations() != null && r.getStatus().summary().violations() == 1L
        && r.getStatus().summary().open() == 1L);
    assertThat(fixed.getStatus().message()).isEqualTo(done.getStatus().message());
    assertThat(fixed.getStatus().shards()).containsOnlyKeys("0", "1");
  }

  @Test
  @DisplayName("a run with thousands of findings is paged, and the main report stays bounded")
  void manyFindingsArePaged() {
    h.apply(policy("large", h.ns).cidrs("10.30.0.0/20").ports("80,443").build());
    String run = "large-g1";
    h.awaitReport(run, r -> r.getSpec().shards() != null && r.getSpec().shards().size() == 2);
    List<Finding> first = new ArrayList<>();
    List<Finding> second = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      String ip = "10.30." + (i / 250) + "." + (i % 250 + 1);
      (i % 2 == 0 ? first : second).add(finding(ip, i % 3 == 0 ? 443 : 80, i % 3 == 0 ? "https" : "http"));
    }
    FakeAgent agent = h.agent();
    agent.finish(run, 0, "node-a", 4096 * 2, first);
    agent.finish(run, 1, "node-b", 4096 * 2, second);

    ScanReport done = h.awaitReport(run, r -> RunPhase.Succeeded.equals(r.getStatus().phase()));
    assertThat(h.pages(run)).hasSize(4);
    assertThat(done.getStatus().pages()).containsExactly(run + "-s0-p1", run + "-s0-p2", run + "-s1-p1", run + "-s1-p2");
    assertThat(done.getStatus().summary().open()).isEqualTo(2500L);
    assertThat(done.getStatus().findings()).as("too many to keep inline").isNull();
    assertThat(done.getStatus().summary().byService()).containsEntry("https", 834L).containsEntry("http", 1666L);
  }
}
