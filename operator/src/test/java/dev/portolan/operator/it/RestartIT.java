package dev.portolan.operator.it;

import static dev.portolan.operator.support.FakeAgent.finding;
import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.operator.PortolanOperator;
import dev.portolan.operator.support.Harness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Nothing the operator needs lives in its memory: a new process picks up a run where the old one
 * left it, and a run waiting for agents is planned when they appear.
 *
 * <p>What the mock cannot prove: informer relists after a real watch expiry (410 Gone); real pod
 * readiness (the agents here are pods whose status the test writes).
 */
@DisplayName("restarts and late agents")
class RestartIT {
  private Harness h;

  @BeforeEach
  void start() {
    h = new Harness("restart");
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  @DisplayName("an operator restarted mid-run creates no second run, and the run completes once")
  void restartMidRun() {
    h.readyAgents("node-a");
    PortolanOperator first = h.start();
    h.apply(policy("steady", h.ns).build());
    ScanReport run = h.awaitReport("steady-g1", r -> r.getSpec().shards() != null && !r.getSpec().shards().isEmpty());
    h.agent().start("steady-g1", 0, "node-a", 3);
    h.awaitReport("steady-g1", r -> r.getStatus() != null && RunPhase.Running.equals(r.getStatus().phase()));

    h.stop(first);
    // The agent finishes while no operator runs.
    h.agent().finish("steady-g1", 0, "node-a", 3, List.of(finding("10.20.0.1", 22, "ssh")));
    h.start();

    ScanReport done = h.awaitReport("steady-g1", r -> RunPhase.Succeeded.equals(r.getStatus().phase()));
    assertThat(done.getMetadata().getUid()).isEqualTo(run.getMetadata().getUid());
    assertThat(done.getSpec().scope().seed()).isEqualTo(run.getSpec().scope().seed());
    assertThat(h.runs("steady")).hasSize(1);
    h.awaitPolicy("steady", p -> p.getStatus().lastRun() != null && "steady-g1".equals(p.getStatus().lastRun().report()));
    if (h.cluster.hasCoreApi()) {
      await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(h.events("steady", "RunCompleted")).hasSize(1));
      assertThat(h.events("steady", "RunStarted")).hasSize(1);
    }
  }

  @Test
  @DisplayName("a run with no ready agent waits (NoScanners) and is planned when one becomes ready")
  void plannedWhenAgentsAppear() {
    assumeTrue(h.cluster.canFakePods(), "needs agent pods whose readiness the test controls");
    h.readyAgents(Map.of("pool", "general"), "node-a");
    h.createPod(h.ns, Harness.agentPod("node-b", false));
    h.start();
    h.apply(policy("waiting", h.ns).scanners(Map.of("pool", "scan"), null).build());
    ScanReport pending = h.awaitReport("waiting-g1", r -> r.getStatus() != null && r.getStatus().conditions() != null);
    assertThat(pending.getSpec().shards()).isEmpty();
    assertThat(pending.getStatus().conditions()).filteredOn(c -> "Complete".equals(c.type()))
        .singleElement().extracting(Condition::reason).isEqualTo("NoScanners");
    h.awaitPolicy("waiting", p -> p.getStatus() != null && p.getStatus().conditions() != null && p.getStatus().conditions().stream()
        .anyMatch(c -> "Running".equals(c.type()) && c.message().contains("waits for a ready scanner agent")));

    // node-b joins the scanning pool and its agent becomes ready.
    h.readyAgents(Map.of("pool", "scan"), "node-b");
    ScanReport planned = h.awaitReport("waiting-g1", r -> r.getSpec().shards() != null && !r.getSpec().shards().isEmpty());
    assertThat(planned.getSpec().shards()).singleElement().satisfies(s -> {
      assertThat(s.node()).isEqualTo("node-b");
      assertThat(s.rate()).isEqualTo(100L);
    });
    h.agent().finish("waiting-g1", 0, "node-b", 12, List.of());
    h.awaitReport("waiting-g1", r -> RunPhase.Succeeded.equals(r.getStatus().phase()));
    await().atMost(Duration.ofSeconds(5)).until(() -> h.runs("waiting").size() == 1);
  }
}
