package dev.portolan.scanner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("RateLimiter")
class RateLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  /**
   * A virtual clock: time passes only when the limiter sleeps (by the requested time plus a fixed
   * overshoot, as a real park overshoots) or when the test says the caller worked.
   */
  static final class VirtualTicker implements Ticker {
    long now = 123 * SECOND; // the limiter must not assume the clock starts at zero
    final long overshootNanos;
    long sleeps;

    VirtualTicker(long overshootNanos) {
      this.overshootNanos = overshootNanos;
    }

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      assertThat(nanos).as("a sleep request").isPositive();
      sleeps++;
      now += nanos + overshootNanos;
    }

    void work(long nanos) {
      now += nanos;
    }
  }

  /** What a simulated sender saw: how many probes, the largest batch, and the grant times. */
  record Run(long probes, int largestBatch, long smallestGapNanos) {}

  /**
   * Drives a limiter for {@code seconds} of virtual time like a sender would: acquire, then spend
   * {@code costPerProbe} per probe granted (plus random stalls of up to {@code jitter}).
   */
  private static Run drive(double rate, long overshoot, long costPerProbe, long jitter, long seconds) {
    VirtualTicker clock = new VirtualTicker(overshoot);
    RateLimiter limiter = new RateLimiter(rate, clock);
    SplittableRandom random = new SplittableRandom(17);
    long start = clock.now;
    long end = start + seconds * SECOND;
    long probes = 0;
    int largest = 0;
    long lastGrant = Long.MIN_VALUE;
    long smallestGap = Long.MAX_VALUE;
    while (true) {
      int granted = limiter.acquire(Integer.MAX_VALUE);
      if (clock.now >= end) {
        break;
      }
      assertThat(granted).isBetween(1, limiter.maxBatch());
      probes += granted;
      largest = Math.max(largest, granted);
      if (lastGrant != Long.MIN_VALUE) {
        smallestGap = Math.min(smallestGap, clock.now - lastGrant);
      }
      lastGrant = clock.now;
      clock.work(granted * costPerProbe + (jitter > 0 ? random.nextLong(jitter) : 0));
    }
    return new Run(probes, largest, smallestGap);
  }

  @Nested
  @DisplayName("holds the average rate within 2%")
  class AverageRate {
    @ParameterizedTest(name = "{0} pps, {1} s, a punctual sender")
    @CsvSource({"10, 2000", "1000, 20", "100000, 2", "1500000, 2"})
    void punctualSender(double rate, long seconds) {
      Run run = drive(rate, 0, 0, 0, seconds);
      assertThat((double) run.probes()).isCloseTo(rate * seconds, within(rate * seconds * 0.02));
    }

    @ParameterizedTest(name = "{0} pps, {1} s, sleeps overshooting by 55 us")
    @CsvSource({"10, 2000", "1000, 20", "100000, 2", "1500000, 2"})
    void overshootingSleeps(double rate, long seconds) {
      Run run = drive(rate, 55_000, 0, 0, seconds);
      assertThat((double) run.probes()).isCloseTo(rate * seconds, within(rate * seconds * 0.02));
    }

    @ParameterizedTest(name = "{0} pps, {1} s, a sender that spends time per probe and stalls at random")
    @CsvSource({"10, 2000, 2000000, 50000000", "1000, 20, 20000, 500000", "100000, 2, 400, 20000",
        "1500000, 2, 200, 20000"})
    void busySender(double rate, long seconds, long costPerProbe, long jitter) {
      Run run = drive(rate, 20_000, costPerProbe, jitter, seconds);
      assertThat((double) run.probes()).isCloseTo(rate * seconds, within(rate * seconds * 0.02));
    }

    @Test
    @DisplayName("exactly, to the probe, for rates that do not divide a second evenly (3 pps, 1.3 Mpps)")
    void oddRates() {
      assertThat(drive(3, 0, 0, 0, 3000).probes()).isBetween(9000L, 9001L);
      assertThat(drive(1_300_000, 30_000, 0, 0, 3).probes()).isBetween(3_899_900L, 3_900_100L);
    }
  }

  @Nested
  @DisplayName("sends in batches that follow the rate")
  class Batches {
    @ParameterizedTest(name = "{0} pps -> batches of at most {1}")
    @CsvSource({"0.5, 1", "10, 1", "1000, 1", "1999, 1", "4000, 2", "100000, 50", "512000, 256",
        "1500000, 256", "100000000, 256"})
    void maxBatch(double rate, int expected) {
      assertThat(new RateLimiter(rate, new VirtualTicker(0)).maxBatch()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} pps")
    @ValueSource(doubles = {10, 1000, 100_000, 1_500_000})
    @DisplayName("never grants more than maxBatch, however late the sender")
    void neverAboveMaxBatch(double rate) {
      Run run = drive(rate, 300_000, 100, 3 * MS, 2);
      assertThat(run.largestBatch()).isLessThanOrEqualTo(RateLimiter.batchFor(rate));
    }

    @Test
    @DisplayName("batches do form at high rates when the sender sleeps coarsely")
    void batchesFormAtHighRates() {
      Run run = drive(1_500_000, 55_000, 0, 0, 1);
      assertThat(run.largestBatch()).isGreaterThan(50);
    }

    @Test
    @DisplayName("10 pps is one probe every 100 ms exactly, never two together")
    void tenPpsIsOneEvery100ms() {
      Run run = drive(10, 0, 0, 0, 60);
      assertThat(run.largestBatch()).isEqualTo(1);
      assertThat(run.smallestGapNanos()).isEqualTo(100 * MS);
      assertThat(run.probes()).isEqualTo(600);
    }

    @Test
    @DisplayName("below 2000 pps, a late, jittery sender still gets one probe at a time and at most two in 1/rate")
    void lowRateNeverBursts() {
      VirtualTicker clock = new VirtualTicker(2 * MS);
      RateLimiter limiter = new RateLimiter(1000, clock);
      SplittableRandom random = new SplittableRandom(3);
      ArrayDeque<Long> lastMillisecond = new ArrayDeque<>();
      for (int i = 0; i < 20_000; i++) {
        assertThat(limiter.acquire(Integer.MAX_VALUE)).isEqualTo(1);
        lastMillisecond.addLast(clock.now);
        while (lastMillisecond.peekFirst() <= clock.now - MS) {
          lastMillisecond.removeFirst();
        }
        assertThat(lastMillisecond).as("probes within one interval").hasSizeLessThanOrEqualTo(2);
        clock.work(random.nextLong(3 * MS));
      }
    }

    @Test
    @DisplayName("honours the caller's limit and hands the rest of the backlog over on the next call")
    void honoursLimit() {
      VirtualTicker clock = new VirtualTicker(0);
      RateLimiter limiter = new RateLimiter(100_000, clock); // 10 us apart, batches of 50
      assertThat(limiter.acquire(10)).isEqualTo(1); // the first probe is due at once
      clock.work(300_000); // 30 more are due
      assertThat(limiter.acquire(10)).isEqualTo(10);
      long before = clock.now;
      assertThat(limiter.acquire(100)).isEqualTo(20);
      assertThat(clock.now).as("no sleep while probes are due").isEqualTo(before);
      limiter.acquire(100);
      assertThat(clock.now).as("slept until the next one was due").isGreaterThan(before);
    }
  }

  @Nested
  @DisplayName("catches up after a stall by a bounded amount only")
  class NoCatchUp {
    @ParameterizedTest(name = "{0} pps")
    @ValueSource(doubles = {10, 1000, 100_000, 1_500_000})
    @DisplayName("a sender late by a long time gets at most catchUp() probes at once, then the normal pace")
    void oneBatchAfterStall(double rate) {
      VirtualTicker clock = new VirtualTicker(0);
      RateLimiter limiter = new RateLimiter(rate, clock);
      long interval = Math.round(SECOND / rate);
      for (int i = 0; i < 1000; i++) {
        limiter.acquire(Integer.MAX_VALUE);
      }
      clock.work(3600 * SECOND); // an hour-long stall: millions of missed slots at high rates

      assertThat(limiter.catchUp()).isBetween(limiter.maxBatch(), 4 * limiter.maxBatch());
      long afterStall = clock.now;
      long sleepsBefore = clock.sleeps;
      int first = 0;
      while (clock.sleeps == sleepsBefore) {
        int granted = limiter.acquire(Integer.MAX_VALUE);
        assertThat(granted).isLessThanOrEqualTo(limiter.maxBatch());
        if (clock.sleeps == sleepsBefore) {
          first += granted;
        }
      }
      assertThat(first).as("released without waiting after the stall").isEqualTo(limiter.catchUp());
      assertThat(clock.now - afterStall).isGreaterThanOrEqualTo(interval - 1);

      // And over the next second no more than the rate plus that one batch goes out.
      long end = afterStall + SECOND;
      long probes = first + 1;
      while (true) {
        int granted = limiter.acquire(Integer.MAX_VALUE);
        if (clock.now > end) {
          break;
        }
        probes += granted;
      }
      assertThat(probes).isLessThanOrEqualTo((long) Math.ceil(rate) + limiter.catchUp() + limiter.maxBatch() + 1);
    }

    @Test
    @DisplayName("in any window the count stays within rate x window + the catch-up allowance, whatever the stalls")
    void slidingWindowBound() {
      double rate = 100_000;
      VirtualTicker clock = new VirtualTicker(30_000);
      RateLimiter limiter = new RateLimiter(rate, clock);
      SplittableRandom random = new SplittableRandom(12);
      long window = 10 * MS;
      long bound = (long) (rate * window / SECOND) + limiter.catchUp() + 1;
      ArrayDeque<long[]> inWindow = new ArrayDeque<>();
      long count = 0;
      for (int i = 0; i < 100_000; i++) {
        int granted = limiter.acquire(Integer.MAX_VALUE);
        inWindow.addLast(new long[] {clock.now, granted});
        count += granted;
        while (inWindow.peekFirst()[0] <= clock.now - window) {
          count -= inWindow.removeFirst()[1];
        }
        assertThat(count).isLessThanOrEqualTo(bound);
        if (random.nextInt(100) == 0) {
          clock.work(random.nextLong(50 * MS)); // a GC pause or a slow syscall
        }
      }
    }
  }

  @Nested
  @DisplayName("refund")
  class Refund {
    @Test
    @DisplayName("gives back granted slots: the next call returns at once without sleeping")
    void refundedSlotsAreReused() {
      VirtualTicker clock = new VirtualTicker(0);
      RateLimiter limiter = new RateLimiter(1000, clock);
      assertThat(limiter.acquire(1)).isEqualTo(1);
      limiter.refund(1);
      long before = clock.now;
      assertThat(limiter.acquire(1)).isEqualTo(1);
      assertThat(clock.now).isEqualTo(before);
      assertThat(clock.sleeps).isZero();
      assertThat(limiter.acquire(1)).isEqualTo(1);
      assertThat(clock.now - before).isEqualTo(MS);
    }

    @Test
    @DisplayName("so probes skipped after being granted do not lower the rate of probes sent")
    void skippedTargetsDoNotLowerTheRate() {
      VirtualTicker clock = new VirtualTicker(40_000);
      RateLimiter limiter = new RateLimiter(100_000, clock);
      SplittableRandom random = new SplittableRandom(6);
      long end = clock.now + 2 * SECOND;
      long sent = 0;
      while (true) {
        int granted = limiter.acquire(Integer.MAX_VALUE);
        if (clock.now >= end) {
          break;
        }
        int skipped = random.nextInt(granted + 1); // excluded or already answered
        limiter.refund(skipped);
        sent += granted - skipped;
      }
      assertThat((double) sent).isCloseTo(200_000, within(200_000 * 0.02));
    }
  }

  @Test
  @DisplayName("returns 0 when the waiting thread is interrupted")
  void interrupted() {
    VirtualTicker clock = new VirtualTicker(0);
    RateLimiter limiter = new RateLimiter(10, clock);
    assertThat(limiter.acquire(1)).isEqualTo(1);
    Thread.currentThread().interrupt();
    try {
      assertThat(limiter.acquire(1)).isZero();
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
    assertThat(limiter.acquire(1)).as("the slot was not used up").isEqualTo(1);
  }

  @ParameterizedTest(name = "rate {0}")
  @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  @DisplayName("refuses a rate that is not a positive number")
  void refusesBadRates(double rate) {
    assertThatThrownBy(() -> new RateLimiter(rate, new VirtualTicker(0)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
