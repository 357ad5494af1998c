package dev.portolan.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus.RunSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("PortolanMetrics")
class PortolanMetricsTest {
  private static final String WEB = "{namespace=\"shop\",policy=\"web\"}";

  private static RunSummary run(RunPhase phase, long open, long violations, Long added) {
    return new RunSummary("web-g1", phase, "2026-03-10T10:00:00Z", "2026-03-10T10:01:30Z", open, violations, added, "x");
  }

  private static PolicyState web(RunSummary last) {
    return new PolicyState("shop", "web", last, Instant.parse("2026-03-10T10:01:30Z"), Instant.parse("2026-03-11T10:00:00Z"),
        Duration.ofDays(1), Instant.parse("2026-03-01T00:00:00Z"));
  }

  private static PolicyState fresh(String name) {
    return new PolicyState("shop", name, null, null, null, null, Instant.parse("2026-03-01T00:00:00Z"));
  }

  @Nested
  @DisplayName("per-policy gauges")
  class Gauges {
    @Test
    @DisplayName("describe the last ended run, the last success and the schedule, in base units")
    void lastRun() {
      PortolanMetrics m = new PortolanMetrics();
      m.refresh(Stream.of(web(run(RunPhase.Succeeded, 4, 1, 2L))));
      assertThat(m.scrape())
          .contains("portolan_open_ports" + WEB + " 4.0")
          .contains("portolan_violations" + WEB + " 1.0")
          .contains("portolan_new_exposures" + WEB + " 2.0")
          .contains("portolan_scan_duration_seconds" + WEB + " 90.0")
          .contains("portolan_last_success_timestamp_seconds" + WEB + " 1.77313689E9")
          .contains("portolan_next_run_timestamp_seconds" + WEB + " 1.7732232E9")
          .contains("portolan_schedule_interval_seconds" + WEB + " 86400.0")
          .contains("portolan_policy_created_timestamp_seconds" + WEB + " 1.7723232E9");
    }

    @Test
    @DisplayName("a policy with no ended run, no success and no schedule has only its creation time")
    void nothingYet() {
      PortolanMetrics m = new PortolanMetrics();
      m.refresh(Stream.of(fresh("new")));
      String text = m.scrape();
      assertThat(text).contains("portolan_policy_created_timestamp_seconds{namespace=\"shop\",policy=\"new\"}");
      for (String gauge : new String[] {"portolan_open_ports{", "portolan_violations{", "portolan_new_exposures{",
          "portolan_last_success_timestamp_seconds{", "portolan_schedule_interval_seconds{", "portolan_next_run_timestamp_seconds{"}) {
        assertThat(text).doesNotContain(gauge);
      }
    }

    @Test
    @DisplayName("a first run (no baseline) has no new-exposure series rather than a made-up 0")
    void noBaseline() {
      PortolanMetrics m = new PortolanMetrics();
      m.refresh(Stream.of(web(run(RunPhase.Succeeded, 4, 0, null))));
      assertThat(m.scrape()).contains("portolan_open_ports" + WEB + " 4.0").doesNotContain("portolan_new_exposures{");
    }

    @Test
    @DisplayName("vanish with the policy, counters included")
    void deleted() {
      PortolanMetrics m = new PortolanMetrics();
      m.runCompleted("uid-1", "shop", "web", RunPhase.Failed, 1200);
      m.refresh(Stream.of(web(run(RunPhase.Failed, 0, 0, null)), fresh("other")));
      assertThat(m.scrape()).contains("policy=\"web\"");
      m.refresh(Stream.of(fresh("other")));
      assertThat(m.scrape()).doesNotContain("policy=\"web\"").contains("policy=\"other\"");
    }
  }

  @Nested
  @DisplayName("run counters")
  class Runs {
    @Test
    @DisplayName("count each run once, under its policy and result, with its probes")
    void once() {
      PortolanMetrics m = new PortolanMetrics();
      m.runCompleted("uid-1", "shop", "web", RunPhase.PartiallySucceeded, 1200);
      m.runCompleted("uid-1", "shop", "web", RunPhase.PartiallySucceeded, 1200);
      m.runCompleted("uid-2", "shop", "web", RunPhase.Succeeded, 300);
      assertThat(m.scrape())
          .contains("portolan_runs_total{namespace=\"shop\",policy=\"web\",result=\"PartiallySucceeded\"} 1.0")
          .contains("portolan_runs_total{namespace=\"shop\",policy=\"web\",result=\"Succeeded\"} 1.0")
          .contains("portolan_probes_sent_total" + WEB + " 1500.0");
    }

    @Test
    @DisplayName("exist from 0 for every live policy, so a first failure is an increase")
    void fromZero() {
      PortolanMetrics m = new PortolanMetrics();
      m.refresh(Stream.of(fresh("new")));
      assertThat(m.scrape())
          .contains("portolan_runs_total{namespace=\"shop\",policy=\"new\",result=\"Failed\"} 0.0")
          .contains("portolan_runs_total{namespace=\"shop\",policy=\"new\",result=\"PartiallySucceeded\"} 0.0")
          .contains("portolan_runs_total{namespace=\"shop\",policy=\"new\",result=\"Succeeded\"} 0.0")
          .contains("portolan_probes_sent_total{namespace=\"shop\",policy=\"new\"} 0.0");
    }
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
