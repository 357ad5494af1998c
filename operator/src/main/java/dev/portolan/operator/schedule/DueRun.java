package dev.portolan.operator.schedule;

import java.time.Instant;

/**
 * A run that should exist now: its deterministic name, what triggered it ("spec-change" or
 * "schedule") and the time it became due.
 */
public record DueRun(String name, String trigger, Instant due) {
  public static final String SPEC_CHANGE = "spec-change";
  public static final String SCHEDULE = "schedule";
}
