package dev.portolan.operator.reconcile;

import dev.portolan.crds.v1alpha1.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes condition conventions in one place: a condition's {@code lastTransitionTime} moves
 * only when its status changes; reason and message may change freely in between.
 */
public final class Conditions {
  private Conditions() {}

  /** A condition without a transition time (set by {@link #merge}). */
  public static Condition of(String type, boolean status, String reason, String message, Long generation) {
    return new Condition(type, status ? "True" : "False", reason, message, generation, null);
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.type())).findFirst();
  }

  /** Whether {@code desired} says something else than the condition of its type in {@code existing}. */
  public static boolean changed(List<Condition> existing, Condition desired) {
    return find(existing, desired.type())
        .map(c -> !c.status().equals(desired.status()) || !c.reason().equals(desired.reason()))
        .orElse(true);
  }

  /**
   * The desired conditions, in their order, each keeping the existing transition time when its
   * status is unchanged and taking {@code now} when it changed or is new.
   */
  public static List<Condition> merge(List<Condition> existing, List<Condition> desired, Instant now) {
    List<Condition> out = new ArrayList<>(desired.size());
    for (Condition d : desired) {
      String since = find(existing, d.type())
          .filter(c -> d.status().equals(c.status()) && c.lastTransitionTime() != null)
          .map(Condition::lastTransitionTime)
          .orElse(now.toString());
      out.add(new Condition(d.type(), d.status(), d.reason(), d.message(), d.observedGeneration(), since));
    }
    return List.copyOf(out);
  }
}
