package dev.portolan.control.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.UsageException;
import java.util.BitSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Shard")
class ShardTest {

  @Nested
  @DisplayName("k of n shards partition the positions")
  class Partition {
    @Test
    @DisplayName("every position of every total up to 200 is in exactly one shard, for 1 to 12 shards")
    void exactPartition() {
      for (int count = 1; count <= 12; count++) {
        for (int total = 0; total <= 200; total++) {
          BitSet seen = new BitSet(total);
          long lengths = 0;
          for (int k = 0; k < count; k++) {
            Shard shard = new Shard(k, count);
            long length = shard.length(total);
            lengths += length;
            for (long i = 0; i < length; i++) {
              long position = shard.position(i);
              assertThat(position).as("shard %s of total %d", shard, total).isBetween(0L, total - 1L);
              assertThat(seen.get((int) position))
                  .as("position %d given by two shards (%s, total %d)", position, shard, total)
                  .isFalse();
              seen.set((int) position);
            }
          }
          assertThat(lengths).isEqualTo(total);
          assertThat(seen.cardinality()).isEqualTo(total);
        }
      }
    }

    @Test
    @DisplayName("shard lengths differ by at most one")
    void balanced() {
      for (long total : new long[] {0, 1, 5, 999, 1_000_003}) {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int k = 0; k < 7; k++) {
          long length = new Shard(k, 7).length(total);
          min = Math.min(min, length);
          max = Math.max(max, length);
        }
        assertThat(max - min).isLessThanOrEqualTo(1);
      }
    }

    @Test
    @DisplayName("shards with more shards than positions are empty, not negative")
    void moreShardsThanPositions() {
      assertThat(new Shard(0, 4).length(2)).isEqualTo(1);
      assertThat(new Shard(1, 4).length(2)).isEqualTo(1);
      assertThat(new Shard(2, 4).length(2)).isZero();
      assertThat(new Shard(3, 4).length(2)).isZero();
      assertThat(new Shard(3, 4).length(0)).isZero();
    }

    @Test
    @DisplayName("lengths sum to the total at the largest scope, and the last position is the last")
    void largest() {
      long total = (1L << 32) * 65_535;
      for (int count : new int[] {1, 3, 7, 64, 1000}) {
        long sum = 0;
        for (int k = 0; k < count; k++) {
          Shard shard = new Shard(k, count);
          long length = shard.length(total);
          sum += length;
          assertThat(shard.position(length - 1)).isLessThan(total);
          assertThat(shard.position(length)).isGreaterThanOrEqualTo(total);
        }
        assertThat(sum).isEqualTo(total);
      }
    }

    @Test
    @DisplayName("together with the keyed order, shards visit every target exactly once")
    void withPermutation() {
      long total = 10_007;
      ScopePermutation order = new ScopePermutation(total, 99);
      BitSet seen = new BitSet((int) total);
      for (int k = 0; k < 5; k++) {
        Shard shard = new Shard(k, 5);
        for (long i = 0; i < shard.length(total); i++) {
          int target = (int) order.at(shard.position(i));
          assertThat(seen.get(target)).isFalse();
          seen.set(target);
        }
      }
      assertThat(seen.cardinality()).isEqualTo((int) total);
    }

    @Test
    @DisplayName("the whole scan is the one shard 1/1")
    void whole() {
      assertThat(Shard.WHOLE.length(12_345)).isEqualTo(12_345);
      assertThat(Shard.WHOLE.position(77)).isEqualTo(77);
      assertThat(Shard.WHOLE).hasToString("1/1");
    }
  }

  @Nested
  @DisplayName("parse reads K/N, K counted from 1")
  class Parse {
    @Test
    @DisplayName("as 0-based index and count, and prints back the same way")
    void parses() {
      assertThat(Shard.parse("1/4")).isEqualTo(new Shard(0, 4));
      assertThat(Shard.parse("4/4")).isEqualTo(new Shard(3, 4));
      assertThat(Shard.parse(" 2 / 3 ")).isEqualTo(new Shard(1, 3));
      assertThat(Shard.parse("3/8")).hasToString("3/8");
    }

    @ParameterizedTest(name = "refuses \"{0}\"")
    @ValueSource(
        strings = {"0/4", "5/4", "1/0", "-1/4", "1/-4", "a/b", "1/2/3", "", "4", "/4", "1/", "1.5/4",
          "99999999999/1"})
    void refuses(String text) {
      assertThatThrownBy(() -> Shard.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("bad shard '" + text + "'")
          .hasMessageContaining("1 <= K <= N");
    }

    @Test
    @DisplayName("the constructor refuses impossible shards (a programming error)")
    void constructorChecks() {
      assertThatThrownBy(() -> new Shard(0, 0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new Shard(-1, 2)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new Shard(2, 2)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
