package dev.portolan.operator.reconcile;

import static dev.portolan.operator.support.Reports.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Diff;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunStatus")
class RunStatusTest {
  @Test
  @DisplayName("a status is computed as of the agents' latest report, so it does not tick by itself")
  void asOf() {
    Instant now = Instant.parse("2026-03-10T12:00:00Z");
    assertThat(RunStatus.asOf(null, now)).isEqualTo(now);
    var shards = Map.of(
        "0", new ShardStatus("a", RunPhase.Running, 1L, 2L, 1L, 0L, 0L, 0L, 0L, 0, 1, "2026-03-10T11:00:00Z", "2026-03-10T11:05:00Z", null, null),
        "1", new ShardStatus("b", RunPhase.Succeeded, 2L, 2L, 2L, 0L, 0L, 0L, 0L, 0, 1, "2026-03-10T11:00:00Z", "bad", "2026-03-10T11:07:00Z", null));
    assertThat(RunStatus.asOf(shards, now)).isEqualTo(Instant.parse("2026-03-10T11:07:00Z"));
  }

  @Test
  @DisplayName("an ended run keeps its diff when its baseline is gone")
  void keepDiff() {
    Diff diff = new Diff("web-g1", List.of(), List.of(), 2L, 1L);
    var existing = status(RunPhase.Succeeded, 5L, 0L, diff);
    var recomputed = status(RunPhase.Succeeded, 5L, 0L, null);
    var kept = RunStatus.keepDiff(existing, recomputed);
    assertThat(kept.diff()).isEqualTo(diff);
    assertThat(kept.summary().newExposures()).isEqualTo(2L);
    assertThat(kept.summary().closedExposures()).isEqualTo(1L);
    assertThat(kept.summary().open()).isEqualTo(5L);
    assertThat(RunStatus.keepDiff(status(RunPhase.Running, 5L, 0L, diff), recomputed)).isSameAs(recomputed);
  }
}
