package dev.portolan.operator.reconcile;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static dev.portolan.operator.support.Reports.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.operator.metrics.PolicyState;
import dev.portolan.operator.plan.RunHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PolicyStates")
class PolicyStatesTest {
  private static final Instant NOW = Instant.parse("2026-03-10T13:30:00Z");

  private static ScanReport completed(String name, String createdAt, RunPhase phase, String completionTime) {
    ScanReport r = run(name, createdAt, phase);
    ScanReportStatus s = r.getStatus();
    r.setStatus(new ScanReportStatus(s.phase(), s.message(), s.observedGeneration(), s.startTime(), completionTime, s.shards(),
        s.summary(), s.findings(), s.pages(), s.diff(), s.violations(), s.brokenPaths(), s.index(), s.conditions()));
    return r;
  }

  @Test
  @DisplayName("the last success is the newest succeeded run's completion, whatever failed after it")
  void lastSuccess() {
    ScanPolicy p = policy("web", "ns").schedule("0 * * * *").build();
    p.getMetadata().setCreationTimestamp("2026-03-01T00:00:00Z");
    ScanReport failed = completed("web-3", "2026-03-10T12:00:00Z", RunPhase.Failed, "2026-03-10T12:05:00Z");
    p.setStatus(new ScanPolicyStatus(1L, null, null, RunHistory.summary(failed), "2026-03-10T14:00:00Z", null));
    PolicyState s = PolicyStates.of(p, List.of(
        completed("web-1", "2026-03-10T10:00:00Z", RunPhase.Succeeded, "2026-03-10T10:03:00Z"),
        completed("web-2", "2026-03-10T11:00:00Z", RunPhase.Succeeded, "2026-03-10T11:04:00Z"),
        failed,
        run("web-4", "2026-03-10T13:00:00Z", null)), NOW);
    assertThat(s.namespace()).isEqualTo("ns");
    assertThat(s.policy()).isEqualTo("web");
    assertThat(s.lastRun().phase()).isEqualTo(RunPhase.Failed);
    assertThat(s.lastSuccess()).isEqualTo(Instant.parse("2026-03-10T11:04:00Z"));
    assertThat(s.nextRun()).isEqualTo(Instant.parse("2026-03-10T14:00:00Z"));
    assertThat(s.interval()).isEqualTo(Duration.ofHours(1));
    assertThat(s.created()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
  }

  @Test
  @DisplayName("a policy that never succeeded and runs on spec change has neither a last success nor an interval")
  void never() {
    ScanPolicy p = policy("web", "ns").build();
    PolicyState s = PolicyStates.of(p, List.of(completed("web-g1", "2026-03-10T10:00:00Z", RunPhase.Failed, "2026-03-10T10:01:00Z")), NOW);
    assertThat(s.lastRun()).isNull();
    assertThat(s.lastSuccess()).isNull();
    assertThat(s.interval()).isNull();
    assertThat(s.nextRun()).isNull();
    assertThat(s.created()).isNull();
  }
}
