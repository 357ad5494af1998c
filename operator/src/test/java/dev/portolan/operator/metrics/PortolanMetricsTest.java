package dev.portolan.operator.metrics;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus.RunSummary;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PortolanMetrics")
class PortolanMetricsTest {
  private static ScanPolicy withLastRun(String name, long open, long violations) {
    ScanPolicy p = policy(name, "shop").build();
    p.setStatus(new ScanPolicyStatus(1L, null, null,
        new RunSummary(name + "-g1", RunPhase.Succeeded, "2026-03-10T10:00:00Z", "2026-03-10T10:01:30Z", open, violations, null, "x"), null, null));
    return p;
  }

  @Test
  @DisplayName("per-policy gauges follow the policies' last runs, and vanish with the policy; a run counts once")
  void gauges() {
    PortolanMetrics m = new PortolanMetrics();
    m.runCompleted("uid-1", "shop", "web", RunPhase.Succeeded, 1200);
    m.runCompleted("uid-1", "shop", "web", RunPhase.Succeeded, 1200);
    m.refresh(Stream.of(withLastRun("web", 4, 1), policy("new", "shop").build()));
    String text = m.scrape();
    assertThat(text)
        .contains("portolan_open_ports{namespace=\"shop\",policy=\"web\"} 4.0")
        .contains("portolan_violations{namespace=\"shop\",policy=\"web\"} 1.0")
        .contains("portolan_scan_duration_seconds{namespace=\"shop\",policy=\"web\"} 90.0")
        .contains("portolan_probes_sent_total{namespace=\"shop\",policy=\"web\"} 1200.0")
        .contains("portolan_runs_total{result=\"Succeeded\"} 1.0")
        .doesNotContain("policy=\"new\"");

    m.refresh(Stream.empty());
    assertThat(m.scrape()).doesNotContain("policy=\"web\"").contains("portolan_runs_total{result=\"Succeeded\"} 1.0");
  }

  @Test
  @DisplayName("controllers' error and reconcile series exist from the start")
  void controllers() {
    PortolanMetrics m = new PortolanMetrics();
    m.registerController("scanpolicy");
    assertThat(m.scrape()).contains("portolan_reconcile_errors_total{controller=\"scanpolicy\"} 0.0");
    m.reconcileError("scanpolicy");
    m.reconciled("scanpolicy");
    assertThat(m.scrape()).contains("portolan_reconcile_errors_total{controller=\"scanpolicy\"} 1.0");
    assertThat(m.reconciliations("scanpolicy")).isEqualTo(1.0);
  }
}
