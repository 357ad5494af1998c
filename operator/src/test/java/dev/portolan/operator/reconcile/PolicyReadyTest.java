package dev.portolan.operator.reconcile;

import static dev.portolan.operator.support.Reports.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.operator.plan.RunHistory;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a policy's Ready condition")
class PolicyReadyTest {
  private static final Condition ACCEPTED = Conditions.of("Accepted", true, "WithinGuard", "inside.", 3L);
  private static final Condition SCHEDULED = Conditions.of("Scheduled", true, "Scheduled", "Next run at 2026-03-10T10:15:00Z.", 3L);

  @Test
  @DisplayName("True once accepted, before any run has finished")
  void acceptedNoRun() {
    Condition c = ScanPolicyReconciler.ready(ACCEPTED, SCHEDULED, RunHistory.of(List.of(run("web-a", "2026-03-10T10:00:00Z", RunPhase.Running))), 3L);
    assertThat(c.type()).isEqualTo(Condition.READY);
    assertThat(c.status()).isEqualTo("True");
    assertThat(c.reason()).isEqualTo("Accepted");
    assertThat(c.observedGeneration()).isEqualTo(3L);
  }

  @Test
  @DisplayName("follows the newest finished run: a failure after a success reads False, naming the run")
  void lastRun() {
    RunHistory ok = RunHistory.of(List.of(run("web-a", "2026-03-10T10:00:00Z", RunPhase.Succeeded)));
    assertThat(ScanPolicyReconciler.ready(ACCEPTED, SCHEDULED, ok, 3L))
        .satisfies(c -> {
          assertThat(c.status()).isEqualTo("True");
          assertThat(c.reason()).isEqualTo("LastRunSucceeded");
          assertThat(c.message()).contains("web-a");
        });
    RunHistory failed = RunHistory.of(List.of(
        run("web-a", "2026-03-10T10:00:00Z", RunPhase.Succeeded),
        run("web-b", "2026-03-10T11:00:00Z", RunPhase.PartiallySucceeded)));
    assertThat(ScanPolicyReconciler.ready(ACCEPTED, SCHEDULED, failed, 3L))
        .satisfies(c -> {
          assertThat(c.status()).isEqualTo("False");
          assertThat(c.reason()).isEqualTo("LastRunPartiallySucceeded");
          assertThat(c.message()).contains("web-b").contains("kubectl describe scanreport web-b");
        });
  }

  @Test
  @DisplayName("False with the guard's reason when the policy is rejected, whatever its runs did")
  void rejected() {
    Condition rejected = Conditions.of("Accepted", false, "RateAboveGuard", "spec.rate 50000 is above the guard's 10000.", 3L);
    RunHistory ok = RunHistory.of(List.of(run("web-a", "2026-03-10T10:00:00Z", RunPhase.Succeeded)));
    Condition c = ScanPolicyReconciler.ready(rejected, SCHEDULED, ok, 3L);
    assertThat(c.status()).isEqualTo("False");
    assertThat(c.reason()).isEqualTo("RateAboveGuard");
    assertThat(c.message()).isEqualTo(rejected.message());
  }

  @Test
  @DisplayName("False when the schedule or its time zone cannot be read")
  void badSchedule() {
    Condition scheduled = Conditions.of("Scheduled", false, "InvalidTimeZone", "spec.timeZone: 'Europe/Atlantis' is not a time zone.", 3L);
    Condition c = ScanPolicyReconciler.ready(ACCEPTED, scheduled, RunHistory.of(List.of()), 3L);
    assertThat(c.status()).isEqualTo("False");
    assertThat(c.reason()).isEqualTo("InvalidTimeZone");
    Condition suspended = Conditions.of("Scheduled", false, "Suspended", "The policy is suspended.", 3L);
    assertThat(ScanPolicyReconciler.ready(ACCEPTED, suspended, RunHistory.of(List.of()), 3L).status()).isEqualTo("True");
  }
}
