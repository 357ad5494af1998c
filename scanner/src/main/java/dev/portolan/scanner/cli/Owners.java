package dev.portolan.scanner.cli;

import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.scanner.report.OwnerName;

/** The API's target of a finding, as the outputs name it. */
final class Owners {
  private Owners() {}

  static OwnerName of(Target t) {
    return new OwnerName(t.kind(), t.namespace(), t.name(), t.uid(),
        t.workload() == null ? null : t.workload().kind(), t.workload() == null ? null : t.workload().name(),
        t.services(), t.node(), t.hostNetwork(), t.container(), t.portName(), t.labels(), t.attribution(), t.note());
  }
}
