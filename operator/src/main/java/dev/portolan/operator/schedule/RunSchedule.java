package dev.portolan.operator.schedule;

import dev.portolan.control.run.RunNames;
import dev.portolan.control.schedule.Cron;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec.ConcurrencyPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Decides whether a run is due, from the policy, the runs that exist (or that the policy's status
 * remembers) and the time. Without a schedule a policy runs once per generation of its spec; with
 * one, once per due time, and only the latest due time counts (runs missed while the operator was
 * down are not made up, as a CronJob without a deadline would not). A due time before the policy
 * existed never runs. Suspended policies and, under Forbid, policies with a run in progress start
 * nothing; the run stays due and starts when that changes.
 */
public final class RunSchedule {
  private RunSchedule() {}

  /**
   * @param knownRuns names of the policy's runs that exist or were recorded in its status
   * @param activeRuns names of the policy's runs that have not ended, newest first
   */
  public static ScheduleDecision decide(ScanPolicy policy, Set<String> knownRuns, List<String> activeRuns, Instant now) {
    ScanPolicySpec spec = policy.getSpec();
    String name = policy.getMetadata().getName();
    Optional<DueRun> due;
    Optional<Instant> next = Optional.empty();
    String waiting;
    boolean onSchedule = spec.schedule() != null && !spec.schedule().isBlank();
    if (!onSchedule) {
      long generation = policy.getMetadata().getGeneration() == null ? 1 : policy.getMetadata().getGeneration();
      String run = RunNames.forGeneration(name, generation);
      due = Optional.of(new DueRun(run, DueRun.SPEC_CHANGE, now));
      waiting = "The policy runs once per change of its spec; generation " + generation + " has run as " + run + ".";
    } else {
      Cron cron;
      ZoneId zone;
      try {
        cron = Cron.parse(spec.schedule());
      } catch (IllegalArgumentException e) {
        return new ScheduleDecision(Optional.empty(), Optional.empty(), false, "InvalidSchedule", "spec.schedule: " + e.getMessage() + ".");
      }
      try {
        zone = Cron.zone(spec.timeZone());
      } catch (IllegalArgumentException e) {
        return new ScheduleDecision(Optional.empty(), Optional.empty(), false, "InvalidTimeZone", "spec.timeZone: " + e.getMessage() + ".");
      }
      ZonedDateTime at = now.atZone(zone);
      next = cron.next(at).map(ZonedDateTime::toInstant);
      Instant created = created(policy, now);
      due = cron.previous(at)
          .map(ZonedDateTime::toInstant)
          .filter(t -> !t.isBefore(created))
          .map(t -> new DueRun(RunNames.forSchedule(name, t.atZone(ZoneOffset.UTC)), DueRun.SCHEDULE, t));
      waiting = next.map(t -> "Next run at " + t + (spec.timeZone() == null ? "" : " (" + t.atZone(zone).toLocalDateTime() + " " + zone + ")") + ".")
          .orElse("The schedule never fires again.");
    }
    if (due.isPresent() && knownRuns.contains(due.get().name())) {
      due = Optional.empty();
    }
    if (spec.suspended()) {
      return new ScheduleDecision(Optional.empty(), Optional.empty(), false, "Suspended", "spec.suspend is true: no new run starts.");
    }
    if (due.isPresent() && spec.concurrencyPolicy() != ConcurrencyPolicy.Allow && !activeRuns.isEmpty()) {
      return new ScheduleDecision(
          Optional.empty(), next, true, "WaitingForActiveRun",
          "Run " + due.get().name() + " is due but waits for " + activeRuns.get(0)
              + " to end (concurrencyPolicy Forbid).");
    }
    if (due.isPresent()) {
      return new ScheduleDecision(due, next, true, "RunDue", "Run " + due.get().name() + " starts now.");
    }
    return new ScheduleDecision(Optional.empty(), next, true, onSchedule ? "Scheduled" : "RunsOnSpecChange", waiting);
  }

  /**
   * How long the policy's schedule waits between runs, as it stands at {@code now}: the longer of
   * the gaps either side of its latest due time (or, before it ever fired, the gap after its next
   * one). The longer gap, so that a schedule with a long pause (weekdays only: Friday to Monday)
   * is not taken for stale during the pause. Empty without a valid schedule, when suspended, or
   * when the schedule never fires.
   */
  public static Optional<Duration> interval(ScanPolicySpec spec, Instant now) {
    if (spec == null || spec.schedule() == null || spec.schedule().isBlank() || spec.suspended()) {
      return Optional.empty();
    }
    Cron cron;
    ZonedDateTime at;
    try {
      cron = Cron.parse(spec.schedule());
      at = now.atZone(Cron.zone(spec.timeZone()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Optional<ZonedDateTime> latest = cron.previous(at);
    Optional<ZonedDateTime> next = cron.next(at);
    if (latest.isEmpty()) {
      return next.flatMap(n -> cron.next(n).map(after -> Duration.between(n, after)));
    }
    Optional<Duration> before = cron.previous(latest.get().minusMinutes(1)).map(b -> Duration.between(b, latest.get()));
    Optional<Duration> after = next.map(n -> Duration.between(latest.get(), n));
    return Stream.of(before, after).flatMap(Optional::stream).max(Duration::compareTo);
  }

  private static Instant created(ScanPolicy policy, Instant fallback) {
    String ts = policy.getMetadata().getCreationTimestamp();
    return ts == null ? fallback : Instant.parse(ts);
  }
}
