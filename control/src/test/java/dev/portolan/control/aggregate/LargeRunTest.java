package dev.portolan.control.aggregate;

import static dev.portolan.control.fixtures.Reports.address;
import static dev.portolan.control.fixtures.Reports.heavy;
import static dev.portolan.control.fixtures.Reports.identified;
import static dev.portolan.control.fixtures.Reports.main;
import static dev.portolan.control.fixtures.Reports.page;
import static dev.portolan.control.fixtures.Reports.plan;
import static dev.portolan.control.fixtures.Reports.scope;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.control.aggregate.ReportAggregator.PreviousRun;
import dev.portolan.control.fixtures.Reports;
import dev.portolan.control.run.FindingPages;
import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A run with 100,000 open ports: no object it leads to may near etcd's size limit. Kubernetes
 * refuses requests over about 1.5 MiB; we hold every object to 1 MiB of JSON.
 */
@DisplayName("a run of 100,000 open ports")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeRunTest {
  private static final int OPEN_PORTS = 100_000;
  private static final int SHARDS = 4;
  private static final int MIB = 1024 * 1024;
  private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<ScanReportPage> pages = new ArrayList<>();
  private final List<ScanReportPage> previousPages = new ArrayList<>();
  private ScanReport mainReport;

  private static int bytes(Object value) {
    try {
      return JSON.writeValueAsBytes(value).length;
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  /** The i-th open port of a run: 25 ports on each of 4,000 hosts, with evidence of realistic weight. */
  private static Finding openPort(int i, int offset) {
    String ip = address(offset + i / 25);
    int port = 8000 + i % 25;
    return switch (i % 3) {
      case 0 -> heavy(ip, port, 512);
      case 1 -> identified(ip, port, "ssh", "OpenSSH", "9.6p1");
      default -> Reports.bare(ip, port);
    };
  }

  /** One shard's findings, cut into pages by FindingPages, as the agent would store them. */
  private static List<ScanReportPage> pagesOf(int shard, List<Finding> findings) {
    List<ScanReportPage> out = new ArrayList<>();
    List<List<Finding>> split = FindingPages.split(findings);
    for (int p = 0; p < split.size(); p++) {
      out.add(page(shard, p + 1, split.get(p)));
    }
    return out;
  }

  @BeforeAll
  void run() {
    List<List<Finding>> byShard = new ArrayList<>();
    List<List<Finding>> previousByShard = new ArrayList<>();
    for (int s = 0; s < SHARDS; s++) {
      byShard.add(new ArrayList<>());
      previousByShard.add(new ArrayList<>());
    }
    for (int i = 0; i < OPEN_PORTS; i++) {
      byShard.get(i % SHARDS).add(openPort(i, 0));
      // The previous run saw half of these and 50,000 others.
      previousByShard.get(i % SHARDS).add(openPort(i, i % 2 == 0 ? 0 : 1_000_000));
    }
    for (int s = 0; s < SHARDS; s++) {
      pages.addAll(pagesOf(s, byShard.get(s)));
      previousPages.addAll(pagesOf(s, previousByShard.get(s)));
    }
    mainReport = main(plan(SHARDS), scope(new ExpectationsSpec(List.of()), 4_000L * 25));
  }

  private Map<String, ShardStatus> done() {
    Map<String, ShardStatus> progress = new HashMap<>();
    for (int s = 0; s < SHARDS; s++) {
      progress.put(
          Integer.toString(s),
          Reports.shard(
              "node-" + (char) ('a' + s), RunPhase.Succeeded, 25_000, 1_000, 2_000, "2024-05-01T11:00:00Z",
              "2024-05-01T11:10:00Z", null));
    }
    return progress;
  }

  @Test
  @DisplayName("pages hold every finding once, at most 1,000 on each")
  void pagesHoldEverything() {
    List<Finding> all = new ArrayList<>();
    for (ScanReportPage p : pages) {
      List<Finding> fs = p.getSpec().findings();
      assertThat(fs).isNotEmpty().hasSizeLessThanOrEqualTo(FindingPages.MAX_PAGE_COUNT);
      all.addAll(fs);
    }
    assertThat(all).hasSize(OPEN_PORTS);
    assertThat(all.stream().map(Finding::key).distinct().count()).isEqualTo(OPEN_PORTS);
  }

  @Test
  @DisplayName("each page's findings stay within 512 KiB of JSON")
  void pagesWithinPageBytes() {
    for (ScanReportPage p : pages) {
      assertThat(bytes(p.getSpec().findings())).as("page %s", p.getMetadata().getName()).isLessThanOrEqualTo(FindingPages.MAX_PAGE_BYTES);
    }
  }

  @Test
  @DisplayName("every page, serialised as a whole ScanReport, stays under 1 MiB")
  void pagesUnderOneMiB() {
    assertThat(pages).hasSizeGreaterThanOrEqualTo(OPEN_PORTS / FindingPages.MAX_PAGE_COUNT);
    for (ScanReportPage p : pages) {
      assertThat(bytes(p)).as("page %s", p.getMetadata().getName()).isLessThan(MIB);
    }
  }

  @Test
  @DisplayName("the main report's status, bounded lists and all, serialises under 1 MiB without inlining findings")
  void mainReportUnderOneMiB() {
    ScanReportStatus status =
        ReportAggregator.aggregate(
            mainReport, done(), pages, Optional.of(PreviousRun.of("lab-segmentation-g3", previousPages)), NOW);
    // The agents' shard entries live on the same object; include them in the weight.
    ScanReportStatus stored =
        new ScanReportStatus(
            status.phase(), status.message(), status.observedGeneration(), status.startTime(), status.completionTime(),
            done(), status.summary(), status.findings(), status.pages(), status.diff(), status.violations(),
            status.brokenPaths(), status.index(), status.conditions());
    mainReport.setStatus(stored);

    assertThat(status.phase()).isEqualTo(RunPhase.Succeeded);
    assertThat(status.findings()).as("findings are not inlined").isNull();
    assertThat(status.summary().open()).isEqualTo((long) OPEN_PORTS);
    assertThat(status.summary().hosts()).isEqualTo(4_000L);
    assertThat(status.summary().violations()).isEqualTo((long) OPEN_PORTS);
    assertThat(status.violations()).hasSize(ReportAggregator.MAX_LISTED);
    assertThat(status.diff().addedCount()).isEqualTo(50_000L);
    assertThat(status.diff().removedCount()).isEqualTo(50_000L);
    assertThat(status.diff().added()).hasSize(ReportAggregator.MAX_LISTED);
    assertThat(status.diff().removed()).hasSize(ReportAggregator.MAX_LISTED);
    assertThat(status.pages()).hasSize(pages.size());
    assertThat(bytes(mainReport)).isLessThan(MIB);
  }
}
