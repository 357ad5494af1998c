package dev.portolan.control.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("ScopePermutation")
class ScopePermutationTest {

  /** Asserts that position -> element is a bijection of [0, n): every element comes out exactly once. */
  private static void assertBijection(long n, long seed) {
    ScopePermutation p = new ScopePermutation(n, seed);
    assertThat(p.size()).isEqualTo(n);
    BitSet seen = new BitSet((int) n);
    for (long i = 0; i < n; i++) {
      long v = p.at(i);
      if (v < 0 || v >= n || seen.get((int) v)) {
        throw new AssertionError(
            "n=" + n + " seed=" + seed + ": position " + i + " gives " + v
                + (v >= 0 && v < n ? ", already given earlier" : ", outside [0, n)"));
      }
      seen.set((int) v);
    }
    assertThat(seen.cardinality()).isEqualTo((int) n);
  }

  @Nested
  @DisplayName("is a bijection of [0, n)")
  class Bijection {
    @Test
    @DisplayName("for every n from 1 to 2000 (exhaustively)")
    void everySmallSize() {
      for (long n = 1; n <= 2000; n++) {
        assertBijection(n, 0x5eed_0000L + n);
      }
    }

    @Test
    @DisplayName("for every n from 1 to 300 under several seeds, including 0 and -1")
    void smallSizesManySeeds() {
      long[] seeds = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, 0x9E3779B97F4A7C15L};
      for (long seed : seeds) {
        for (long n = 1; n <= 300; n++) {
          assertBijection(n, seed);
        }
      }
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(
        longs = {
          7919, 65_521, 65_537, 1_000_003, // primes
          4096, 65_536, 1_046_529, // perfect squares (64^2, 256^2, 1023^2)
          1_048_576, // 65536 hosts x 16 ports (1024^2)
          1_048_577, 1_047_553, 1_048_575, // a perfect square +1, a(a+1)+1 and -1: worst cycle walks
          16_777_217, // 2^24 + 1
          3 * 65_535 // three hosts, all ports
        })
    void awkwardSizes(long n) {
      assertBijection(n, 42);
    }
  }

  @Nested
  @DisplayName("is keyed")
  class Keyed {
    @Test
    @DisplayName("the same seed gives the same order")
    void sameSeedSameOrder() {
      for (long n : new long[] {1, 2, 17, 1000, 1_048_576, (1L << 32) * 65_535}) {
        ScopePermutation a = new ScopePermutation(n, 1234);
        ScopePermutation b = new ScopePermutation(n, 1234);
        for (long i = 0; i < Math.min(n, 10_000); i++) {
          assertThat(b.at(i)).isEqualTo(a.at(i));
        }
      }
    }

    @Test
    @DisplayName("different seeds give different orders")
    void differentSeedsDifferentOrders() {
      for (long n : new long[] {100, 1000, 65_536, 1_000_003}) {
        Set<List<Long>> prefixes = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
          ScopePermutation p = new ScopePermutation(n, seed);
          prefixes.add(List.of(p.at(0), p.at(1), p.at(2), p.at(3), p.at(4), p.at(5), p.at(6), p.at(7)));
        }
        assertThat(prefixes).as("distinct 8-element prefixes for n=%d", n).hasSize(20);
      }
    }

