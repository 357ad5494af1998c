package dev.portolan.operator.it;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portolan.control.run.RunNames;
import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec.ConcurrencyPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.operator.support.Harness;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * When runs start: per cron time with a clock the test moves, never while suspended, and never two
 * at a time under concurrencyPolicy Forbid.
 *
 * <p>What the mock cannot prove: nothing specific to scheduling; the clock is the operator's own.
 */
@DisplayName("scheduling")
class ScheduleIT {
  private static Harness h;

  @BeforeAll
  static void start() {
    h = new Harness("schedule");
    // Two hours ahead of the API server's clock, 30 s past the hour: the policies exist before "now".
    h.clock.set(Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(2)).plusSeconds(30));
    h.readyAgents("node-a");
    h.start(h.config().resync(Duration.ofMillis(500)).build());
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static String condition(ScanPolicy p, String type) {
    return p.getStatus() == null || p.getStatus().conditions() == null ? ""
        : p.getStatus().conditions().stream().filter(c -> type.equals(c.type())).map(Condition::reason).findFirst().orElse("");
  }

  private static void finish(String run) {
    h.agent().finish(run, 0, "node-a", 3, List.of());
    h.awaitReport(run, r -> RunPhase.Succeeded.equals(r.getStatus().phase()));
  }

  @Nested
  @DisplayName("with a cron schedule")
  class Cron {
    @Test
    @DisplayName("one run per due time; none while suspended; the due run starts when resumed")
    void hourly() {
      String name = "hourly";
      h.apply(policy(name, h.ns).schedule("0 * * * *").build());
      Instant due = h.clock.instant().truncatedTo(ChronoUnit.HOURS);
      String first = RunNames.forSchedule(name, due.atZone(ZoneOffset.UTC));
      ScanReport run = h.awaitReport(first, r -> true);
      assertThat(run.getSpec().audit().trigger()).isEqualTo("schedule");
      ScanPolicy p = h.awaitPolicy(name, x -> x.getStatus() != null && x.getStatus().nextRunTime() != null);
      assertThat(p.getStatus().nextRunTime()).isEqualTo(due.plus(Duration.ofHours(1)).toString());
      finish(first);

      h.clock.advance(Duration.ofHours(1));
      String second = RunNames.forSchedule(name, due.plus(Duration.ofHours(1)).atZone(ZoneOffset.UTC));
      h.awaitReport(second, r -> true);
      finish(second);
      assertThat(h.runs(name)).hasSize(2);

      h.apply(policy(name, h.ns).schedule("0 * * * *").suspend(true).build());
      h.awaitPolicy(name, x -> "Suspended".equals(condition(x, "Scheduled")));
      h.clock.advance(Duration.ofHours(1));
      String third = RunNames.forSchedule(name, due.plus(Duration.ofHours(2)).atZone(ZoneOffset.UTC));
      h.awaitPolicy(name, x -> x.getStatus().nextRunTime() == null && "Suspended".equals(condition(x, "Scheduled")));
      // Several reconciles at the new time pass while suspended (resync is 500 ms).
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> h.report(third) == null);

      h.apply(policy(name, h.ns).schedule("0 * * * *").suspend(false).build());
      h.awaitReport(third, r -> true);
      assertThat(h.runs(name)).hasSize(3);
    }

    @Test
    @DisplayName("a due time before the policy existed does not run")
    void noRunBeforeCreation() {
      h.apply(policy("yearly", h.ns).schedule("0 0 1 1 *").build());
      ScanPolicy p = h.awaitPolicy("yearly", x -> x.getStatus() != null && x.getStatus().nextRunTime() != null);
      assertThat(condition(p, "Scheduled")).isEqualTo("Scheduled");
      assertThat(Instant.parse(p.getStatus().nextRunTime())).isAfter(h.clock.instant());
      assertThat(h.runs("yearly")).isEmpty();
    }
  }

  @Nested
  @DisplayName("concurrency")
  class Concurrency {
    @Test
    @DisplayName("Forbid: a new generation waits for the run in progress, then runs")
    void forbid() {
      h.apply(policy("forbid", h.ns).build());
      h.awaitReport("forbid-g1", r -> r.getSpec().shards() != null && !r.getSpec().shards().isEmpty());
      h.agent().start("forbid-g1", 0, "node-a", 3);
      h.apply(policy("forbid", h.ns).ports("22").build());
      h.awaitPolicy("forbid", x -> "WaitingForActiveRun".equals(condition(x, "Scheduled")));
      assertThat(h.report("forbid-g2")).isNull();
      assertThat(h.policy("forbid").getStatus().activeRun()).isEqualTo("forbid-g1");

      finish("forbid-g1");
      h.awaitReport("forbid-g2", r -> true);
    }

    @Test
    @DisplayName("Allow: a new generation runs beside the one in progress")
    void allow() {
      h.apply(policy("allow", h.ns).concurrency(ConcurrencyPolicy.Allow).build());
      h.awaitReport("allow-g1", r -> r.getSpec().shards() != null && !r.getSpec().shards().isEmpty());
      h.agent().start("allow-g1", 0, "node-a", 3);
      h.apply(policy("allow", h.ns).concurrency(ConcurrencyPolicy.Allow).ports("22").build());
      h.awaitReport("allow-g2", r -> true);
      assertThat(h.report("allow-g1").getStatus().phase()).isEqualTo(RunPhase.Running);
    }
  }
}
