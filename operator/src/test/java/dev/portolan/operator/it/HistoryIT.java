package dev.portolan.operator.it;

import static dev.portolan.operator.support.FakeAgent.finding;
import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Endpoint;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.operator.support.Harness;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs compared with the previous one, and old runs deleted with their pages.
 *
 * <p>What the mock cannot prove: that a real API server without a garbage collector keeps no
 * page behind (the pages are deleted explicitly here too, and the mock has no GC either, so this
 * test does prove the explicit deletion); deletion under real RBAC.
 */
@DisplayName("run history")
class HistoryIT {
  private static Harness h;

  @BeforeAll
  static void start() {
    h = new Harness("history");
    h.readyAgents("node-a");
    h.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static ScanReport run(String policy, int generation, String ports, List<Finding> findings) {
    h.apply(policy(policy, h.ns).cidrs("10.40.0.0/29").ports(ports).allow("80").historyLimit(2).build());
    String run = policy + "-g" + generation;
    h.awaitReport(run, r -> r.getSpec().shards() != null && !r.getSpec().shards().isEmpty());
    h.agent().finish(run, 0, "node-a", 16, findings);
    return h.awaitReport(run, r -> RunPhase.Succeeded.equals(r.getStatus().phase()));
  }

  @Test
  @DisplayName("diff and violations against the previous run; history pruned to the limit, pages too")
  void diffAndPrune() {
    String p = "office";
    ScanReport g1 = run(p, 1, "22,80", List.of(finding("10.40.0.1", 22, "ssh"), finding("10.40.0.1", 80, "http")));
    assertThat(g1.getStatus().diff()).isNull();
    assertThat(g1.getStatus().summary().violations()).isEqualTo(1L);

    ScanReport g2 = run(p, 2, "22,80,443", List.of(finding("10.40.0.1", 80, "http"), finding("10.40.0.2", 443, "https")));
    assertThat(g2.getStatus().diff().previousReport()).isEqualTo(p + "-g1");
    assertThat(g2.getStatus().diff().added()).extracting(Endpoint::ip, Endpoint::port).containsExactly(org.assertj.core.groups.Tuple.tuple("10.40.0.2", 443));
    assertThat(g2.getStatus().diff().removed()).extracting(Endpoint::port).containsExactly(22);
    assertThat(g2.getStatus().summary().newExposures()).isEqualTo(1L);
    assertThat(g2.getStatus().summary().closedExposures()).isEqualTo(1L);
    assertThat(g2.getStatus().violations()).extracting(v -> v.port()).containsExactly(443);
    if (h.cluster.hasCoreApi()) {
      await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(h.events(p, "NewExposure")).singleElement()
          .satisfies(e -> assertThat(e.getMessage()).contains("10.40.0.2:443 (https)").contains(p + "-g1")));
    }

    ScanReport g3 = run(p, 3, "22,80", List.of(finding("10.40.0.1", 80, "http")));
    run(p, 4, "80", List.of(finding("10.40.0.1", 80, "http")));

    await().atMost(Harness.WAIT).untilAsserted(() -> {
      assertThat(h.runs(p)).extracting(r -> r.getMetadata().getName()).containsExactlyInAnyOrder(p + "-g3", p + "-g4");
      assertThat(h.pages(p + "-g1")).isEmpty();
      assertThat(h.pages(p + "-g2")).isEmpty();
    });
    assertThat(h.pages(p + "-g4")).hasSize(1);
    // g3 was compared with g2 when it ended; deleting g2 does not undo that comparison.
    ScanReport g3now = h.report(p + "-g3");
    assertThat(g3now.getStatus().diff()).isEqualTo(g3.getStatus().diff());
    assertThat(g3now.getStatus().summary().newExposures()).isEqualTo(g3.getStatus().summary().newExposures());
    assertThat(h.policy(p).getStatus().lastRun().report()).isEqualTo(p + "-g4");
  }

  @Test
  @DisplayName("a deleted policy takes its runs and their pages with it, with no garbage collector's help")
  void deletedPolicy() {
    String p = "retired";
    run(p, 1, "80", List.of(finding("10.40.0.1", 80, "http")));
    h.apply(policy(p, h.ns).cidrs("10.40.0.0/29").ports("22").build());
    h.awaitReport(p + "-g2", r -> true);
    assertThat(h.pages(p + "-g1")).hasSize(1);

    h.client.resources(dev.portolan.crds.v1alpha1.ScanPolicy.class).inNamespace(h.ns).withName(p).delete();
    await().atMost(Harness.WAIT).untilAsserted(() -> {
      assertThat(h.policy(p)).isNull();
      assertThat(h.runs(p)).isEmpty();
      assertThat(h.pages(p + "-g1")).isEmpty();
    });
  }
}
