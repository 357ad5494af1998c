package dev.portolan.scanner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("ResponseSet")
class ResponseSetTest {
  private static final boolean OPEN = true;
  private static final boolean CLOSED = false;

  @Nested
  @DisplayName("records each index once")
  class Dedupe {
    private final ResponseSet set = new ResponseSet(Integer.MAX_VALUE);

    @Test
    @DisplayName("add is true the first time and false for every repeat")
    void dedupes() {
      assertThat(set.add(42, OPEN)).isTrue();
      assertThat(set.add(42, OPEN)).isFalse();
      assertThat(set.add(42, CLOSED)).isFalse();
      assertThat(set.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("contains only what was added, index 0 and the largest indexes included")
    void contains() {
      long largest = (1L << 32) * 65_535 - 1;
      assertThat(set.contains(0)).isFalse();
      set.add(0, CLOSED);
      set.add(largest, OPEN);
      set.add(Long.MAX_VALUE - 1, OPEN);
      assertThat(set.contains(0)).isTrue();
      assertThat(set.contains(largest)).isTrue();
      assertThat(set.contains(Long.MAX_VALUE - 1)).isTrue();
      assertThat(set.contains(1)).isFalse();
      assertThat(set.contains(largest - 1)).isFalse();
      assertThat(set.size()).isEqualTo(3);
    }

    @Test
    @DisplayName("indexes whose hashes collide are told apart")
    void collisions() {
      // Multiples of a large power of two share their low hash bits in many tables.
      for (long i = 0; i < 10_000; i++) {
        assertThat(set.add(i << 32, CLOSED)).isTrue();
      }
      for (long i = 0; i < 10_000; i++) {
        assertThat(set.contains(i << 32)).isTrue();
        assertThat(set.contains((i << 32) + 1)).isFalse();
      }
    }
  }

  @Test
  @DisplayName("grows to a million entries and still knows every one, and nothing else")
  void growsToAMillion() {
    ResponseSet set = new ResponseSet(Integer.MAX_VALUE);
    SplittableRandom random = new SplittableRandom(77);
    long[] added = new long[1_000_000];
    Set<Long> distinct = new HashSet<>();
    for (int i = 0; i < added.length; i++) {
      long index;
      do {
        index = random.nextLong(1L << 48);
      } while (!distinct.add(index));
      added[i] = index;
      assertThat(set.add(index, i % 2 == 0)).isTrue();
    }
    assertThat(set.size()).isEqualTo(1_000_000);
    for (long index : added) {
      if (!set.contains(index)) {
        throw new AssertionError("lost " + index + " while growing");
      }
      if (set.add(index, CLOSED)) {
        throw new AssertionError(index + " was recorded twice");
      }
    }
    int falsePositives = 0;
    for (int i = 0; i < 100_000; i++) {
      long other = random.nextLong(1L << 48);
      if (!distinct.contains(other) && set.contains(other)) {
        falsePositives++;
      }
    }
    assertThat(falsePositives).isZero();
    assertThat(set.size()).isEqualTo(1_000_000);
  }

  @Nested
  @DisplayName("past its limit")
  class Limit {
    private final ResponseSet set = new ResponseSet(100);

    private void fill() {
      for (long i = 0; i < 100; i++) {
        assertThat(set.add(i, CLOSED)).isTrue();
      }
      assertThat(set.size()).isEqualTo(100);
    }

    @Test
    @DisplayName("reports a new closed port as new but does not keep it")
    void closedNotKept() {
      fill();
      assertThat(set.add(1000, CLOSED)).isTrue();
      assertThat(set.contains(1000)).isFalse();
      assertThat(set.size()).isEqualTo(100);
      assertThat(set.add(1000, CLOSED)).as("not kept, so new again").isTrue();
    }

    @Test
    @DisplayName("always keeps an open port, and dedupes it")
    void openAlwaysKept() {
      fill();
      for (long i = 1000; i < 1100; i++) {
        assertThat(set.add(i, OPEN)).isTrue();
        assertThat(set.contains(i)).isTrue();
      }
      assertThat(set.size()).isEqualTo(200);
      assertThat(set.add(1050, OPEN)).isFalse();
      assertThat(set.add(1050, CLOSED)).isFalse();
    }

    @Test
    @DisplayName("still dedupes what it kept before the limit")
    void keptEntriesStillDedupe() {
      fill();
      for (long i = 0; i < 100; i++) {
        assertThat(set.add(i, CLOSED)).isFalse();
        assertThat(set.add(i, OPEN)).isFalse();
      }
    }

    @Test
    @DisplayName("a limit of zero keeps only open ports")
    void zeroLimit() {
      ResponseSet openOnly = new ResponseSet(0);
      assertThat(openOnly.add(1, CLOSED)).isTrue();
      assertThat(openOnly.add(2, OPEN)).isTrue();
      assertThat(openOnly.contains(1)).isFalse();
      assertThat(openOnly.contains(2)).isTrue();
      assertThat(openOnly.size()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("under concurrent adds, each index is new to exactly one caller")
  void concurrentAdds() throws Exception {
    ResponseSet set = new ResponseSet(Integer.MAX_VALUE);
    int threads = 4;
    int perThread = 50_000;
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t * (perThread / 2); // each range overlaps the next by half
      tasks.add(
          () -> {
            int fresh = 0;
            for (int i = 0; i < perThread; i++) {
              if (set.add(offset + i, CLOSED)) {
                fresh++;
              }
            }
            return fresh;
          });
    }
    int totalFresh = 0;
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        totalFresh += f.get();
      }
    }
    int distinct = (threads - 1) * (perThread / 2) + perThread;
    assertThat(totalFresh).isEqualTo(distinct);
    assertThat(set.size()).isEqualTo(distinct);
  }
}
