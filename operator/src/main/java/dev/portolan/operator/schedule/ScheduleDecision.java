package dev.portolan.operator.schedule;

import java.time.Instant;
import java.util.Optional;

/**
 * What the schedule says now: the run to start, if any; when the next one is due, if the policy
 * has a schedule; and why, as the policy's {@code Scheduled} condition ({@code reason} CamelCase,
 * {@code message} a sentence).
 */
public record ScheduleDecision(Optional<DueRun> start, Optional<Instant> nextRunTime, boolean scheduled, String reason, String message) {}
