package dev.portolan.control.expect;

import static dev.portolan.control.fixtures.Cluster.node;
import static dev.portolan.control.fixtures.Cluster.pod;
import static dev.portolan.control.fixtures.Cluster.service;
import static dev.portolan.control.fixtures.Cluster.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.control.cluster.ClusterSnapshot;
import dev.portolan.control.cluster.Ownership;
import dev.portolan.control.fixtures.Reports;
import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ExpectationsSpec.ExposureRule;
import dev.portolan.crds.v1alpha1.ExpectationsSpec.ServiceRef;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.ScanReportStatus.WorkloadRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Expectations in the cluster's own terms: which owners a rule's workload selectors select
 * ({@link ExpectationFacts}, when the run's index is resolved) and what a finding on an owner that
 * no rule selects says ({@link Expectations}).
 */
@DisplayName("expectations that select workloads")
class WorkloadRulesTest {
  private static final String POLICY_NS = "security";

  private static LabelSelector labels(String... kv) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return new LabelSelector(null, m);
  }

  private static LabelSelector expression(String key, String operator, String... values) {
    return new LabelSelector(List.of(new LabelSelectorRequirement(key, operator, values.length == 0 ? null : List.of(values))), null);
  }

  private static ExposureRule rule(LabelSelector namespaceSelector, LabelSelector podSelector, ServiceRef service, LabelSelector nodes) {
    return new ExposureRule("r", null, null, null, namespaceSelector, podSelector, service, nodes, null);
  }

  private static HasMetadata namespace(String name, String... kv) {
    Map<String, String> m = new java.util.HashMap<>(labels(kv).getMatchLabels());
    m.put("kubernetes.io/metadata.name", name);
    return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(m).endMetadata().build();
  }

  private static Pod labelled(String ns, String name, String ip, String... kv) {
    return pod(ns, name, ip).editMetadata().withLabels(labels(kv).getMatchLabels()).endMetadata().build();
  }

  private static boolean selects(ExposureRule r, ClusterSnapshot s, HasMetadata owner) {
    return new ExpectationFacts(new ExpectationsSpec(List.of(r)), POLICY_NS, s, null).rules(owner).contains(0);
  }

  @Nested
  @DisplayName("namespaceSelector and podSelector")
  class Pods {
    private final Pod web = labelled("shop", "web-1", "10.244.1.7", "app", "web", "tier", "front");
    private final Pod api = labelled("shop", "api-1", "10.244.1.8", "app", "api");
    private final Pod own = labelled(POLICY_NS, "web-1", "10.244.1.9", "app", "web");
    private final ClusterSnapshot s = snapshot(namespace("shop", "team", "retail"), namespace(POLICY_NS), web, api, own);

    @Test
    @DisplayName("a podSelector alone selects pods of the policy's own namespace only")
    void podSelectorAlone() {
      ExposureRule r = rule(null, labels("app", "web"), null, null);
      assertThat(selects(r, s, own)).isTrue();
      assertThat(selects(r, s, web)).isFalse();
    }

    @Test
    @DisplayName("a namespaceSelector alone selects every pod of the namespaces it matches")
    void namespaceSelectorAlone() {
      ExposureRule r = rule(labels("team", "retail"), null, null, null);
      assertThat(selects(r, s, web)).isTrue();
      assertThat(selects(r, s, api)).isTrue();
      assertThat(selects(r, s, own)).isFalse();
    }

    @Test
    @DisplayName("both in one rule must both hold; matchExpressions work as in a NetworkPolicy")
    void both() {
      assertThat(selects(rule(labels("team", "retail"), labels("app", "web"), null, null), s, web)).isTrue();
      assertThat(selects(rule(labels("team", "retail"), labels("app", "web"), null, null), s, api)).isFalse();
      assertThat(selects(rule(labels("kubernetes.io/metadata.name", "shop"), expression("app", "In", "web", "db"), null, null), s, web)).isTrue();
      assertThat(selects(rule(labels("kubernetes.io/metadata.name", "shop"), expression("app", "NotIn", "web"), null, null), s, api)).isTrue();
      assertThat(selects(rule(labels("kubernetes.io/metadata.name", "shop"), expression("tier", "Exists"), null, null), s, api)).isFalse();
      assertThat(selects(rule(expression("team", "DoesNotExist"), null, null, null), s, own)).isTrue();
    }

    @Test
    @DisplayName("an empty selector selects everything in its scope; a pod selector never selects a node or a Service")
    void emptyAndOtherKinds() {
      assertThat(selects(rule(new LabelSelector(), new LabelSelector(), null, null), s, web)).isTrue();
      assertThat(selects(rule(new LabelSelector(), null, null, null), s, node("node-a", "10.0.0.5").build())).isFalse();
      assertThat(selects(rule(new LabelSelector(), null, null, null), s, service("shop", "web", "10.96.0.7").build())).isFalse();
    }
  }

  @Nested
  @DisplayName("a Service")
  class Services {
    private final Pod web = labelled("shop", "web-1", "10.244.1.7", "app", "web");
    private final Pod other = labelled("shop", "batch-1", "10.244.1.8", "app", "batch");
    private final HasMetadata svc = service("shop", "web", "10.96.0.7").editMetadata().withLabels(Map.of("expose", "public")).endMetadata().build();
    private final HasMetadata slice = new EndpointSliceBuilder().withNewMetadata().withNamespace("shop").withName("web-abc")
        .withLabels(Map.of("kubernetes.io/service-name", "web")).endMetadata().withAddressType("IPv4")
        .addNewEndpoint().withAddresses("10.244.1.7").withNewTargetRef().withKind("Pod").withNamespace("shop").withName("web-1")
        .endTargetRef().endEndpoint().build();
    private final ClusterSnapshot s = snapshot(web, other, svc, slice);

    @Test
    @DisplayName("by namespace and name selects the Service and the pods behind it, from its EndpointSlices")
    void byName() {
      ExposureRule r = rule(null, null, new ServiceRef("shop", "web", null), null);
      assertThat(selects(r, s, svc)).isTrue();
      assertThat(selects(r, s, web)).isTrue();
      assertThat(selects(r, s, other)).isFalse();
      assertThat(selects(rule(null, null, new ServiceRef(null, "web", null), null), s, svc))
          .as("no namespace: the policy's").isFalse();
      assertThat(selects(rule(null, null, new ServiceRef("*", "web", null), null), s, web)).isTrue();
    }

    @Test
    @DisplayName("by selector selects Services whose labels match, and their pods")
    void bySelector() {
      assertThat(selects(rule(null, null, new ServiceRef("shop", null, labels("expose", "public")), null), s, web)).isTrue();
      assertThat(selects(rule(null, null, new ServiceRef("shop", null, labels("expose", "internal")), null), s, web)).isFalse();
    }
  }

  @Nested
  @DisplayName("nodeSelector")
  class Nodes {
    @Test
    @DisplayName("selects nodes by label, and host-network pods on them, never ordinary pods")
    void nodes() {
      HasMetadata edge = node("node-a", "10.0.0.5").editMetadata().withLabels(Map.of("pool", "edge")).endMetadata().build();
      HasMetadata core = node("node-b", "10.0.0.6").editMetadata().withLabels(Map.of("pool", "core")).endMetadata().build();
      Pod exporter = pod("monitoring", "node-exporter-x", "10.0.0.5").editSpec().withHostNetwork(true).endSpec().build();
      Pod ordinary = pod("shop", "web-1", "10.244.1.7").build();
      ClusterSnapshot s = snapshot(edge, core, exporter, ordinary);
      ExposureRule r = rule(null, null, null, labels("pool", "edge"));
      assertThat(selects(r, s, edge)).isTrue();
      assertThat(selects(r, s, core)).isFalse();
      assertThat(selects(r, s, exporter)).isTrue();
      assertThat(selects(r, s, ordinary)).isFalse();
    }
  }

  @Nested
  @DisplayName("a finding on an owner no rule selects")
  class Violations {
    private final Target api = new Target("Pod", "shop", "api-1", "uid-api-1", null, new WorkloadRef("Deployment", "api"),
        null, "node-a", null, null, null, "2026-12-01T10:00:00Z", Target.EXACT, null);

    @Test
    @DisplayName("is a violation naming the workload, the nearest rule and what that rule selects instead")
    void namesWorkloadAndRule() {
      ExposureRule web = new ExposureRule("web pods serve http", null, "8080", null, null, labels("app", "web"), null, null, null);
      Expectations e = new Expectations(new ExpectationsSpec(List.of(web)));
      Finding f = Reports.finding("10.244.1.8", 8080, "http");
      Optional<Violation> v = e.check(f, Optional.of(new Ownership(api, List.of(), null)));
      assertThat(v).hasValueSatisfying(x -> {
        assertThat(x.target()).isEqualTo(api);
        assertThat(x.rule()).isEqualTo("rule 1 'web pods serve http'");
        assertThat(x.reason())
            .startsWith("Deployment shop/api port 8080 (http) is open and no expectation allows it")
            .contains("it selects pods app=web, not Deployment shop/api");
      });
      // The same finding on an owner the rule selected (rule index 0 recorded at resolution) is allowed.
      assertThat(e.check(f, Optional.of(new Ownership(api, List.of(0), null)))).isEmpty();
    }

    @Test
    @DisplayName("an address nothing owns is never selected by a workload rule")
    void unowned() {
      ExposureRule web = new ExposureRule("web", null, "8080", null, null, labels("app", "web"), null, null, null);
      Optional<Violation> v = new Expectations(new ExpectationsSpec(List.of(web)))
          .check(Reports.finding("10.244.1.99", 8080, "http"), Optional.empty());
      assertThat(v).hasValueSatisfying(x -> assertThat(x.reason()).contains("not an address no cluster object owned"));
    }
  }
}
