package dev.portolan.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC covers every request the operator and the scanner agent really make. The
 * operator's integration tests record each request of the operator's own client, and of the real
 * agent in RealAgentIT, as the rule it needs (operator/target/rbac/*-api-calls.txt, written by their
 * JVM); here each one must be granted by the chart's operator ClusterRole and lease Role, or the
 * scanner ClusterRole and the source pods' Role. A missing verb would be a 403 on a
 * real cluster, seen only there: this is how a missing {@code patch} on leases or
 * {@code deletecollection} on ScanReports shows up in the build instead.
 */
class RbacCoverageIT {
  private static final Path RECORDED = RenderedChart.CHART.getParent().getParent().resolve("operator/target/rbac");
  /** What only Pod-sourced runs need (sourcePods.enabled). */
  private static final Set<String> SOURCE_PODS_ONLY = Set.of("create /pods", "delete /pods");

  @Test
  void everyRequestTheOperatorMakesIsGranted() throws IOException {
    List<String> calls = recorded("operator");
    assertThat(calls).as("recorded calls").contains("watch portolan.dev/scanpolicies", "patch portolan.dev/scanreports/status");

    List<PolicyRule> defaults = operatorRules(RenderedChart.render());
    List<PolicyRule> withSourcePods = operatorRules(RenderedChart.render(RenderedChart.values(
        "sourcePods.enabled", true, "sourcePods.namespaces", List.of("apps"))));
    List<String> missing = new ArrayList<>();
    for (String call : calls) {
      if (!granted(SOURCE_PODS_ONLY.contains(call) ? withSourcePods : defaults, call)) {
        missing.add(call);
      }
    }
    assertThat(missing).as("requests the operator makes that its chart RBAC does not grant").isEmpty();
    for (String call : SOURCE_PODS_ONLY) {
      assertThat(granted(defaults, call)).as("%s only with sourcePods.enabled", call).isFalse();
    }
  }

  @Test
  void everyRequestTheScannerAgentMakesIsGranted() throws IOException {
    List<String> calls = recorded("agent");
    assertThat(calls).as("recorded calls").contains("watch portolan.dev/scanreports", "create portolan.dev/scanreportpages");
    List<PolicyRule> rules = RenderedChart.render().get(ClusterRole.class, "-scanner").getRules();
    assertThat(calls.stream().filter(c -> !granted(rules, c)).toList())
        .as("requests the agent makes that its chart RBAC does not grant").isEmpty();
  }

  /** A source pod is the same agent, bound by a Role in its own namespace instead (it watches that one). */
  @Test
  void everyRequestASourcePodMakesIsGrantedInItsNamespace() throws IOException {
    List<String> calls = recorded("agent");
    RenderedChart chart = RenderedChart.render(RenderedChart.values("sourcePods.enabled", true, "sourcePods.namespaces", List.of("apps")));
    Role source = chart.get(Role.class, "-source");
    assertThat(source.getMetadata().getNamespace()).isEqualTo("apps");
    assertThat(calls.stream().filter(c -> !granted(source.getRules(), c)).toList())
        .as("requests a source pod makes that its Role does not grant").isEmpty();
  }

  /** What the operator's ITs recorded for "operator" or "agent" (RealAgentIT runs the real agent). */
  private static List<String> recorded(String who) throws IOException {
    Path file = RECORDED.resolve(who + "-api-calls.txt");
    assertThat(file).as("the operator's ITs record the API calls; run ./mvnw verify (or -pl operator verify) first").exists();
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
  }

  /** The operator's ClusterRole and every Role bound to it (lease; source pods' namespaces). */
  private static List<PolicyRule> operatorRules(RenderedChart chart) {
    List<PolicyRule> rules = new ArrayList<>(chart.get(ClusterRole.class, "-operator").getRules());
    chart.all(Role.class).stream().filter(r -> r.getMetadata().getName().contains("-operator-"))
        .forEach(r -> rules.addAll(r.getRules()));
    return rules;
  }

  /** Whether "verb group/resource[/sub]" is granted by any rule. */
  private static boolean granted(List<PolicyRule> rules, String call) {
    String verb = call.substring(0, call.indexOf(' '));
    String rest = call.substring(call.indexOf(' ') + 1);
    String group = rest.substring(0, rest.indexOf('/'));
    String resource = rest.substring(rest.indexOf('/') + 1);
    return rules.stream().anyMatch(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource)
        && r.getVerbs().contains(verb));
  }
}
