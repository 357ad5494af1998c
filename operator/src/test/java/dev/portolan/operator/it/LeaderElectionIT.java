package dev.portolan.operator.it;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

import dev.portolan.operator.OperatorConfig;
import dev.portolan.operator.PortolanOperator;
import dev.portolan.operator.reconcile.ScanPolicyReconciler;
import dev.portolan.operator.support.Harness;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two replicas, one Lease: only the leader reconciles; when it goes, the other takes over.
 *
 * <p>What the mock cannot prove: lease timing under a real API server's latency and clock skew;
 * RBAC for leases (the mock's answer to the permission check is scripted). A bare
 * apiextensions-apiserver serves no leases: the test is skipped there.
 */
@DisplayName("leader election")
class LeaderElectionIT {
  private Harness h;

  @BeforeEach
  void start() {
    h = new Harness("leader");
    assumeTrue(h.cluster.hasLeases(), "the API server serves no coordination.k8s.io leases");
    h.readyAgents("node-a");
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private OperatorConfig replica(String identity) {
    return h.config()
        .leaderElection(true)
        .identity(identity)
        .leaseTiming(new OperatorConfig.LeaseTiming(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(300)))
        .build();
  }

  @Test
  @DisplayName("only the leader creates runs; the other replica takes over as soon as the leader stops, which releases the lease")
  void onlyTheLeaderReconciles() {
    PortolanOperator a = h.start(replica("replica-a"));
    await().atMost(Harness.WAIT).until(a::isLeader);
    PortolanOperator b = h.start(replica("replica-b"));
    // A standby is ready: otherwise a rolling update of a two-replica Deployment (maxUnavailable 0)
    // would wait forever for the new, non-leading pod.
    await().atMost(Harness.WAIT).until(b::isReady);
    assertThat(b.isLeader()).isFalse();

    h.apply(policy("first", h.ns).build());
    h.awaitReport("first-g1", r -> true);
    assertThat(h.client.leases().inNamespace(h.ns).withName(OperatorConfig.DEFAULT_LEASE).get().getSpec().getHolderIdentity())
        .isEqualTo("replica-a");
    assertThat(a.metrics().reconciliations(ScanPolicyReconciler.NAME)).isPositive();
    assertThat(b.isLeader()).isFalse();
    assertThat(b.metrics().reconciliations(ScanPolicyReconciler.NAME)).isZero();

    h.stop(a);
    // An orderly stop gives the lease up at once: without that, b would wait out the 3 s lease.
    assertThat(h.client.leases().inNamespace(h.ns).withName(OperatorConfig.DEFAULT_LEASE).get().getSpec().getHolderIdentity())
        .isNotEqualTo("replica-a");
    await().atMost(Duration.ofSeconds(5)).until(b::isLeader);
    h.apply(policy("second", h.ns).build());
    h.awaitReport("second-g1", r -> true);
    assertThat(b.metrics().reconciliations(ScanPolicyReconciler.NAME)).isPositive();
    assertThat(h.runs("first")).hasSize(1);
    assertThat(h.client.leases().inNamespace(h.ns).withName(OperatorConfig.DEFAULT_LEASE).get().getSpec().getHolderIdentity())
        .isEqualTo("replica-b");
  }
}
