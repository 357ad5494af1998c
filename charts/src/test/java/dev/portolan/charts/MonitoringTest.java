package dev.portolan.charts;

import static dev.portolan.charts.RenderedChart.render;
import static dev.portolan.charts.RenderedChart.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("monitoring: alerts and dashboard")
class MonitoringTest {
  static final List<String> ALERTS = List.of("PortolanExpectationViolated", "PortolanNewExposure", "PortolanRunFailed",
      "PortolanPolicyStale", "PortolanOperatorDown", "PortolanReconcileErrors", "PortolanAgentDown");
  private static final Set<String> PER_POLICY = Set.of("PortolanExpectationViolated", "PortolanNewExposure", "PortolanRunFailed",
      "PortolanPolicyStale");

  @Test
  @DisplayName("nothing of it by default, and neither alerts nor dashboard with only the ServiceMonitors")
  void offByDefault() {
    for (RenderedChart chart : List.of(render(), render(values("metrics.serviceMonitor.enabled", true)))) {
      assertThat(chart.all(PrometheusRule.class)).isEmpty();
      assertThat(chart.find(ConfigMap.class, "-dashboard")).isEmpty();
      assertThat(chart.yaml()).doesNotContain("grafana_dashboard");
    }
  }

  @Nested
  @DisplayName("the PrometheusRule")
  class Rule {
    @Test
    @DisplayName("has the alerts, each with a severity, a summary and a description that names what it is about")
    void alerts() {
      RenderedChart chart = render(values("metrics.prometheusRule.enabled", true, "metrics.prometheusRule.labels.release", "kube-prom"));
      PrometheusRule rule = chart.get(PrometheusRule.class, "-alerts");
      assertThat(rule.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
      assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prom").containsEntry("app.kubernetes.io/instance", "scan");
      List<Map<String, Object>> rules = Monitoring.rules(chart);
      assertThat(rules).extracting(r -> (String) r.get("alert")).containsExactlyElementsOf(ALERTS);
      for (Map<String, Object> r : rules) {
        String alert = (String) r.get("alert");
        assertThat(Monitoring.map(r.get("labels"))).as(alert).containsKey("severity");
        Map<String, Object> annotations = Monitoring.map(r.get("annotations"));
        assertThat(annotations.keySet()).as(alert).containsExactlyInAnyOrder("summary", "description");
        if (PER_POLICY.contains(alert)) {
          // Prometheus' own templates come through Helm as written.
          assertThat((String) annotations.get("summary")).as(alert).contains("{{ $labels.namespace }}/{{ $labels.policy }}");
          assertThat((String) annotations.get("description")).as(alert)
              .contains("{{ $labels.namespace }}/{{ $labels.policy }}").contains("kubectl -n {{ $labels.namespace }}");
        }
      }
      assertThat(chart.yaml()).doesNotContain("<no value>").doesNotContain("%!");
    }

    @Test
    @DisplayName("watches the jobs the ServiceMonitors create (the Services' names), or those given")
    void jobs() {
      RenderedChart chart = Monitoring.enabled();
      Service operator = chart.get(Service.class, "-operator-metrics");
      Service scanner = chart.get(Service.class, "-scanner-metrics");
      String rules = expressions(chart);
      assertThat(rules)
          .contains("up{job=\"" + operator.getMetadata().getName() + "\", namespace=\"" + RenderedChart.NAMESPACE + "\"}) == 0")
          .contains("up{job=\"" + scanner.getMetadata().getName() + "\", namespace=\"" + RenderedChart.NAMESPACE + "\"} == 0");

      String custom = expressions(render(values("metrics.prometheusRule.enabled", true,
          "metrics.prometheusRule.operatorJob", "portolan-operator", "metrics.prometheusRule.scannerJob", "portolan-agents")));
      assertThat(custom).contains("up{job=\"portolan-operator\"").contains("up{job=\"portolan-agents\"")
          .doesNotContain("-metrics\"");
    }

    @Test
    @DisplayName("leaves the agents' alert out when the chart installs no agents")
    void noAgents() {
      RenderedChart chart = render(values("metrics.prometheusRule.enabled", true, "scanner.enabled", false));
      assertThat(Monitoring.rules(chart)).extracting(r -> (String) r.get("alert")).doesNotContain("PortolanAgentDown").hasSize(ALERTS.size() - 1);
    }

    @Test
    @DisplayName("refuses a job name that would break the queries")
    void badJob() {
      assertThatThrownBy(() -> render(values("metrics.prometheusRule.enabled", true, "metrics.prometheusRule.operatorJob", "a\"} or vector(1)")))
          .hasMessageContaining("values don't meet the specifications of the schema").hasMessageContaining("operatorJob");
    }
  }

  private static String expressions(RenderedChart chart) {
    return String.join("\n", Monitoring.rules(chart).stream().map(r -> (String) r.get("expr")).toList());
  }

  @Nested
  @DisplayName("the dashboard")
  class Dashboard {
    @Test
    @DisplayName("is the chart's JSON file, in a ConfigMap Grafana's sidecar picks up")
    void configMap() throws IOException {
      RenderedChart chart = render(values("metrics.dashboard.enabled", true, "metrics.dashboard.labels.team", "sec",
          "metrics.dashboard.annotations.grafana_folder", "Security"));
      ConfigMap cm = chart.get(ConfigMap.class, "-dashboard");
      assertThat(cm.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
      assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1").containsEntry("team", "sec")
          .containsEntry("app.kubernetes.io/instance", "scan");
      assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Security");
      assertThat(cm.getData().get("portolan.json")).isEqualTo(Files.readString(RenderedChart.CHART.resolve("dashboards/portolan.json")).strip());
      // The sidecar's label cannot be turned off by a user label of the same name.
      assertThat(render(values("metrics.dashboard.enabled", true, "metrics.dashboard.labels.grafana_dashboard", "off"))
          .get(ConfigMap.class, "-dashboard").getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    }

    @Test
    @DisplayName("shows per policy open ports, violations, new exposures, last-success age, run durations and probes sent")
    void panels() {
      Map<String, Object> dashboard = Monitoring.dashboard(Monitoring.enabled());
      assertThat(dashboard.get("uid")).isEqualTo("portolan-overview");
      assertThat(dashboard.get("title")).isEqualTo("Portolan");
      List<Map<String, Object>> panels = Monitoring.panels(dashboard);
      assertThat(panels).extracting(p -> (String) p.get("title")).contains("Open ports", "Violations", "New exposures",
          "Last success age", "Run duration", "Probes sent");
      Set<Object> ids = new HashSet<>();
      for (Map<String, Object> p : panels) {
        assertThat(ids.add(p.get("id"))).as("panel id %s is unique", p.get("id")).isTrue();
        Map<String, Object> pos = Monitoring.map(p.get("gridPos"));
        assertThat(((Number) pos.get("x")).intValue() + ((Number) pos.get("w")).intValue()).as("%s fits 24 columns", p.get("title"))
            .isLessThanOrEqualTo(24);
        if ("row".equals(p.get("type"))) {
          continue;
        }
        assertThat(Monitoring.map(p.get("datasource"))).as("%s", p.get("title")).containsEntry("uid", "${datasource}");
        assertThat((List<?>) p.get("targets")).as("%s has queries", p.get("title")).isNotEmpty();
      }
      String all = String.join("\n", Monitoring.dashboardQueries(dashboard));
      assertThat(all).contains("portolan_open_ports", "portolan_violations", "portolan_new_exposures",
          "portolan_last_success_timestamp_seconds", "portolan_scan_duration_seconds", "rate(portolan_probes_sent_total");
    }
  }
}
