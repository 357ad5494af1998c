package dev.portolan.control.run;

import static dev.portolan.control.fixtures.Policies.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.control.guard.Guard;
import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.guard.NamespaceGrant;
import dev.portolan.control.guard.GuardDecision;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ScopeSnapshot;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a run freezes about how its open ports are found. */
class RunSpecsTest {
  @Test
  void addressesAndNodesArePortsFoundBySyn() {
    assertThat(run(policy().cidrs("10.0.0.0/24").build(), List.of()).getSpec().scope().discovery()).isEqualTo(ScopeSnapshot.SYN);
  }

  @Test
  void serviceClusterIpsAreFoundByConnects() {
    // Cluster IPs are virtual: raw frames skip the node's NAT that makes them answer.
    ScopeSnapshot scope = run(policy().selectorOnly().build(), List.of("10.96.0.10")).getSpec().scope();
    assertThat(scope.discovery()).isEqualTo(ScopeSnapshot.CONNECT);
    assertThat(scope.connectOnly()).isTrue();
  }

  @Test
  void aRunIsLabelledWithEachNodeThatHasAShardSoItsAgentsCanWatchOnlyTheirs() {
    ScanReport r = run(policy().cidrs("10.0.0.0/24").build(), List.of());
    assertThat(r.getMetadata().getLabels())
        .containsEntry(RunNames.nodeLabel("n"), RunNames.NODE_LABEL_VALUE)
        .containsEntry(ScanReport.POLICY_LABEL, "p")
        .doesNotContainKey(RunNames.nodeLabel("m"));
    // A valid label key whatever the node's name: a prefix, a slash and at most 63 characters.
    String longName = "node-" + "x".repeat(240) + ".example.internal";
    assertThat(RunNames.nodeLabel(longName)).matches("node\\.portolan\\.dev/[0-9a-f]{24}")
        .isNotEqualTo(RunNames.nodeLabel(longName + "2"));
  }

  private static ScanReport run(ScanPolicySpec spec, List<String> clusterAddresses) {
    ScanPolicy policy = new ScanPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("p").withNamespace("ns").withGeneration(1L).build());
    policy.setSpec(spec);
    GuardConfig guard = GuardConfig.defaults().withNamespaces(List.of(NamespaceGrant.everything(GuardConfig.DEFAULT_ALLOWED)));
    GuardDecision.Accepted accepted = (GuardDecision.Accepted) new Guard(guard).evaluate(spec, "ns", clusterAddresses);
    return RunSpecs.mainReport(policy, "p-g1", accepted, guard, List.of(new ShardAssignment(0, 1, "n", 100L)), 7,
        new RunSpecs.Trigger("test", "test", "test"), Instant.EPOCH);
  }
}
