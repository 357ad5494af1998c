package dev.portolan.operator.reconcile;

import static dev.portolan.operator.support.Reports.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StatusPatch")
class StatusPatchTest {
  private static final Set<String> AGENTS = Set.of("shards");
  private static final ShardStatus SHARD = new ShardStatus("node-a", RunPhase.Running, 5L, 10L, 5L, 0L, 0L, 0L, 0L, 0, 1, null, null, null, null);

  private static ScanReportStatus withShards(ScanReportStatus s) {
    return new ScanReportStatus(s.phase(), s.message(), s.observedGeneration(), s.startTime(), s.completionTime(),
        Map.of("0", SHARD), s.summary(), s.findings(), s.pages(), s.diff(), s.violations(), s.brokenPaths(), s.index(), s.conditions());
  }

  @Test
  @DisplayName("nothing to write when only the agents' shards differ")
  void nothingToWrite() {
    assertThat(StatusPatch.of(withShards(status(RunPhase.Running, 1L, 0L, null)), status(RunPhase.Running, 1L, 0L, null), AGENTS)).isEmpty();
  }

  @Test
  @DisplayName("a first status is a merge patch without shards")
  void firstStatus() {
    var w = StatusPatch.of(null, withShards(status(RunPhase.Pending, 0L, 0L, null)), AGENTS).orElseThrow();
    assertThat(w.type()).isEqualTo(PatchType.JSON_MERGE);
    assertThat(w.body().get("status").has("shards")).isFalse();
    assertThat(w.body().get("status").get("phase").asText()).isEqualTo("Pending");
    assertThat(w.body().get("status").has("true")).as("no helper getters leak into the JSON").isFalse();
  }

  @Test
  @DisplayName("an existing status gets whole-field operations: changed fields added, vanished ones removed, shards never named")
  void existingStatus() {
    ScanReportStatus current = withShards(new ScanReportStatus(RunPhase.Running, "hand-written", 1L, null, null, null, null, null, null, null,
        java.util.List.of(new ScanReportStatus.Violation("10.0.0.1", 22, "ssh", "x")), null, null, null));
    ScanReportStatus desired = new ScanReportStatus(RunPhase.Running, "1 of 2 shards done", 1L, null, null, null, null, null, null, null, null, null, null, null);
    var w = StatusPatch.of(current, desired, AGENTS).orElseThrow();
    assertThat(w.type()).isEqualTo(PatchType.JSON);
    assertThat(w.body().toString())
        .contains("{\"op\":\"remove\",\"path\":\"/status/violations\"}")
        .contains("{\"op\":\"add\",\"path\":\"/status/message\",\"value\":\"1 of 2 shards done\"}")
        .doesNotContain("shards\"", "/status/phase");
  }
}
