package dev.portolan.operator.it;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portolan.control.guard.GuardConfig;
import dev.portolan.crds.v1alpha1.Condition;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.operator.support.Harness;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Policies outside the scan guard do not run, and say why.
 *
 * <p>What the mock cannot prove: that the schema (patterns, CEL rules) refuses at apply time what
 * it can; here every policy reaches the operator, which is the guard's own case.
 */
@DisplayName("the scan guard")
class GuardIT {
  private static Harness h;

  @BeforeAll
  static void start() {
    h = new Harness("guard");
    h.readyAgents("node-a");
    h.start(h.config()
        .guard(new GuardConfig(List.of("10.0.0.0/8", "169.254.0.0/16"), null, 500L, null).withNamespaces(List.of(h.platformGrant())))
        .build());
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static Optional<Condition> condition(ScanPolicy p, String type) {
    return p.getStatus() == null || p.getStatus().conditions() == null
        ? Optional.empty()
        : p.getStatus().conditions().stream().filter(c -> type.equals(c.type())).findFirst();
  }

  private static ScanPolicy awaitAccepted(String name, String status) {
    return h.awaitPolicy(name, p -> condition(p, "Accepted").map(c -> status.equals(c.status())).orElse(false));
  }

  @Test
  @DisplayName("a scope outside the allowed ranges: Accepted=False, a Warning Event, and no run")
  void outsideAllowedScope() {
    h.apply(policy("public", h.ns).cidrs("8.8.8.0/30").build());
    ScanPolicy p = awaitAccepted("public", "False");
    Condition accepted = condition(p, "Accepted").orElseThrow();
    assertThat(accepted.reason()).isEqualTo("OutsideAllowedScope");
    assertThat(accepted.message()).contains("8.8.8.0").contains("outside the ranges the guard allows");
    assertThat(condition(p, "Scheduled").orElseThrow().reason()).isEqualTo("NotAccepted");
    assertThat(p.getStatus().workload()).isNull();
    // The status is written after the run would have been created, in the same reconcile.
    assertThat(h.runs("public")).isEmpty();
    if (h.cluster.hasCoreApi()) {
      await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(h.events("public", "OutsideAllowedScope"))
          .singleElement().satisfies(e -> assertThat(e.getType()).isEqualTo("Warning")));
    }
  }

  @Test
  @DisplayName("a rate above the guard's cap is refused")
  void rateAboveGuard() {
    h.apply(policy("fast", h.ns).rate(1000).build());
    ScanPolicy p = awaitAccepted("fast", "False");
    assertThat(condition(p, "Accepted").orElseThrow().reason()).isEqualTo("RateAboveGuard");
    assertThat(h.runs("fast")).isEmpty();
  }

  @Test
  @DisplayName("a scope of only always-excluded addresses is empty")
  void onlyExcludedAddresses() {
    h.apply(policy("metadata", h.ns).cidrs("169.254.169.254").build());
    ScanPolicy p = awaitAccepted("metadata", "False");
    assertThat(condition(p, "Accepted").orElseThrow().reason()).isEqualTo("EmptyScope");
    assertThat(h.runs("metadata")).isEmpty();
  }

  @Test
  @DisplayName("once fixed, the policy is accepted and runs; the rejection was reported once")
  void fixedPolicyRuns() {
    h.apply(policy("later", h.ns).cidrs("8.8.4.0/30").build());
    awaitAccepted("later", "False");
    h.apply(policy("later", h.ns).cidrs("10.8.4.0/30").build());
    ScanPolicy p = awaitAccepted("later", "True");
    assertThat(condition(p, "Accepted").orElseThrow().reason()).isEqualTo("WithinGuard");
    h.awaitReport("later-g2", r -> r.getSpec().audit().policyGeneration() == 2L);
    assertThat(h.runs("later")).extracting(r -> r.getMetadata().getName()).containsExactly("later-g2");
    if (h.cluster.hasCoreApi()) {
      assertThat(h.events("later", "OutsideAllowedScope")).hasSize(1);
    }
  }
}
