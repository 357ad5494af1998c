package dev.portolan.operator.plan;

import static dev.portolan.operator.support.Reports.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunHistory")
class RunHistoryTest {
  private static final RunPhase OK = RunPhase.Succeeded;

  @Test
  @DisplayName("orders runs by creation time, not by name (g10 is newer than g9)")
  void order() {
    RunHistory h = RunHistory.of(List.of(
        run("web-g9", "2026-03-10T09:00:00Z", OK), run("web-g10", "2026-03-10T10:00:00Z", null), run("web-g8", "2026-03-10T08:00:00Z", OK)));
    assertThat(h.runs()).extracting(r -> r.getMetadata().getName()).containsExactly("web-g10", "web-g9", "web-g8");
    assertThat(h.active()).extracting(r -> r.getMetadata().getName()).containsExactly("web-g10");
    assertThat(h.lastTerminal()).hasValueSatisfying(r -> assertThat(r.getMetadata().getName()).isEqualTo("web-g9"));
  }

  @Test
  @DisplayName("prunes ended runs beyond the limit, but never the newest success (the next diff's baseline)")
  void prune() {
    RunHistory h = RunHistory.of(List.of(
        run("a", "2026-03-10T01:00:00Z", OK),
        run("b", "2026-03-10T02:00:00Z", OK),
        run("c", "2026-03-10T03:00:00Z", RunPhase.Failed),
        run("d", "2026-03-10T04:00:00Z", RunPhase.Failed),
        run("e", "2026-03-10T05:00:00Z", null)));
    assertThat(h.toPrune(2)).extracting(r -> r.getMetadata().getName()).containsExactly("a");
    assertThat(h.toPrune(5)).isEmpty();
  }

  @Test
  @DisplayName("the last success is the newest run that succeeded, whatever ended after it")
  void lastSucceeded() {
    RunHistory h = RunHistory.of(List.of(
        run("a", "2026-03-10T01:00:00Z", OK),
        run("b", "2026-03-10T02:00:00Z", OK),
        run("c", "2026-03-10T03:00:00Z", RunPhase.PartiallySucceeded),
        run("d", "2026-03-10T04:00:00Z", null)));
    assertThat(h.lastSucceeded()).hasValueSatisfying(r -> assertThat(r.getMetadata().getName()).isEqualTo("b"));
    assertThat(RunHistory.of(List.of(run("x", "2026-03-10T01:00:00Z", RunPhase.Failed))).lastSucceeded()).isEmpty();
  }

  @Test
  @DisplayName("the baseline of a run is the newest earlier run that succeeded")
  void baseline() {
    ScanReport current = run("d", "2026-03-10T04:00:00Z", null);
    RunHistory h = RunHistory.of(List.of(
        run("a", "2026-03-10T01:00:00Z", OK),
        run("b", "2026-03-10T02:00:00Z", OK),
        run("c", "2026-03-10T03:00:00Z", RunPhase.PartiallySucceeded),
        current,
        run("e", "2026-03-10T05:00:00Z", OK)));
    assertThat(h.baselineBefore(current)).hasValueSatisfying(r -> assertThat(r.getMetadata().getName()).isEqualTo("b"));
    assertThat(h.baselineBefore(run("z", "2026-03-09T00:00:00Z", null))).isEmpty();
  }

  @Test
  @DisplayName("summarises a run for the policy status")
  void summary() {
    assertThat(RunHistory.summary(run("a", "2026-03-10T01:00:00Z", OK)).result()).isEqualTo("3 open, 1 violation");
    assertThat(RunHistory.result(RunPhase.PartiallySucceeded, 0L, 2L)).isEqualTo("0 open, 2 violations (some shards failed)");
    assertThat(RunHistory.result(RunPhase.Failed, 0L, 0L)).isEqualTo("failed");
    var s = RunHistory.summary(run("a", "2026-03-10T01:00:00Z", OK));
    assertThat(s.newExposures()).as("no baseline, so nothing is 'new'").isNull();
    assertThat(s.phase()).isEqualTo(OK);
  }
}