    @Test
    @DisplayName("two seeds agree on about as many positions as two random orders (about one)")
    void seedsAreUnrelated() {
      int n = 100_000;
      ScopePermutation a = new ScopePermutation(n, 1);
      ScopePermutation b = new ScopePermutation(n, 2);
      int agree = 0;
      int fixed = 0;
      for (int i = 0; i < n; i++) {
        if (a.at(i) == b.at(i)) {
          agree++;
        }
        if (a.at(i) == i) {
          fixed++;
        }
      }
      // For random permutations both counts are Poisson(1): 20 or more has probability ~1e-19.
      assertThat(agree).isLessThan(20);
      assertThat(fixed).isLessThan(20);
    }
  }

  @Nested
  @DisplayName("spreads probes over hosts")
  class Spread {
    private static final int HOSTS = 65_536; // 198.18.0.0/16
    private static final int PORTS = 16;
    private static final int PREFIX = 4096;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {0, 1, 7, 0xdeadbeefL, -99})
    @DisplayName("the first 4096 probes of /16 x 16 ports hit no host more than 4 times")
    void noHostHammered(long seed) {
      ScanSpace space =
          new ScanSpace(Scope.parseList(List.of("198.18.0.0/16")), PortSet.parse("1-16"));
      ScopePermutation p = new ScopePermutation(space.size(), seed);
      int[] perHost = new int[HOSTS];
      int max = 0;
      for (int i = 0; i < PREFIX; i++) {
        long index = p.at(i);
        int host = (int) (space.hosts().indexOf(space.addressAt(index)));
        max = Math.max(max, ++perHost[host]);
      }
      // Expected 1/16 probe per host; a host-major (unpermuted) order would give 16 to each of 256.
      // Poisson(1/16) reaching 5 anywhere among 65536 hosts has probability ~5e-4.
      assertThat(max).isLessThanOrEqualTo(4);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {0, 1, 7, 0xdeadbeefL, -99})
    @DisplayName("the first 4096 probes fall evenly into 64 blocks of hosts (loose chi-square)")
    void evenOverHostBlocks(long seed) {
      ScopePermutation p = new ScopePermutation((long) HOSTS * PORTS, seed);
      int buckets = 64;
      int[] counts = new int[buckets];
      int[] portCounts = new int[PORTS];
      for (int i = 0; i < PREFIX; i++) {
        long index = p.at(i);
        long host = index / PORTS;
        counts[(int) (host / (HOSTS / buckets))]++;
        portCounts[(int) (index % PORTS)]++;
      }
      // 63 degrees of freedom: mean 63, sd 11.2. 150 is ~7.7 sd out (p < 1e-12 for a uniform order),
      // while a clustered order (all probes in a few blocks) scores in the thousands.
      assertThat(chiSquare(counts, PREFIX / (double) buckets)).isLessThan(150);
      // 15 degrees of freedom: mean 15, sd 5.5; 75 is p < 1e-9.
      assertThat(chiSquare(portCounts, PREFIX / (double) PORTS)).isLessThan(75);
    }

    private static double chiSquare(int[] counts, double expected) {
      double chi = 0;
      for (int c : counts) {
        chi += (c - expected) * (c - expected) / expected;
      }
      return chi;
    }
  }

  @Nested
  @DisplayName("works at the largest scope, 2^32 hosts x 65535 ports")
  class Largest {
    private final long n = (1L << 32) * 65_535;

    @Test
    @DisplayName("every sampled position gives a distinct element in [0, n)")
    void sampleIsInRangeAndDistinct() {
      ScopePermutation p = new ScopePermutation(n, 77);
      Set<Long> seen = new HashSet<>();
      for (long i = 0; i < 50_000; i++) {
        long v = p.at(i);
        assertThat(v).isBetween(0L, n - 1);
        assertThat(seen.add(v)).as("position %d repeats an element", i).isTrue();
      }
      SplittableRandom random = new SplittableRandom(5);
      for (int k = 0; k < 50_000; k++) {
        long i = random.nextLong(n);
        long v = p.at(i);
        assertThat(v).isBetween(0L, n - 1);
        seen.add(v);
      }
      for (long i = n - 1000; i < n; i++) {
        assertThat(p.at(i)).isBetween(0L, n - 1);
      }
      // 100k draws from 2.8e14 collide with probability ~2e-5; 50k of them are provably distinct.
      assertThat(seen.size()).isGreaterThan(99_990);
    }

    @Test
    @DisplayName("the first positions land all over the space, not near the start")
    void spreadAtScale() {
      ScopePermutation p = new ScopePermutation(n, 3);
      int[] octets = new int[256];
      for (int i = 0; i < 4096; i++) {
        long host = p.at(i) / 65_535;
        octets[(int) (host >>> 24)]++;
      }
      int empty = 0;
      for (int c : octets) {
        if (c == 0) {
          empty++;
        }
      }
      // 4096 draws into 256 first octets: each expected 16; an empty one has probability ~1e-7.
      assertThat(empty).isZero();
    }
  }

  @Test
  @DisplayName("refuses an empty space")
  void refusesEmpty() {
    assertThatThrownBy(() -> new ScopePermutation(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScopePermutation(-5, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "n = {0}")
  @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 7, 10, 97, 1000, 4096, 65_537, 100_003})
  @org.junit.jupiter.api.DisplayName("indexOf inverts at: every element maps back to the position that produced it")
  void inverse(long n) {
    for (long seed : new long[] {0, 42, -7, Long.MAX_VALUE}) {
      ScopePermutation p = new ScopePermutation(n, seed);
      for (long i = 0; i < n; i++) {
        org.assertj.core.api.Assertions.assertThat(p.indexOf(p.at(i))).as("n=%d seed=%d i=%d", n, seed, i).isEqualTo(i);
      }
    }
  }

  @org.junit.jupiter.api.Test
  @org.junit.jupiter.api.DisplayName("indexOf refuses what is not an element")
  void inverseDomain() {
    ScopePermutation p = new ScopePermutation(10, 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.indexOf(10)).isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.indexOf(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
