package dev.portolan.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus.RunSummary;
import dev.portolan.operator.metrics.PolicyState;
import dev.portolan.operator.metrics.PortolanMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The alerts and the dashboard query only what the operator exports: a renamed metric, or a typo
 * in a query, fails here instead of leaving an alert that can never fire or an empty panel.
 */
@DisplayName("every metric the alerts and the dashboard query is one the operator exports")
class MetricNamesTest {
  /** Made by Prometheus for every target, not by the operator. */
  private static final Set<String> PROMETHEUS_OWN = Set.of("up");
  private static Set<String> exported;
  private static RenderedChart chart;

  @BeforeAll
  static void scrapeTheOperatorsMetrics() {
    PortolanMetrics metrics = new PortolanMetrics();
    metrics.registerController("scanpolicy");
    metrics.registerController("scanreport");
    metrics.reconcileError("scanreport");
    metrics.runCompleted("uid-1", "shop", "web", RunPhase.PartiallySucceeded, 1200);
    RunSummary last = new RunSummary("web-g2", RunPhase.PartiallySucceeded, "2026-03-10T10:00:00Z", "2026-03-10T10:01:30Z",
        4L, 1L, 2L, "4 open, 1 violation (some shards failed)");
    metrics.refresh(Stream.of(new PolicyState("shop", "web", last, Instant.parse("2026-03-09T10:01:00Z"),
        Instant.parse("2026-03-11T10:00:00Z"), Duration.ofDays(1), Instant.parse("2026-03-01T00:00:00Z"))));
    exported = new TreeSet<>();
    for (String line : metrics.scrape().lines().toList()) {
      if (!line.isBlank() && !line.startsWith("#")) {
        exported.add(line.split("[{ ]", 2)[0]);
      }
    }
    chart = Monitoring.enabled();
  }

  @Test
  @DisplayName("the scrape has the per-policy series (else this test would prove nothing)")
  void scrapeIsComplete() {
    assertThat(exported).contains("portolan_open_ports", "portolan_violations", "portolan_new_exposures",
        "portolan_last_success_timestamp_seconds", "portolan_schedule_interval_seconds", "portolan_next_run_timestamp_seconds",
        "portolan_policy_created_timestamp_seconds", "portolan_runs_total", "portolan_probes_sent_total",
        "portolan_scan_duration_seconds", "portolan_reconcile_errors_total", "portolan_reconciliations_total");
  }

  @Test
  @DisplayName("the alert rules")
  void rules() {
    List<String> queries = new ArrayList<>();
    for (Map<String, Object> rule : Monitoring.rules(chart)) {
      queries.add((String) rule.get("expr"));
    }
    assertExported(queries);
  }

  @Test
  @DisplayName("the dashboard's panels and variables")
  void dashboard() {
    assertExported(Monitoring.dashboardQueries(Monitoring.dashboard(chart)));
  }

  @Test
  @DisplayName("the name finder sees through matchers, ranges, label lists, functions and keywords")
  void nameFinder() {
    assertThat(Monitoring.metricNames(
        "sum by (namespace, policy) (increase(portolan_runs_total{result=~\"Failed|x\"}[1h])) > 0 or absent(up{job=\"a\"} == 1)"
            + " unless on (namespace) foo offset 1h"))
        .containsExactlyInAnyOrder("portolan_runs_total", "up", "foo");
    assertThat(Monitoring.metricNames("label_values(portolan_policy_created_timestamp_seconds{namespace=~\"$namespace\"}, policy)"))
        .containsExactly("portolan_policy_created_timestamp_seconds");
    assertThat(Monitoring.metricNames("rate(bar[$__rate_interval]) * 2")).containsExactly("bar");
  }

  private static void assertExported(List<String> queries) {
    assertThat(queries).isNotEmpty();
    Set<String> used = new TreeSet<>();
    for (String q : queries) {
      Set<String> names = Monitoring.metricNames(q);
      assertThat(names).as("metrics in %s", q).isNotEmpty();
      used.addAll(names);
    }
    used.removeAll(PROMETHEUS_OWN);
    assertThat(exported).as("the operator's metrics").containsAll(used);
  }
}
