package dev.portolan.crds.v1alpha1;

/**
 * The phase of a run and of each of its shards, the one list the CRD schema, the operator, the
 * agent and {@code portolan run} share. The names are the wire values.
 */
public enum RunPhase {
  /** Planned (or waiting for a scanner agent); nothing scanned yet. */
  Pending,
  /** At least one shard has started and not every shard has ended. */
  Running,
  /** Every shard finished. */
  Succeeded,
  /** Every shard ended, some of them failed. */
  PartiallySucceeded,
  /** Every shard failed. */
  Failed;

  /** Whether nothing more will happen to the run or shard. */
  public boolean terminal() {
    return this == Succeeded || this == PartiallySucceeded || this == Failed;
  }

  /** {@link #terminal()}, with null (no phase written yet) not terminal. */
  public static boolean isTerminal(RunPhase phase) {
    return phase != null && phase.terminal();
  }
}
