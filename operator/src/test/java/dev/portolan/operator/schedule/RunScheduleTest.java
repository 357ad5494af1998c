package dev.portolan.operator.schedule;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec.ConcurrencyPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("RunSchedule")
class RunScheduleTest {
  private static final Instant CREATED = Instant.parse("2026-03-10T08:17:40Z");

  private static ScanPolicy created(ScanPolicy p, long generation) {
    p.getMetadata().setCreationTimestamp(CREATED.toString());
    p.getMetadata().setGeneration(generation);
    return p;
  }

  @Nested
  @DisplayName("without a schedule")
  class OncePerGeneration {
    @Test
    @DisplayName("the current generation's run is due until it exists")
    void generationRun() {
      ScanPolicy p = created(policy("web", "ns").build(), 3);
      ScheduleDecision d = RunSchedule.decide(p, Set.of("web-g1", "web-g2"), List.of(), CREATED.plusSeconds(5));
      assertThat(d.start()).hasValueSatisfying(r -> {
        assertThat(r.name()).isEqualTo("web-g3");
        assertThat(r.trigger()).isEqualTo(DueRun.SPEC_CHANGE);
      });
      assertThat(d.nextRunTime()).isEmpty();

      ScheduleDecision done = RunSchedule.decide(p, Set.of("web-g3"), List.of(), CREATED.plusSeconds(5));
      assertThat(done.start()).isEmpty();
      assertThat(done.reason()).isEqualTo("RunsOnSpecChange");
    }

    @Test
    @DisplayName("Forbid: waits while a run is active; Allow: starts beside it")
    void concurrency() {
      ScanPolicy forbid = created(policy("web", "ns").build(), 2);
      ScheduleDecision waits = RunSchedule.decide(forbid, Set.of("web-g1"), List.of("web-g1"), CREATED);
      assertThat(waits.start()).isEmpty();
      assertThat(waits.reason()).isEqualTo("WaitingForActiveRun");
      assertThat(waits.message()).contains("web-g2").contains("web-g1");

      ScanPolicy allow = created(policy("web", "ns").concurrency(ConcurrencyPolicy.Allow).build(), 2);
      assertThat(RunSchedule.decide(allow, Set.of("web-g1"), List.of("web-g1"), CREATED).start()).isPresent();
    }

    @Test
    @DisplayName("a suspended policy starts nothing")
    void suspended() {
      ScanPolicy p = created(policy("web", "ns").suspend(true).build(), 1);
      ScheduleDecision d = RunSchedule.decide(p, Set.of(), List.of(), CREATED);
      assertThat(d.start()).isEmpty();
      assertThat(d.scheduled()).isFalse();
      assertThat(d.reason()).isEqualTo("Suspended");
    }
  }

  @Nested
  @DisplayName("with a schedule")
  class Cron {
    @Test
    @DisplayName("the latest due time runs once; the next one is announced")
    void latestDueTime() {
      ScanPolicy p = created(policy("web", "ns").schedule("*/15 * * * *").build(), 1);
      Instant now = Instant.parse("2026-03-10T10:07:00Z");
      ScheduleDecision d = RunSchedule.decide(p, Set.of(), List.of(), now);
      assertThat(d.start()).hasValueSatisfying(r -> {
        assertThat(r.name()).isEqualTo("web-20260310-1000");
        assertThat(r.due()).isEqualTo(Instant.parse("2026-03-10T10:00:00Z"));
        assertThat(r.trigger()).isEqualTo(DueRun.SCHEDULE);
      });
      assertThat(d.nextRunTime()).contains(Instant.parse("2026-03-10T10:15:00Z"));

      ScheduleDecision again = RunSchedule.decide(p, Set.of("web-20260310-1000"), List.of(), now);
      assertThat(again.start()).isEmpty();
      assertThat(again.reason()).isEqualTo("Scheduled");
      assertThat(again.message()).isEqualTo("Next run at 2026-03-10T10:15:00Z.");
    }

    @Test
    @DisplayName("runs missed while nobody reconciled are not made up: only the latest")
    void missedRuns() {
      ScanPolicy p = created(policy("web", "ns").schedule("0 * * * *").build(), 1);
      ScheduleDecision d = RunSchedule.decide(p, Set.of("web-20260310-0900"), List.of(), Instant.parse("2026-03-10T13:30:00Z"));
      assertThat(d.start()).hasValueSatisfying(r -> assertThat(r.name()).isEqualTo("web-20260310-1300"));
    }

    @Test
    @DisplayName("a due time before the policy existed never runs")
    void notBeforeCreation() {
      ScanPolicy p = created(policy("web", "ns").schedule("0 8 * * *").build(), 1);
      ScheduleDecision d = RunSchedule.decide(p, Set.of(), List.of(), CREATED.plusSeconds(60));
      assertThat(d.start()).isEmpty();
      assertThat(d.nextRunTime()).contains(Instant.parse("2026-03-11T08:00:00Z"));
    }

