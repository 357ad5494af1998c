package dev.portolan.scanner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ProgressLedger")
class ProgressLedgerTest {
  @Test
  @DisplayName("a checkpoint is the latest boundary at or before the safe position, with the probes sent before it")
  void latestBoundary() {
    ProgressLedger l = new ProgressLedger(10_000, 0);
    assertThat(l.width()).isEqualTo(1024);
    l.boundary(1024, 1000);
    l.boundary(2048, 2010);
    assertThat(l.checkpoint(3000)).isEqualTo(new Checkpoint(2048, 2010, 0));
    assertThat(l.checkpoint(2047)).isEqualTo(new Checkpoint(1024, 1000, 0));
    assertThat(l.checkpoint(100)).isEqualTo(new Checkpoint(0, 0, 0));
  }

  @Test
  @DisplayName("closed ports go with a checkpoint only for targets before its place, whichever pass answered")
  void closedBeforeThePlace() {
    ProgressLedger l = new ProgressLedger(4096, 0);
    l.closed(5);       // bucket 0
    l.closed(1500);    // bucket 1
    l.closed(3000);    // bucket 2: after every checkpoint below, a resumed scan probes it again
    l.boundary(1024, 1024);
    l.boundary(2048, 2048);
    l.boundary(4096, 4096);        // pass 1 starts: every target is probed again after a resume here
    l.boundary(4096 + 2048, 4600);
    assertThat(l.checkpoint(1024).closed()).isEqualTo(1);
    assertThat(l.checkpoint(2100).closed()).isEqualTo(2);
    assertThat(l.checkpoint(4096).closed()).isZero();
    assertThat(l.checkpoint(4096 + 2100)).isEqualTo(new Checkpoint(4096 + 2048, 4600, 2));
  }

  @Test
  @DisplayName("a resumed scan's first checkpoint is where it started, even off a bucket boundary")
  void resumedStart() {
    ProgressLedger l = new ProgressLedger(10_000, 1500);
    l.closed(1600);                // the start's bucket, after the start
    assertThat(l.checkpoint(1900)).isEqualTo(new Checkpoint(1500, 0, 0));
    l.boundary(2048, 548);
    assertThat(l.checkpoint(2048)).isEqualTo(new Checkpoint(2048, 548, 1));
  }

  @Test
  @DisplayName("connects checkpoint by place: a bucket boundary, never before the start, with probes and closed ports before it")
  void places() {
    ProgressLedger l = new ProgressLedger(10_000, 300);
    l.sent(400);
    l.sent(400);
    l.closed(400);
    l.sent(1100);
    assertThat(l.placeCheckpoint(1000)).isEqualTo(new Checkpoint(300, 0, 0));
    assertThat(l.placeCheckpoint(1100)).isEqualTo(new Checkpoint(1024, 2, 1));
    assertThat(l.placeCheckpoint(5000)).isEqualTo(new Checkpoint(4096, 3, 1));
  }

  @Test
  @DisplayName("buckets grow with the shard so that their number stays bounded")
  void bounded() {
    ProgressLedger l = new ProgressLedger(1L << 32, 0);
    assertThat((1L << 32) / l.width()).isLessThanOrEqualTo(ProgressLedger.MAX_BUCKETS);
    assertThat(l.isBoundary(l.width() * 3)).isTrue();
    assertThat(l.isBoundary(l.width() * 3 + 1)).isFalse();
  }
}
