package dev.portolan.operator.reconcile;

import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ReportSummary;
import dev.portolan.operator.cluster.PolicyEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a run that has just ended tells its policy's readers, as Events: that it completed (and how),
 * new exposures since the baseline run, and open ports no expectation allows. Each notice has a key
 * (run and reason), so it is recorded once however often the end is observed.
 */
public final class CompletionNotices {
  static final int LISTED = 5;

  /** One Event to record. */
  public record Notice(String type, String reason, String message, String key) {}

  private CompletionNotices() {}

  public static List<Notice> of(ScanReport report, ScanReportStatus status) {
    String run = report.getMetadata().getName();
    ReportSummary s = status.summary();
    long open = s == null || s.open() == null ? 0 : s.open();
    long violations = s == null || s.violations() == null ? 0 : s.violations();
    List<Notice> out = new ArrayList<>();
    String duration = s == null || s.durationSeconds() == null ? "" : String.format(Locale.ROOT, " in %.0f s", s.durationSeconds());
    String baseline = status.diff() == null ? "; no earlier successful run to compare with" : "";
    out.add(new Notice(
        PolicyEvents.NORMAL, "RunCompleted",
        "Run " + run + " " + status.phase() + duration + ": " + open + " open ports, " + violations
            + (violations == 1 ? " violation" : " violations") + baseline + ".",
        run + "/RunCompleted"));
    if (status.diff() != null && status.diff().addedCount() != null && status.diff().addedCount() > 0) {
      long added = status.diff().addedCount();
      out.add(new Notice(
          PolicyEvents.WARNING, "NewExposure",
          added + (added == 1 ? " port is" : " ports are") + " open that " + (added == 1 ? "was" : "were") + " not in "
              + status.diff().previousReport() + ": " + few(status.diff().added(), e -> endpoint(e.ip(), e.port(), e.service()), added) + ".",
          run + "/NewExposure"));
    }
    if (violations > 0) {
      out.add(new Notice(
          PolicyEvents.WARNING, "ExpectationViolated",
          violations + " open " + (violations == 1 ? "port violates" : "ports violate") + " the policy's expectations: "
              + few(status.violations(), v -> endpoint(v.ip(), v.port(), v.service()), violations) + ".",
          run + "/ExpectationViolated"));
    }
    return out;
  }

  /** The first few entries, then how many more there were. */
  private static <T> String few(List<T> list, Function<T, String> text, long total) {
    List<String> shown = new ArrayList<>();
    for (T t : list == null ? List.<T>of() : list) {
      if (shown.size() == LISTED) {
        break;
      }
      shown.add(text.apply(t));
    }
    return String.join(", ", shown) + (total > shown.size() ? " and " + (total - shown.size()) + " more" : "");
  }

  private static String endpoint(String ip, Integer port, String service) {
    return ip + ":" + port + (service == null ? "" : " (" + service + ")");
  }
}
