package dev.portolan.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("when a findings page is attributed again")
class PageAttributionTest {
  @Test
  @DisplayName("a page never attributed, or attributed before the last ownership change, is attributed again")
  void stale() {
    assertThat(ScanReportReconciler.attributedSince(null, null)).isFalse();
    assertThat(ScanReportReconciler.attributedSince("2026-12-04T10:00:00Z", Instant.parse("2026-12-04T10:00:01Z"))).isFalse();
  }

  @Test
  @DisplayName("times compare as instants: 10:00:00.250 is after 10:00:00 although it sorts before it as text")
  void instantsNotText() {
    // "2026-12-04T10:00:00.250Z" < "2026-12-04T10:00:00Z" as strings ('.' < 'Z').
    assertThat(ScanReportReconciler.attributedSince("2026-12-04T10:00:00Z", Instant.parse("2026-12-04T10:00:00.250Z"))).isFalse();
    assertThat(ScanReportReconciler.attributedSince("2026-12-04T10:00:00.250Z", Instant.parse("2026-12-04T10:00:00Z"))).isTrue();
    assertThat(ScanReportReconciler.attributedSince("2026-12-04T10:00:00Z", null)).isTrue();
  }
}
