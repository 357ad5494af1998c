package dev.portolan.control.aggregate;

import static dev.portolan.control.fixtures.Reports.address;
import static dev.portolan.control.fixtures.Reports.bare;
import static dev.portolan.control.fixtures.Reports.finding;
import static dev.portolan.control.fixtures.Reports.identified;
import static dev.portolan.control.fixtures.Reports.main;
import static dev.portolan.control.fixtures.Reports.page;
import static dev.portolan.control.fixtures.Reports.plan;
import static dev.portolan.control.fixtures.Reports.scope;
import static dev.portolan.control.fixtures.Reports.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.portolan.control.aggregate.ReportAggregator.PreviousRun;
import dev.portolan.control.fixtures.Reports;
import dev.portolan.control.target.Shard;
import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.ExpectationsSpec.ExposureRule;
import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Diff;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Endpoint;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ReportSummary;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.Severity;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("ReportAggregator")
class ReportAggregatorTest {
  private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  private static final String EARLIER = "2024-05-01T09:30:00Z";

  private static final ExpectationsSpec NOTHING_ALLOWED = new ExpectationsSpec(List.of());
  private static final ExpectationsSpec SSH_ONLY =
      new ExpectationsSpec(List.of(new ExposureRule("bastion ssh", List.of("10.0.0.1"), "22", null)));

  /** Shard progress by index; a null phase leaves the shard's entry out (its agent has not written yet). */
  private static Map<String, ShardStatus> shards(String... phases) {
    RunPhase[] p = new RunPhase[phases.length];
    for (int i = 0; i < phases.length; i++) {
      p[i] = phases[i] == null ? null : RunPhase.valueOf(phases[i]);
    }
    return shards(p);
  }

  private static Map<String, ShardStatus> shards(RunPhase... phases) {
    Map<String, ShardStatus> out = new HashMap<>();
    for (int i = 0; i < phases.length; i++) {
      if (phases[i] != null) {
        out.put(Integer.toString(i), shard(phases[i]));
      }
    }
    return out;
  }

  private static Map<String, ShardStatus> allSucceeded(int n) {
    String[] phases = new String[n];
    Arrays.fill(phases, RunPhase.Succeeded.name());
    return shards(phases);
  }

  private static ScanReportStatus aggregate(ScanReport report, Map<String, ShardStatus> shards, ScanReportPage... pages) {
    return ReportAggregator.aggregate(report, shards, List.of(pages), Optional.empty(), NOW);
  }

  private static Condition complete(ScanReportStatus s) {
    assertThat(s.conditions()).extracting(Condition::type).containsExactly("Complete", Condition.READY);
    Condition c = s.conditions().get(0);
    return c;
  }

  private static ScanReportStatus withCondition(String status, String since) {
    return new ScanReportStatus(
        null, null, null, null, null, null, null, null, null, null, null, null, null,
        List.of(new Condition("Complete", status, "Whatever", "Set earlier.", 1L, since)));
  }

  @Nested
  @DisplayName("phase")
  class Phase {
    @ParameterizedTest(name = "shards [{0}] -> {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "-,-                          | Pending",
          "Pending,-                    | Running",
          "Running,-                    | Running",
          "Succeeded,-                  | Running",
          "Failed,-                     | Running",
          "Succeeded,Running            | Running",
          "Failed,Running,Succeeded     | Running",
          "Succeeded,Succeeded          | Succeeded",
          "Succeeded,Succeeded,Succeeded| Succeeded",
          "Succeeded,Failed             | PartiallySucceeded",
          "Failed,Succeeded,Succeeded   | PartiallySucceeded",
          "Failed,Failed                | Failed",
          "Failed                       | Failed",
          "Succeeded                    | Succeeded"
        })
    @DisplayName("follows from the shards' phases")
    void fromShards(String phases, String expected) {
      String[] p = Arrays.stream(phases.split(",")).map(s -> s.equals("-") ? null : s).toArray(String[]::new);
      ScanReportStatus s = aggregate(main(plan(p.length)), shards(p));
      assertThat(s.phase()).isEqualTo(RunPhase.valueOf(expected));
      assertThat(complete(s).status()).isEqualTo(RunPhase.valueOf(expected).terminal() ? "True" : "False");
    }

