package dev.portolan.operator.reconcile;

import static dev.portolan.operator.support.Reports.run;
import static dev.portolan.operator.support.Reports.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Diff;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Endpoint;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CompletionNotices")
class CompletionNoticesTest {
  @Test
  @DisplayName("a clean first run: one Normal RunCompleted, keyed by run")
  void cleanRun() {
    var notices = CompletionNotices.of(run("web-g1", "2026-03-10T10:00:00Z", null), status(RunPhase.Succeeded, 3L, 0L, null));
    assertThat(notices).singleElement().satisfies(n -> {
      assertThat(n.type()).isEqualTo("Normal");
      assertThat(n.reason()).isEqualTo("RunCompleted");
      assertThat(n.key()).isEqualTo("web-g1/RunCompleted");
      assertThat(n.message()).isEqualTo("Run web-g1 Succeeded in 42 s: 3 open ports, 0 violations; no earlier successful run to compare with.");
    });
  }

  @Test
  @DisplayName("new exposures and violations: Warnings with the count and a few endpoints")
  void warnings() {
    List<Endpoint> added = new ArrayList<>();
    List<Violation> violations = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      added.add(new Endpoint("10.0.0." + i, 22, "ssh"));
      violations.add(new Violation("10.0.0." + i, 22, "ssh", "no"));
    }
    ScanReportStatus base = status(RunPhase.Succeeded, 7L, 7L, new Diff("web-g1", added, List.of(), 7L, 0L));
    ScanReportStatus s = new ScanReportStatus(base.phase(), null, 1L, null, null, null, base.summary(), null, null, base.diff(), violations, null, null, null);
    var notices = CompletionNotices.of(run("web-g2", "2026-03-10T10:00:00Z", null), s);
    assertThat(notices).extracting(CompletionNotices.Notice::reason).containsExactly("RunCompleted", "NewExposure", "ExpectationViolated");
    assertThat(notices.get(1).message())
        .isEqualTo("7 ports are open that were not in web-g1: 10.0.0.1:22 (ssh), 10.0.0.2:22 (ssh), 10.0.0.3:22 (ssh), 10.0.0.4:22 (ssh), 10.0.0.5:22 (ssh) and 2 more.");
    assertThat(notices.get(2).message()).startsWith("7 open ports violate the policy's expectations: 10.0.0.1:22 (ssh)").endsWith("and 2 more.");
    assertThat(notices).allSatisfy(n -> assertThat(n.key()).startsWith("web-g2/"));
  }
}
