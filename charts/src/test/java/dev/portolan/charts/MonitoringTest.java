package dev.portolan.charts;

import static dev.portolan.charts.RenderedChart.render;
import static dev.portolan.charts.RenderedChart.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("monitoring: alerts")
class MonitoringTest {
  static final List<String> ALERTS = List.of("PortolanExpectationViolated", "PortolanNewExposure", "PortolanRunFailed",
      "PortolanPolicyStale", "PortolanOperatorDown", "PortolanReconcileErrors", "PortolanAgentDown");
  private static final Set<String> PER_POLICY = Set.of("PortolanExpectationViolated", "PortolanNewExposure", "PortolanRunFailed",
      "PortolanPolicyStale");

  @Test
  @DisplayName("no alerts by default, nor with only the ServiceMonitors")
  void offByDefault() {
    for (RenderedChart chart : List.of(render(), render(values("metrics.serviceMonitor.enabled", true)))) {
      assertThat(chart.all(PrometheusRule.class)).isEmpty();
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
}
