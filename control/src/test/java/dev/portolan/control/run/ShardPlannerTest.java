package dev.portolan.control.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("ShardPlanner")
class ShardPlannerTest {
  private static final long NO_CAP = Long.MAX_VALUE;

  private static List<String> nodes(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(String.format("node-%03d", i));
    }
    return out;
  }

  private static long total(List<ShardAssignment> plan) {
    return plan.stream().mapToLong(ShardAssignment::rate).sum();
  }

  /** Indices 0..n-1 in order, each shard knowing the count, on distinct nodes. */
  private static void assertWellFormed(List<ShardAssignment> plan) {
    for (int i = 0; i < plan.size(); i++) {
      assertThat(plan.get(i).index()).isEqualTo(i);
      assertThat(plan.get(i).count()).isEqualTo(plan.size());
      assertThat(plan.get(i).rate()).isPositive();
    }
    assertThat(plan).extracting(ShardAssignment::node).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("gives a single node the whole rate")
  void single() {
    assertThat(ShardPlanner.plan(List.of("node-a"), 1000, null, NO_CAP))
        .containsExactly(new ShardAssignment(0, 1, "node-a", 1000L));
  }

  @Test
  @DisplayName("plans nothing without a ready node")
  void noNodes() {
    assertThat(ShardPlanner.plan(List.of(), 1000, null, NO_CAP)).isEmpty();
  }

  @Nested
  @DisplayName("rates")
  class Rates {
    @Test
    @DisplayName("split the remainder over the first shards")
    void remainder() {
      assertThat(ShardPlanner.plan(List.of("a", "b", "c"), 1000, null, NO_CAP))
          .containsExactly(
              new ShardAssignment(0, 3, "a", 334L), new ShardAssignment(1, 3, "b", 333L), new ShardAssignment(2, 3, "c", 333L));
    }

    @ParameterizedTest(name = "{0} nodes at {1}/s")
    @CsvSource({"1,1", "2,1", "2,3", "3,1000", "7,1000", "7,10", "16,10000", "64,10000000", "100,99", "100,101", "1024,10000"})
    @DisplayName("sum exactly to the policy's rate when no cap binds, and differ by at most one")
    void sumExactly(int n, long rate) {
      List<ShardAssignment> plan = ShardPlanner.plan(nodes(n), rate, null, NO_CAP);
      assertWellFormed(plan);
      assertThat(total(plan)).isEqualTo(rate);
      long max = plan.stream().mapToLong(ShardAssignment::rate).max().orElseThrow();
      long min = plan.stream().mapToLong(ShardAssignment::rate).min().orElseThrow();
      assertThat(max - min).isLessThanOrEqualTo(1);
    }

    @Test
    @DisplayName("sum to at most the policy's rate for any mix of nodes, rate, maxShards and cap")
    void neverAbove() {
      Random random = new Random(42);
      for (int i = 0; i < 2_000; i++) {
        int n = 1 + random.nextInt(40);
        long rate = 1 + random.nextInt(random.nextBoolean() ? 50 : 100_000);
        Integer maxShards = random.nextBoolean() ? null : 1 + random.nextInt(50);
        long cap = random.nextBoolean() ? NO_CAP : 1 + random.nextInt(20_000);
        List<ShardAssignment> plan = ShardPlanner.plan(nodes(n), rate, maxShards, cap);
        assertWellFormed(plan);
        assertThat(total(plan)).as("n=%d rate=%d maxShards=%s cap=%d", n, rate, maxShards, cap).isLessThanOrEqualTo(rate);
        assertThat(plan).allSatisfy(s -> assertThat(s.rate()).isLessThanOrEqualTo(cap));
        if (cap == NO_CAP) {
          assertThat(total(plan)).isEqualTo(rate);
        }
      }
    }
  }

  @Nested
  @DisplayName("the per-node cap")
  class Cap {
    @Test
    @DisplayName("holds every shard to the guard's per-node rate, even when the run then goes slower")
    void binds() {
      List<ShardAssignment> plan = ShardPlanner.plan(List.of("a", "b"), 10_000, null, 3_000);
      assertThat(plan).extracting(ShardAssignment::rate).containsExactly(3_000L, 3_000L);
      assertThat(total(plan)).isEqualTo(6_000);
    }

    @Test
    @DisplayName("cuts only the shares above it")
    void partly() {
      assertThat(ShardPlanner.plan(List.of("a", "b", "c"), 10, null, 3))
          .extracting(ShardAssignment::rate)
          .containsExactly(3L, 3L, 3L);
      assertThat(ShardPlanner.plan(List.of("a", "b", "c"), 10, null, 4))
          .extracting(ShardAssignment::rate)
          .containsExactly(4L, 3L, 3L);
    }

    @Test
    @DisplayName("does not bind when equal to the share")
    void equal() {
      assertThat(total(ShardPlanner.plan(nodes(4), 20_000, null, 5_000))).isEqualTo(20_000);
    }
  }

  @Nested
  @DisplayName("maxShards")
  class MaxShards {
    @Test
    @DisplayName("limits the shards to the first nodes in name order, which share the whole rate")
    void limits() {
      List<ShardAssignment> plan = ShardPlanner.plan(List.of("e", "d", "c", "b", "a"), 1000, 2, NO_CAP);
      assertThat(plan).containsExactly(new ShardAssignment(0, 2, "a", 500L), new ShardAssignment(1, 2, "b", 500L));
    }

    @Test
    @DisplayName("larger than the number of nodes uses every node")
    void larger() {
      assertThat(ShardPlanner.plan(nodes(3), 900, 10, NO_CAP)).hasSize(3);
    }

    @Test
    @DisplayName("absent uses every node")
    void absent() {
      assertThat(ShardPlanner.plan(nodes(12), 900, null, NO_CAP)).hasSize(12);
    }

    @Test
    @DisplayName("of one puts the whole run on the first node")
    void one() {
      assertThat(ShardPlanner.plan(List.of("worker-2", "worker-1"), 700, 1, NO_CAP))
          .containsExactly(new ShardAssignment(0, 1, "worker-1", 700L));
    }
  }

  @Nested
  @DisplayName("node order")
  class Order {
    @Test
    @DisplayName("is the nodes' name order, whatever order they were listed in")
    void deterministic() {
      List<String> nodes = nodes(25);
      List<ShardAssignment> expected = ShardPlanner.plan(nodes, 12_345, null, NO_CAP);
      assertThat(expected).extracting(ShardAssignment::node).isSorted();
      Random random = new Random(7);
      for (int i = 0; i < 20; i++) {
        List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, random);
        assertThat(ShardPlanner.plan(shuffled, 12_345, null, NO_CAP)).isEqualTo(expected);
      }
    }

    @Test
    @DisplayName("counts a node listed twice once")
    void duplicates() {
      assertThat(ShardPlanner.plan(List.of("b", "a", "b", "a"), 100, null, NO_CAP))
          .containsExactly(new ShardAssignment(0, 2, "a", 50L), new ShardAssignment(1, 2, "b", 50L));
    }
  }

  @Nested
  @DisplayName("more nodes than probes per second")
  class ManyNodes {
    @Test
    @DisplayName("plans one shard per probe per second, so no shard gets a rate of 0")
    void fewerShards() {
      List<ShardAssignment> plan = ShardPlanner.plan(nodes(10), 3, null, NO_CAP);
      assertThat(plan)
          .containsExactly(
              new ShardAssignment(0, 3, "node-000", 1L), new ShardAssignment(1, 3, "node-001", 1L), new ShardAssignment(2, 3, "node-002", 1L));
    }

    @Test
    @DisplayName("a rate of 1 runs on one node")
    void rateOne() {
      assertThat(ShardPlanner.plan(nodes(50), 1, null, NO_CAP)).containsExactly(new ShardAssignment(0, 1, "node-000", 1L));
    }
  }
}
