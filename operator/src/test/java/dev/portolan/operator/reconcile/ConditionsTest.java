package dev.portolan.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Conditions")
class ConditionsTest {
  private static final Instant T0 = Instant.parse("2026-03-10T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-03-10T11:00:00Z");

  @Test
  @DisplayName("the transition time stays while the status stays, even as reason and message change")
  void keepsTransitionTime() {
    List<Condition> first = Conditions.merge(null, List.of(Conditions.of("Running", true, "RunInProgress", "Run a is Pending.", 1L)), T0);
    assertThat(first).singleElement().extracting(Condition::lastTransitionTime).isEqualTo(T0.toString());
    List<Condition> later = Conditions.merge(first, List.of(Conditions.of("Running", true, "RunInProgress", "Run a is Running.", 2L)), T1);
    assertThat(later).singleElement().satisfies(c -> {
      assertThat(c.lastTransitionTime()).isEqualTo(T0.toString());
      assertThat(c.message()).isEqualTo("Run a is Running.");
      assertThat(c.observedGeneration()).isEqualTo(2L);
    });
  }

  @Test
  @DisplayName("a status change moves the transition time")
  void statusChange() {
    List<Condition> first = Conditions.merge(null, List.of(Conditions.of("Accepted", true, "WithinGuard", "ok.", 1L)), T0);
    List<Condition> later = Conditions.merge(first, List.of(Conditions.of("Accepted", false, "RateAboveGuard", "too fast.", 2L)), T1);
    assertThat(later).singleElement().extracting(Condition::lastTransitionTime).isEqualTo(T1.toString());
  }

  @Test
  @DisplayName("a change is a new status or reason; a new message alone is not")
  void changed() {
    List<Condition> existing = List.of(new Condition("Accepted", "False", "EmptyScope", "a", 1L, T0.toString()));
    assertThat(Conditions.changed(existing, Conditions.of("Accepted", false, "EmptyScope", "b", 2L))).isFalse();
    assertThat(Conditions.changed(existing, Conditions.of("Accepted", false, "RateAboveGuard", "b", 2L))).isTrue();
    assertThat(Conditions.changed(existing, Conditions.of("Accepted", true, "WithinGuard", "b", 2L))).isTrue();
    assertThat(Conditions.changed(null, Conditions.of("Accepted", true, "WithinGuard", "b", 2L))).isTrue();
  }
}