    @Test
    @DisplayName("is Pending with no plan, waiting for a scanner agent")
    void noPlan() {
      ScanReportStatus s = aggregate(main(List.of()), shards(RunPhase.Succeeded));
      assertThat(s.phase()).isEqualTo(RunPhase.Pending);
      assertThat(s.message()).isEqualTo("Waiting for a ready scanner agent.");
      assertThat(complete(s))
          .extracting(Condition::status, Condition::reason)
          .containsExactly("False", "NoScanners");
      assertThat(complete(s).message()).contains("No ready scanner agent");
    }

    @Test
    @DisplayName("ignores progress for a shard the plan does not have")
    void strayShard() {
      Map<String, ShardStatus> progress = Map.of("7", shard(RunPhase.Succeeded));
      assertThat(aggregate(main(plan(1)), progress).phase()).isEqualTo(RunPhase.Pending);
    }

    @Test
    @DisplayName("takes absent shard progress as none")
    void nullShards() {
      assertThat(aggregate(main(plan(2)), null).phase()).isEqualTo(RunPhase.Pending);
    }

    @Test
    @DisplayName("knows which phases are terminal")
    void terminal() {
      assertThat(List.of(RunPhase.Succeeded, RunPhase.PartiallySucceeded, RunPhase.Failed)).allMatch(RunPhase::isTerminal);
      assertThat(Arrays.asList(RunPhase.Pending, RunPhase.Running, null)).noneMatch(RunPhase::isTerminal);
    }
  }

  @Nested
  @DisplayName("message and Complete condition")
  class Messages {
    @Test
    @DisplayName("a planned run no agent has started says so")
    void pending() {
      ScanReportStatus s = aggregate(main(plan(2)), Map.of());
      assertThat(s.message()).isEqualTo("Planned over 2 shards; no agent has started yet.");
      assertThat(complete(s)).extracting(Condition::status, Condition::reason).containsExactly("False", "Scanning");
    }

    @Test
    @DisplayName("a running run counts finished shards and open ports so far")
    void running() {
      ScanReportStatus s =
          aggregate(
              main(plan(2)),
              shards(RunPhase.Succeeded, RunPhase.Running),
              page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"), finding("10.0.0.2", 22, "ssh"), finding("10.0.0.3", 80, "http"))));
      assertThat(s.message()).isEqualTo("1 of 2 shards done; 3 open ports so far.");
      assertThat(complete(s))
          .isEqualTo(new Condition("Complete", "False", "Scanning", "Shards are being scanned.", 1L, NOW.toString()));
    }

    @Test
    @DisplayName("a finished run counts open ports and violations")
    void succeeded() {
      ScanReportStatus s =
          aggregate(
              main(plan(1), scope(SSH_ONLY, 10L)),
              allSucceeded(1),
              page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"), finding("10.0.0.2", 22, "ssh"))));
      assertThat(s.message()).isEqualTo("2 open ports, 1 violation.");
      assertThat(complete(s))
          .isEqualTo(new Condition("Complete", "True", "AllShardsSucceeded", "Every shard finished.", 1L, NOW.toString()));
    }

    @Test
    @DisplayName("a partly failed run names each failed shard, its node and its error")
    void partlyFailed() {
      Map<String, ShardStatus> progress =
          Map.of(
              "0", shard("node-a", RunPhase.Succeeded, 10, 0, 0, EARLIER, EARLIER, null),
              "1", shard("node-b", RunPhase.Failed, 10, 0, 0, EARLIER, EARLIER, "link eth0 went down"),
              "2", shard("node-c", RunPhase.Failed, 10, 0, 0, EARLIER, EARLIER, null));
      Condition c = complete(aggregate(main(plan(3)), progress));
      assertThat(c.status()).isEqualTo("True");
      assertThat(c.reason()).isEqualTo("SomeShardsFailed");
      assertThat(c.message()).isEqualTo("Some shards failed: shard 1 on node-b (link eth0 went down); shard 2 on node-c");
    }

    @Test
    @DisplayName("a wholly failed run says every shard failed")
    void failed() {
      Map<String, ShardStatus> progress =
          Map.of("0", shard("node-a", RunPhase.Failed, 0, 0, 0, null, null, "no CAP_NET_RAW"));
      Condition c = complete(aggregate(main(plan(1)), progress));
      assertThat(c).extracting(Condition::status, Condition::reason).containsExactly("True", "AllShardsFailed");
      assertThat(c.message()).isEqualTo("Every shard failed: shard 0 on node-a (no CAP_NET_RAW)");
    }

    @Test
    @DisplayName("status and condition carry the report's generation")
    void generation() {
      ScanReport r = main(plan(1));
      r.getMetadata().setGeneration(4L);
      ScanReportStatus s = aggregate(r, Map.of());
      assertThat(s.observedGeneration()).isEqualTo(4L);
      assertThat(complete(s).observedGeneration()).isEqualTo(4L);
    }
  }

  @Nested
  @DisplayName("the Complete condition's lastTransitionTime")
  class TransitionTime {
    @Test
    @DisplayName("is now when there was no condition")
    void first() {
      assertThat(complete(aggregate(main(plan(1)), Map.of())).lastTransitionTime()).isEqualTo(NOW.toString());
    }

    @Test
    @DisplayName("is kept while the run stays incomplete, even as the reason changes")
    void keptWhileFalse() {
      ScanReport r = main(plan(2));
      r.setStatus(withCondition("False", EARLIER));
      assertThat(complete(aggregate(r, Map.of())).lastTransitionTime()).isEqualTo(EARLIER);
      assertThat(complete(aggregate(r, shards(RunPhase.Running))).lastTransitionTime()).isEqualTo(EARLIER);
      ScanReport noPlan = main(List.of());
      noPlan.setStatus(withCondition("False", EARLIER));
      assertThat(complete(aggregate(noPlan, Map.of()))).extracting(Condition::reason, Condition::lastTransitionTime).containsExactly("NoScanners", EARLIER);
    }

    @Test
    @DisplayName("is now when the run completes")
    void changesOnCompletion() {
      ScanReport r = main(plan(1));
      r.setStatus(withCondition("False", EARLIER));
      assertThat(complete(aggregate(r, allSucceeded(1))).lastTransitionTime()).isEqualTo(NOW.toString());
    }

    @Test
    @DisplayName("is kept on every later reconcile of a completed run")
    void keptWhileTrue() {
      ScanReport r = main(plan(1));
      r.setStatus(withCondition("True", EARLIER));
      assertThat(complete(aggregate(r, allSucceeded(1))).lastTransitionTime()).isEqualTo(EARLIER);
      assertThat(complete(aggregate(r, shards(RunPhase.Failed))).lastTransitionTime()).isEqualTo(EARLIER);
    }

    @Test
    @DisplayName("is now when a recorded True no longer holds")
    void changesBack() {
      ScanReport r = main(plan(1));
      r.setStatus(withCondition("True", EARLIER));
      assertThat(complete(aggregate(r, shards(RunPhase.Running))).lastTransitionTime()).isEqualTo(NOW.toString());
    }

    @Test
    @DisplayName("ignores conditions of other types")
    void otherTypes() {
      ScanReport r = main(plan(1));
      r.setStatus(
          new ScanReportStatus(
              null, null, null, null, null, null, null, null, null, null, null, null, null,
              List.of(new Condition("Other", "False", "X", "y.", 1L, EARLIER))));
      assertThat(complete(aggregate(r, Map.of())).lastTransitionTime()).isEqualTo(NOW.toString());
    }
  }

  @Nested
  @DisplayName("times and rates")
  class Times {
    @Test
    @DisplayName("start at the earliest shard start and complete at the latest shard completion")
    void span() {
      Map<String, ShardStatus> progress =
          Map.of(
              "0", shard("node-a", RunPhase.Succeeded, 6_000, 5_000, 900, "2024-05-01T11:00:10Z", "2024-05-01T11:01:00Z", null),
              "1", shard("node-b", RunPhase.Succeeded, 4_000, 3_000, 800, "2024-05-01T11:00:00Z", "2024-05-01T11:01:40Z", null));
      ScanReportStatus s = aggregate(main(plan(2)), progress);
      assertThat(s.startTime()).isEqualTo("2024-05-01T11:00:00Z");
      assertThat(s.completionTime()).isEqualTo("2024-05-01T11:01:40Z");
      assertThat(s.summary().durationSeconds()).isEqualTo(100.0);
      assertThat(s.summary().probesSent()).isEqualTo(10_000L);
      assertThat(s.summary().rate()).isEqualTo(100.0);
      assertThat(s.summary().closed()).isEqualTo(8_000L);
      assertThat(s.summary().filtered()).isEqualTo(1_700L);
    }

    @Test
    @DisplayName("a running run has no completion time, and its duration runs until now")
    void running() {
      Map<String, ShardStatus> progress =
          Map.of("0", shard("node-a", RunPhase.Running, 7_200, 0, 0, "2024-05-01T11:00:00Z", null, null));
      ScanReportStatus s = aggregate(main(plan(1)), progress);
      assertThat(s.completionTime()).isNull();
      assertThat(s.summary().durationSeconds()).isEqualTo(3_600.0);
      assertThat(s.summary().rate()).isEqualTo(2.0);
    }

    @Test
    @DisplayName("a completed run whose shards recorded no completion time completes now")
    void completesNow() {
      ScanReportStatus s = aggregate(main(plan(1)), allSucceeded(1));
      assertThat(s.completionTime()).isEqualTo(NOW.toString());
    }

    @Test
    @DisplayName("without a start time there is no duration or rate")
    void noStart() {
      ScanReportStatus s = aggregate(main(plan(1)), shards(RunPhase.Running));
      assertThat(s.startTime()).isNull();
      assertThat(s.summary().durationSeconds()).isNull();
      assertThat(s.summary().rate()).isNull();
    }

    @Test
    @DisplayName("a run of no measurable duration has no rate")
    void zeroDuration() {
      Map<String, ShardStatus> progress =
          Map.of("0", shard("node-a", RunPhase.Succeeded, 10, 0, 0, EARLIER, EARLIER, null));
      ScanReportStatus s = aggregate(main(plan(1)), progress);
      assertThat(s.summary().durationSeconds()).isZero();
      assertThat(s.summary().rate()).isNull();
    }

    @Test
    @DisplayName("compares times as instants, whether or not they carry fractions of a second")
    void fractions() {
      Map<String, ShardStatus> progress =
          Map.of(
              "0", shard("node-a", RunPhase.Succeeded, 10, 0, 0, "2024-05-01T11:00:00Z", "2024-05-01T11:01:40.250Z", null),
              "1", shard("node-b", RunPhase.Succeeded, 10, 0, 0, "2024-05-01T11:00:00.500Z", "2024-05-01T11:01:40Z", null));
      ScanReportStatus s = aggregate(main(plan(2)), progress);
      assertThat(s.startTime()).isEqualTo("2024-05-01T11:00:00Z");
      assertThat(s.completionTime()).isEqualTo("2024-05-01T11:01:40.250Z");
    }

    @Test
    @DisplayName("a shard time that is not RFC 3339 does not stop the aggregation")
    void malformedTime() {
      Map<String, ShardStatus> progress =
          Map.of("0", shard("node-a", RunPhase.Succeeded, 10, 0, 0, "yesterday", "2024-05-01T11:01:40Z", null));
      assertThatCode(() -> aggregate(main(plan(1)), progress)).doesNotThrowAnyException();
    }
  }

  @Nested
  @DisplayName("findings")
  class Findings {
    @Test
    @DisplayName("are deduplicated across pages by ip:port, keeping the better identified")
    void dedupeKeepsBetter() {
      Finding poor = bare("10.0.0.1", 22);
      Finding rich = identified("10.0.0.1", 22, "ssh", "OpenSSH", "9.6");
      for (List<ScanReportPage> pages :
          List.of(
              List.of(page(0, 1, List.of(poor)), page(0, 2, List.of(rich))),
              List.of(page(0, 1, List.of(rich)), page(0, 2, List.of(poor))))) {
        ScanReportStatus s = ReportAggregator.aggregate(main(plan(1)), allSucceeded(1), pages, Optional.empty(), NOW);
        assertThat(s.findings()).containsExactly(rich);
        assertThat(s.summary().open()).isEqualTo(1L);
      }
    }

    @Test
    @DisplayName("prefer a known version over a bare service name")
    void versionWins() {
      Finding serviceOnly = finding("10.0.0.1", 22, "ssh");
      Finding withVersion = identified("10.0.0.1", 22, "ssh", "OpenSSH", "9.6");
      ScanReportStatus s =
          aggregate(main(plan(2)), allSucceeded(2), page(1, 1, List.of(withVersion)), page(0, 1, List.of(serviceOnly)));
      assertThat(s.findings()).containsExactly(withVersion);
    }

    @Test
    @DisplayName("are deduplicated within a page too (a resumed shard reporting a port again)")
    void dedupeWithinPage() {
      ScanReportStatus s =
          aggregate(
              main(plan(1)), allSucceeded(1),
              page(0, 1, List.of(bare("10.0.0.1", 80), finding("10.0.0.1", 80, "http"), bare("10.0.0.1", 80))));
      assertThat(s.findings()).containsExactly(finding("10.0.0.1", 80, "http"));
    }

    @Test
    @DisplayName("are listed by address (numerically) then port")
    void order() {
      ScanReportStatus s =
          aggregate(
              main(plan(1)), allSucceeded(1),
              page(0, 1, List.of(finding("10.0.0.10", 22, "ssh"), finding("10.0.0.9", 443, "https"), finding("9.255.0.1", 1, "x"))),
              page(0, 2, List.of(finding("10.0.0.9", 80, "http"), finding("192.168.0.1", 22, "ssh"))));
      assertThat(s.findings())
          .extracting(Finding::key)
          .containsExactly("9.255.0.1:1", "10.0.0.9:80", "10.0.0.9:443", "10.0.0.10:22", "192.168.0.1:22");
    }

    @Test
    @DisplayName("are the same whatever order the pages come in")
    void pageOrder() {
      List<ScanReportPage> pages = new ArrayList<>();
      for (int p = 1; p <= 12; p++) {
        List<Finding> fs = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
          fs.add(i % 2 == 0 ? bare(address(i), 443) : finding(address(i + p), 443, "https"));
        }
        pages.add(page(p % 3, p, fs));
      }
      ScanReportStatus expected = ReportAggregator.aggregate(main(plan(3)), allSucceeded(3), pages, Optional.empty(), NOW);
      Collections.reverse(pages);
      assertThat(ReportAggregator.aggregate(main(plan(3)), allSucceeded(3), pages, Optional.empty(), NOW)).isEqualTo(expected);
      Collections.shuffle(pages, new Random(3));
      assertThat(ReportAggregator.aggregate(main(plan(3)), allSucceeded(3), pages, Optional.empty(), NOW)).isEqualTo(expected);
    }

    @Test
    @DisplayName("are inlined on the main report when there are at most 100")
    void inlineUpTo100() {
      List<Finding> fs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        fs.add(finding(address(i), 443, "https"));
      }
      ScanReportStatus s = aggregate(main(plan(1)), allSucceeded(1), page(0, 1, fs));
      assertThat(s.findings()).hasSize(100);
    }

    @Test
    @DisplayName("are left to the pages when there are more than 100, with the count in the summary")
    void notInlineAbove100() {
      List<Finding> fs = new ArrayList<>();
      for (int i = 0; i < 101; i++) {
        fs.add(finding(address(i), 443, "https"));
      }
      ScanReportStatus s = aggregate(main(plan(1)), allSucceeded(1), page(0, 1, fs));
      assertThat(s.findings()).isNull();
      assertThat(s.summary().open()).isEqualTo(101L);
    }

    @Test
    @DisplayName("the pages are named in order; pages without findings are listed and tolerated")
    void pageNames() {
      ScanReportPage empty = page(1, 1, null);
      ScanReportPage noStatus = page(0, 2, null);
      noStatus.setStatus(null);
      ScanReportStatus s =
          aggregate(main(plan(2)), allSucceeded(2), empty, page(0, 1, List.of(bare("10.0.0.1", 22))), noStatus);
      assertThat(s.pages()).containsExactly(Reports.RUN + "-s0-p1", Reports.RUN + "-s0-p2", Reports.RUN + "-s1-p1");
      assertThat(s.summary().open()).isEqualTo(1L);
    }

    @Test
    @DisplayName("a run without pages lists none and has no findings")
    void noPages() {
      ScanReportStatus s = aggregate(main(plan(1)), allSucceeded(1));
      assertThat(s.pages()).isNull();
      assertThat(s.findings()).isEmpty();
      assertThat(s.summary().open()).isZero();
      assertThat(s.summary().hosts()).isZero();
    }
  }

  @Nested
  @DisplayName("summary")
  class Summary {
    @Test
    @DisplayName("counts open ports, distinct hosts, services (unidentified as unknown) and the planned probes")
    void counts() {
      ScanReportStatus s =
          aggregate(
              main(plan(1), scope(null, 196_608L)), allSucceeded(1),
              page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"), finding("10.0.0.1", 443, "https"), finding("10.0.0.2", 22, "ssh"))),
              page(0, 2, List.of(bare("10.0.0.3", 8080), finding("10.0.0.2", 22, "ssh"))));
      ReportSummary sum = s.summary();
      assertThat(sum.open()).isEqualTo(4L);
      assertThat(sum.hosts()).isEqualTo(3L);
      assertThat(sum.byService()).containsExactly(Map.entry("https", 1L), Map.entry("ssh", 2L), Map.entry("unknown", 1L));
      assertThat(sum.targets()).isEqualTo(196_608L);
      assertThat(sum.violations()).isZero();
    }

    @Test
    @DisplayName("counts no targets for a report without a scope, and then knows no expectations")
    void noScope() {
      ScanReport r = main(plan(1), null);
      ScanReportStatus s = aggregate(r, allSucceeded(1), page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"))));
      assertThat(s.summary().targets()).isZero();
      assertThat(s.violations()).isNull();
    }

    @Test
    @DisplayName("without expectations lists no violations")
    void noExpectations() {
      ScanReportStatus s = aggregate(main(plan(1)), allSucceeded(1), page(0, 1, List.of(finding("10.0.0.1", 23, "telnet"))));
      assertThat(s.violations()).isNull();
      assertThat(s.summary().violations()).isZero();
    }

    @Test
    @DisplayName("lists the violations the expectations find")
    void violations() {
      ScanReportStatus s =
          aggregate(
              main(plan(1), scope(SSH_ONLY, 10L)), allSucceeded(1),
              page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"), finding("10.0.0.1", 23, "telnet"), finding("10.0.0.2", 22, "ssh"))));
      assertThat(s.violations())
          .containsExactly(
              new Violation("10.0.0.1", 23, "telnet", "10.0.0.1 port 23 (telnet) is open and no expectation allows it; the nearest,"
                  + " rule 1 'bastion ssh', does not: it allows port 22, not 23", null, "rule 1 'bastion ssh'", null, Severity.medium),
              new Violation("10.0.0.2", 22, "ssh", "10.0.0.2 port 22 (ssh) is open and no expectation allows it; the nearest,"
                  + " rule 1 'bastion ssh', does not: it covers 10.0.0.1, not 10.0.0.2", null, "rule 1 'bastion ssh'", null,
                  Severity.medium));
      assertThat(s.summary().violations()).isEqualTo(2L);
    }

    @Test
    @DisplayName("bounds the violation list to 100 and counts them all")
    void violationsBounded() {
      List<Finding> fs = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        fs.add(finding(address(i), 443, "https"));
      }
      ScanReportStatus s = aggregate(main(plan(1), scope(NOTHING_ALLOWED, 10L)), allSucceeded(1), page(0, 1, fs));
      assertThat(s.violations()).hasSize(ReportAggregator.MAX_LISTED);
      assertThat(s.violations()).extracting(Violation::ip).startsWith("10.0.0.0", "10.0.0.1").endsWith("10.0.0.99");
      assertThat(s.summary().violations()).isEqualTo(250L);
    }
  }

  @Nested
  @DisplayName("diff against the previous run")
  class Diffs {
    private final PreviousRun previous =
        PreviousRun.of(
            "lab-segmentation-g3",
            List.of(page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"), finding("10.0.0.2", 80, "http"), finding("10.0.0.3", 3306, "mysql")))));

    private ScanReportStatus run(Map<String, ShardStatus> shards, List<Finding> now) {
      return ReportAggregator.aggregate(main(plan(1)), shards, List.of(page(0, 1, now)), Optional.of(previous), NOW);
    }

    @Test
    @DisplayName("lists what was added and removed once the run is complete")
    void complete() {
      ScanReportStatus s =
          run(allSucceeded(1), List.of(finding("10.0.0.1", 22, "ssh"), finding("10.0.0.2", 80, "http"), finding("10.0.0.4", 443, "https")));
      assertThat(s.diff())
          .isEqualTo(
              new Diff(
                  "lab-segmentation-g3", List.of(new Endpoint("10.0.0.4", 443, "https")),
                  List.of(new Endpoint("10.0.0.3", 3306, "mysql")), 1L, 1L));
      assertThat(s.summary().newExposures()).isEqualTo(1L);
      assertThat(s.summary().closedExposures()).isEqualTo(1L);
    }

    @Test
    @DisplayName("lists nothing as removed while the run is still scanning (it may not have reached it yet)")
    void running() {
      ScanReportStatus s = run(shards(RunPhase.Running), List.of(finding("10.0.0.4", 443, "https")));
      assertThat(s.diff().added()).containsExactly(new Endpoint("10.0.0.4", 443, "https"));
      assertThat(s.diff().removed()).isEmpty();
      assertThat(s.diff().removedCount()).isZero();
      assertThat(s.summary().closedExposures()).isZero();
    }

    @Test
    @DisplayName("counts removals for a failed run too: it is complete")
    void failedRun() {
      ScanReportStatus s = run(shards(RunPhase.Failed), List.of());
      assertThat(s.diff().removedCount()).isEqualTo(3L);
    }

    @Test
    @DisplayName("compares by ip:port: a port whose service changed is neither added nor removed")
    void byKey() {
      ScanReportStatus s =
          run(allSucceeded(1), List.of(finding("10.0.0.1", 22, "ssh"), finding("10.0.0.2", 80, "http-proxy"), finding("10.0.0.3", 3306, "mysql")));
      assertThat(s.diff()).isEqualTo(new Diff("lab-segmentation-g3", List.of(), List.of(), 0L, 0L));
    }

    @Test
    @DisplayName("bounds both lists to 100 and counts everything")
    void bounded() {
      List<Finding> before = new ArrayList<>();
      List<Finding> after = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        before.add(finding(address(i), 22, "ssh"));
        after.add(finding(address(1_000 + i), 22, "ssh"));
      }
      ScanReportStatus s =
          ReportAggregator.aggregate(
              main(plan(1)), allSucceeded(1), List.of(page(0, 1, after)),
              Optional.of(PreviousRun.of("prev", List.of(page(0, 1, before)))), NOW);
      assertThat(s.diff().added()).hasSize(100);
      assertThat(s.diff().removed()).hasSize(100);
      assertThat(s.diff().addedCount()).isEqualTo(150L);
      assertThat(s.diff().removedCount()).isEqualTo(150L);
      assertThat(s.summary().newExposures()).isEqualTo(150L);
      assertThat(s.summary().closedExposures()).isEqualTo(150L);
    }

    @Test
    @DisplayName("without a previous run there is no diff, and every open port counts as new")
    void noPrevious() {
      ScanReportStatus s = aggregate(main(plan(1)), allSucceeded(1), page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"), finding("10.0.0.2", 22, "ssh"))));
      assertThat(s.diff()).isNull();
      assertThat(s.summary().newExposures()).isEqualTo(2L);
      assertThat(s.summary().closedExposures()).isZero();
    }

    @Test
    @DisplayName("the previous run's findings are read from its pages, once per ip:port")
    void previousRunOf() {
      ScanReportPage empty = page(0, 3, null);
      empty.setStatus(null);
      PreviousRun p =
          PreviousRun.of(
              "prev",
              List.of(
                  page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"))),
                  page(0, 2, List.of(finding("10.0.0.1", 22, "other"), finding("10.0.0.2", 22, "ssh"))),
                  empty));
      assertThat(p.report()).isEqualTo("prev");
      assertThat(p.findings()).containsOnlyKeys("10.0.0.1:22", "10.0.0.2:22");
      assertThat(p.findings().get("10.0.0.1:22").service()).isEqualTo("ssh");
    }
  }

  @Nested
  @DisplayName("a status edited by hand")
  class HandEdited {
    private ScanReportStatus forged(List<Condition> conditions) {
      Map<String, ShardStatus> fakeShards = Map.of("0", shard(RunPhase.Succeeded), "1", shard(RunPhase.Succeeded));
      ReportSummary fakeSummary =
          new ReportSummary(1L, 1L, 1L, 9_999L, 0L, 0L, Map.of("gopher", 9_999L), 0L, 0L, 0L, 1.0, 1.0);
      return new ScanReportStatus(
          RunPhase.Succeeded, "All clear, nothing to see.", 99L, "2000-01-01T00:00:00Z", "2000-01-01T00:00:01Z",
          fakeShards, fakeSummary, List.of(finding("1.2.3.4", 1, "gopher")), List.of("forged-page"),
          new Diff("forged", List.of(), List.of(), 0L, 0L), List.of(), null, null, conditions);
    }

    private ScanReportStatus run(ScanReport r) {
      return ReportAggregator.aggregate(
          r, shards(RunPhase.Succeeded, RunPhase.Running),
          List.of(page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"), finding("10.0.0.5", 23, "telnet")))),
          Optional.of(PreviousRun.of("prev", List.of(page(0, 1, List.of(finding("10.0.0.9", 80, "http")))))), NOW);
    }

    @Test
    @DisplayName("does not influence the result: phase, summary, findings, pages, diff and violations are recomputed")
    void recomputed() {
      ScanReport honest = main(plan(2), scope(SSH_ONLY, 10L));
      ScanReport edited = main(plan(2), scope(SSH_ONLY, 10L));
      edited.setStatus(forged(null));
      ScanReportStatus s = run(edited);
      assertThat(s).isEqualTo(run(honest));
      assertThat(s.phase()).isEqualTo(RunPhase.Running);
      assertThat(s.summary().open()).isEqualTo(2L);
      assertThat(s.summary().violations()).isEqualTo(1L);
      assertThat(s.pages()).containsExactly(Reports.RUN + "-s0-p1");
      assertThat(s.observedGeneration()).isEqualTo(1L);
    }

    @Test
    @DisplayName("influences only the Complete condition's transition time, when its status still holds")
    void onlyTransitionTime() {
      ScanReport honest = main(plan(2), scope(SSH_ONLY, 10L));
      ScanReport edited = main(plan(2), scope(SSH_ONLY, 10L));
      edited.setStatus(forged(List.of(new Condition("Complete", "False", "Forged", "Forged.", 99L, EARLIER))));
      ScanReportStatus fromEdited = run(edited);
      ScanReportStatus fromHonest = run(honest);
      assertThat(complete(fromEdited).lastTransitionTime()).isEqualTo(EARLIER);
      assertThat(complete(fromHonest).lastTransitionTime()).isEqualTo(NOW.toString());
      Condition c = complete(fromHonest);
      assertThat(complete(fromEdited))
          .isEqualTo(new Condition(c.type(), c.status(), c.reason(), c.message(), c.observedGeneration(), EARLIER));
      assertThat(withoutConditions(fromEdited)).isEqualTo(withoutConditions(fromHonest));
    }

    @Test
    @DisplayName("a forged True condition on a running run is replaced, with a new transition time")
    void forgedTrue() {
      ScanReport edited = main(plan(2));
      edited.setStatus(forged(List.of(new Condition("Complete", "True", "AllShardsSucceeded", "Forged.", 1L, EARLIER))));
      assertThat(complete(run(edited)))
          .extracting(Condition::status, Condition::reason, Condition::lastTransitionTime)
          .containsExactly("False", "Scanning", NOW.toString());
    }

    private ScanReportStatus withoutConditions(ScanReportStatus s) {
      return new ScanReportStatus(
          s.phase(), s.message(), s.observedGeneration(), s.startTime(), s.completionTime(), s.shards(), s.summary(),
          s.findings(), s.pages(), s.diff(), s.violations(), s.brokenPaths(), s.index(), null);
    }
  }

  @Test
  @DisplayName("is pure: the same inputs give the same status, and the inputs are left as they were")
  void pure() {
    ScanReport r = main(plan(2), scope(NOTHING_ALLOWED, 10L));
    Collection<ScanReportPage> pages = List.of(page(0, 1, List.of(finding("10.0.0.1", 22, "ssh"))), page(1, 1, List.of(bare("10.0.0.1", 22))));
    Map<String, ShardStatus> progress = shards(RunPhase.Succeeded, RunPhase.Running);
    ScanReportStatus first = ReportAggregator.aggregate(r, progress, pages, Optional.empty(), NOW);
    assertThat(ReportAggregator.aggregate(r, progress, pages, Optional.empty(), NOW)).isEqualTo(first);
    assertThat(r.getStatus()).isNull();
    assertThat(pages.iterator().next().getSpec().findings()).containsExactly(finding("10.0.0.1", 22, "ssh"));
  }
}
