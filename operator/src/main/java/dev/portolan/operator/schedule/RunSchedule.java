package dev.portolan.operator.schedule;

import dev.portolan.control.run.RunNames;
import dev.portolan.control.schedule.Cron;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec.ConcurrencyPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

  private static Instant created(ScanPolicy policy, Instant fallback) {
    String ts = policy.getMetadata().getCreationTimestamp();
    return ts == null ? fallback : Instant.parse(ts);
  }
}
