package dev.portolan.operator.support;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec.AuditRecord;
import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Diff;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ReportSummary;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import java.util.List;
import java.util.Map;

/** Main reports in a given phase, for the unit tests. */
public final class Reports {
  private Reports() {}

  public static ScanReport run(String name, String createdAt, RunPhase phase) {
    ScanReport r = new ScanReport();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace("ns");
    r.getMetadata().setLabels(Map.of(ScanReport.POLICY_LABEL, "web", ScanReport.RUN_LABEL, name));
    r.setSpec(new ScanReportSpec("web", name,
        new AuditRecord("p", null, null, 1L, "sha256:x", "spec-change", null, "test", "portolan-operator", createdAt), null, List.of()));
    if (phase != null) {
      r.setStatus(status(phase, 3L, 1L, null));
    }
    return r;
  }

  public static ScanReportStatus status(RunPhase phase, Long open, Long violations, Diff diff) {
    return new ScanReportStatus(phase, null, 1L, "2026-03-10T10:00:00Z", "2026-03-10T10:00:42Z", null,
        new ReportSummary(12L, 12L, 1L, open, 9L, 0L, Map.of(), violations, diff == null ? open : diff.addedCount(),
            diff == null ? 0L : diff.removedCount(), 42.0, 0.3),
        null, null, diff, null, null, null, null);
  }
}