    @Test
    @DisplayName("a timeZone moves the due time; run names stay in UTC so they sort across zones")
    void timeZone() {
      ScanPolicy p = created(policy("web", "ns").schedule("0 8 * * *").timeZone("Europe/Berlin").build(), 1);
      // 08:00 in Berlin in March (before the change on the 29th) is 07:00 UTC.
      ScheduleDecision d = RunSchedule.decide(p, Set.of(), List.of(), Instant.parse("2026-03-11T07:05:00Z"));
      assertThat(d.start()).hasValueSatisfying(r -> {
        assertThat(r.name()).isEqualTo("web-20260311-0700");
        assertThat(r.due()).isEqualTo(Instant.parse("2026-03-11T07:00:00Z"));
      });
      ScheduleDecision after = RunSchedule.decide(p, Set.of("web-20260311-0700"), List.of(), Instant.parse("2026-03-11T07:05:00Z"));
      assertThat(after.nextRunTime()).contains(Instant.parse("2026-03-12T07:00:00Z"));
      assertThat(after.message()).isEqualTo("Next run at 2026-03-12T07:00:00Z (2026-03-12T08:00 Europe/Berlin).");
      // After the change to summer time, 08:00 in Berlin is 06:00 UTC.
      ScheduleDecision summer = RunSchedule.decide(p, Set.of(), List.of(), Instant.parse("2026-03-30T06:01:00Z"));
      assertThat(summer.start()).hasValueSatisfying(r -> assertThat(r.due()).isEqualTo(Instant.parse("2026-03-30T06:00:00Z")));
    }

    @Test
    @DisplayName("an unknown timeZone schedules nothing and says how to mend it")
    void unknownTimeZone() {
      ScanPolicy p = created(policy("web", "ns").schedule("0 8 * * *").timeZone("Europe/Atlantis").build(), 1);
      ScheduleDecision d = RunSchedule.decide(p, Set.of(), List.of(), Instant.parse("2026-03-11T07:05:00Z"));
      assertThat(d.start()).isEmpty();
      assertThat(d.scheduled()).isFalse();
      assertThat(d.reason()).isEqualTo("InvalidTimeZone");
      assertThat(d.message()).startsWith("spec.timeZone: 'Europe/Atlantis' is not a time zone").contains("Europe/Berlin");
    }

    @Test
    @DisplayName("suspended: no run and no next time")
    void suspended() {
      ScanPolicy p = created(policy("web", "ns").schedule("0 * * * *").suspend(true).build(), 1);
      ScheduleDecision d = RunSchedule.decide(p, Set.of(), List.of(), Instant.parse("2026-03-10T13:30:00Z"));
      assertThat(d.start()).isEmpty();
      assertThat(d.nextRunTime()).isEmpty();
      assertThat(d.reason()).isEqualTo("Suspended");
    }
  }

  @Nested
  @DisplayName("interval (what a stale-policy alert compares the last success with)")
  class Interval {
    @Test
    @DisplayName("an hourly schedule waits an hour")
    void hourly() {
      ScanPolicy p = policy("web", "ns").schedule("0 * * * *").build();
      assertThat(RunSchedule.interval(p.getSpec(), Instant.parse("2026-03-10T13:30:00Z"))).contains(Duration.ofHours(1));
    }

    @Test
    @DisplayName("weekdays only: the weekend's gap counts from Friday's run until Monday's, and on Monday")
    void weekdays() {
      ScanPolicy p = policy("web", "ns").schedule("0 9 * * 1-5").build();
      // 2026-03-13 is a Friday.
      assertThat(RunSchedule.interval(p.getSpec(), Instant.parse("2026-03-12T10:00:00Z"))).contains(Duration.ofDays(1));
      assertThat(RunSchedule.interval(p.getSpec(), Instant.parse("2026-03-15T10:00:00Z"))).contains(Duration.ofDays(3));
      assertThat(RunSchedule.interval(p.getSpec(), Instant.parse("2026-03-16T10:00:00Z"))).contains(Duration.ofDays(3));
      assertThat(RunSchedule.interval(p.getSpec(), Instant.parse("2026-03-17T10:00:00Z"))).contains(Duration.ofDays(1));
    }

    @Test
    @DisplayName("read in the policy's time zone: 08:00 in Berlin follows the day before's by 25 hours when clocks go back")
    void timeZone() {
      ScanPolicy p = policy("web", "ns").schedule("0 8 * * *").timeZone("Europe/Berlin").build();
      // 2026-10-25: 08:00 CEST the day before is 06:00Z, 08:00 CET that day 07:00Z.
      assertThat(RunSchedule.interval(p.getSpec(), Instant.parse("2026-10-25T07:30:00Z"))).contains(Duration.ofHours(25));
      assertThat(RunSchedule.interval(p.getSpec(), Instant.parse("2026-10-27T07:30:00Z"))).contains(Duration.ofHours(24));
    }

    @Test
    @DisplayName("none without a schedule, when suspended, or for a schedule that does not parse")
    void none() {
      Instant now = Instant.parse("2026-03-10T13:30:00Z");
      assertThat(RunSchedule.interval(policy("web", "ns").build().getSpec(), now)).isEmpty();
      assertThat(RunSchedule.interval(policy("web", "ns").schedule("0 * * * *").suspend(true).build().getSpec(), now)).isEmpty();
      assertThat(RunSchedule.interval(policy("web", "ns").schedule("61 * * * *").build().getSpec(), now)).isEmpty();
      assertThat(RunSchedule.interval(policy("web", "ns").schedule("0 8 * * *").timeZone("Europe/Atlantis").build().getSpec(), now)).isEmpty();
    }
  }
}
