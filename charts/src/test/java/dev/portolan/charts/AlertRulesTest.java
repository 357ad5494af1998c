package dev.portolan.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rendered alert rules as Prometheus reads them, checked by Prometheus' own {@code promtool}:
 * {@code check rules} (the queries parse, the templates compile) and {@code test rules} with
 * {@code src/test/resources/promtool/alerts-test.yaml} (given these series, exactly these alerts
 * fire, with these annotations). Without promtool (Debian: package prometheus) the class is
 * skipped with the reason, unless PORTOLAN_REQUIRE_TOOLS=1 (as in CI) makes that a failure. The
 * files promtool read stay in target/promtool.
 */
@DisplayName("the alert rules, by promtool")
class AlertRulesTest {
  private static final Path WORK = Path.of("target", "promtool");
  private static final String RULES = "portolan-rules.yaml";
  private static final String TESTS = "alerts-test.yaml";
  private static ExternalTool promtool;

  @BeforeAll
  static void renderTheRules() throws IOException {
    promtool = ExternalTool.require("promtool", "Debian: apt-get install prometheus");
    Files.createDirectories(WORK);
    Files.writeString(WORK.resolve(RULES), Monitoring.ruleFile(Monitoring.enabled()));
    Files.writeString(WORK.resolve(TESTS), testFile());
  }

  @Test
  @DisplayName("promtool check rules: every rule parses")
  void check() {
    ExternalTool.Result r = promtool.run(WORK, "check", "rules", RULES);
    assertThat(r.code()).as("promtool check rules:\n%s", r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: " + MonitoringTest.ALERTS.size() + " rules found");
  }

  @Test
  @DisplayName("promtool test rules: the given series fire exactly the expected alerts")
  void unitTests() {
    ExternalTool.Result r = promtool.run(WORK, "test", "rules", TESTS);
    assertThat(r.code()).as("promtool test rules:\n%s", r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  @DisplayName("the unit tests see every alert fire, and see it stay quiet")
  void everyAlertIsTestedBothWays() {
    Map<String, Object> tests = Monitoring.map(new KubernetesSerialization().unmarshal(testFile(), Map.class));
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (Object t : (List<?>) tests.get("tests")) {
      for (Object a : (List<?>) Monitoring.map(t).get("alert_rule_test")) {
        Map<String, Object> check = Monitoring.map(a);
        List<?> expected = (List<?>) check.get("exp_alerts");
        (expected == null || expected.isEmpty() ? quiet : firing).add((String) check.get("alertname"));
      }
    }
    assertThat(firing).as("alerts some test expects to fire").containsExactlyInAnyOrderElementsOf(MonitoringTest.ALERTS);
    assertThat(quiet).as("alerts some test expects not to fire").containsExactlyInAnyOrderElementsOf(MonitoringTest.ALERTS);
  }

  @Test
  @DisplayName("promtool check rules: every query of the dashboard parses as PromQL")
  void dashboardQueriesParse() throws IOException {
    List<String> queries = Monitoring.dashboardQueries(Monitoring.dashboard(Monitoring.enabled()));
    assertThat(queries).hasSizeGreaterThan(5);
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
    int n = 0;
    for (String q : queries) {
      rules.append("      - record: portolan_dashboard_query_").append(n++).append("\n        expr: '")
          .append(asPromQl(q).replace("'", "''")).append("'\n");
    }
    Files.writeString(WORK.resolve("dashboard-queries.yaml"), rules);
    ExternalTool.Result r = promtool.run(WORK, "check", "rules", "dashboard-queries.yaml");
    assertThat(r.code()).as("promtool check rules on the dashboard's queries:\n%s\n%s", r.output(), rules).isZero();
    assertThat(r.output()).contains("SUCCESS: " + queries.size() + " rules found");
  }

  /**
   * A dashboard query as Prometheus receives it from Grafana: range variables become durations,
   * and a variable query label_values(SELECTOR, LABEL) is the selector it lists.
   */
  static String asPromQl(String query) {
    String q = query.replace("$__rate_interval", "5m").replace("$__range", "1h").replace("$__interval", "1m");
    var m = java.util.regex.Pattern.compile("^label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\)$").matcher(q.strip());
    return m.matches() ? m.group(1) : q;
  }

  private static String testFile() {
    try (InputStream in = AlertRulesTest.class.getResourceAsStream("/promtool/" + TESTS)) {
      if (in == null) {
        throw new AssertionError("no promtool/" + TESTS + " on the test classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
