package dev.portolan.control.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("AddressSet")
class AddressSetTest {

  private static AddressSet set(String... items) {
    return Scope.parseList(List.of(items));
  }

  private static int ip(String text) {
    return Ipv4.parse(text);
  }

  @Nested
  @DisplayName("normalises its ranges")
  class Normalisation {
    @Test
    @DisplayName("sorting them")
    void sorts() {
      AddressSet s = set("198.18.9.0/24", "198.18.1.0/24", "198.18.5.5");
      assertThat(s.ranges())
          .containsExactly(
              AddressRange.parse("198.18.1.0/24"),
              AddressRange.parse("198.18.5.5"),
              AddressRange.parse("198.18.9.0/24"));
    }

    @Test
    @DisplayName("merging overlapping ranges and counting shared addresses once")
    void mergesOverlap() {
      AddressSet s = set("198.18.0.0-198.18.0.100", "198.18.0.50-198.18.0.200", "198.18.0.60-70");
      assertThat(s.ranges()).containsExactly(AddressRange.parse("198.18.0.0-198.18.0.200"));
      assertThat(s.size()).isEqualTo(201);
    }

    @Test
    @DisplayName("merging adjacent ranges (no gap between them)")
    void mergesAdjacent() {
      AddressSet s = set("198.18.0.0/25", "198.18.0.128/25", "198.18.1.0");
      assertThat(s.ranges()).containsExactly(AddressRange.parse("198.18.0.0-198.18.1.0"));
      assertThat(s.rangeCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("keeping ranges apart when a single address separates them")
    void keepsGaps() {
      AddressSet s = set("198.18.0.0-198.18.0.9", "198.18.0.11-198.18.0.20");
      assertThat(s.rangeCount()).isEqualTo(2);
      assertThat(s.contains(ip("198.18.0.10"))).isFalse();
      assertThat(s.size()).isEqualTo(20);
    }

    @Test
    @DisplayName("merging duplicates and ranges nested inside others")
    void mergesDuplicatesAndNested() {
      AddressSet s = set("198.18.0.0/16", "198.18.0.0/16", "198.18.3.0/24", "198.18.200.7");
      assertThat(s).isEqualTo(set("198.18.0.0/16"));
      assertThat(s.size()).isEqualTo(65_536);
    }

    @Test
    @DisplayName("up to the top of the address space without overflowing")
    void topOfSpace() {
      AddressSet s = set("255.255.255.0/24", "255.255.255.255", "255.255.254.255");
      assertThat(s.ranges()).containsExactly(AddressRange.parse("255.255.254.255-255.255.255.255"));
    }

    @Test
    @DisplayName("holding 0.0.0.0/0 as one range (memory grows with ranges, never with addresses)")
    void wholeSpaceIsOneRange() {
      AddressSet s = set("0.0.0.0/0", "198.18.0.0/15", "10.0.0.1");
      assertThat(s.rangeCount()).isEqualTo(1);
      assertThat(s.size()).isEqualTo(1L << 32);
    }

    @Test
    @DisplayName("so that equal sets built differently are equal, with equal hash codes")
    void equality() {
      AddressSet a = set("198.18.0.0-198.18.0.255", "198.18.1.0/24");
      AddressSet b = set("198.18.1.128/25", "198.18.0.0/23", "198.18.0.9");
      assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).hasToString("198.18.0.0/23");
      assertThat(a).isNotEqualTo(set("198.18.0.0/24"));
    }

    @Test
    @DisplayName("agreeing with a naive set of addresses for random inputs")
    void agreesWithNaiveModel() {
      SplittableRandom random = new SplittableRandom(11);
      for (int round = 0; round < 200; round++) {
        TreeSet<Long> naive = new TreeSet<>();
        List<AddressRange> ranges = new ArrayList<>();
        for (int i = 0, n = random.nextInt(1, 12); i < n; i++) {
          long first = random.nextLong(0, 600);
          long last = first + random.nextLong(0, 40);
          ranges.add(new AddressRange(first, last));
          for (long a = first; a <= last; a++) {
            naive.add(a);
          }
        }
        AddressSet s = AddressSet.of(ranges);
        assertThat(s.size()).isEqualTo(naive.size());
        long index = 0;
        for (long a : naive) {
          assertThat(s.addressAt(index)).isEqualTo((int) a);
          assertThat(s.indexOf((int) a)).isEqualTo(index);
          index++;
        }
        for (long a = 0; a < 700; a++) {
          assertThat(s.contains((int) a)).isEqualTo(naive.contains(a));
        }
        List<AddressRange> out = s.ranges();
        for (int i = 1; i < out.size(); i++) {
          assertThat(out.get(i).first()).isGreaterThan(out.get(i - 1).last() + 1);
        }
      }
    }
  }

  @Nested
  @DisplayName("minus: excludes always win")
  class Minus {
    @Test
    @DisplayName("an exclude larger than the target removes all of it")
    void largerExclude() {
      assertThat(set("198.18.5.0/24").minus(set("198.18.0.0/16")).isEmpty()).isTrue();
      assertThat(set("198.18.5.0/24").minus(set("0.0.0.0/0"))).isEqualTo(AddressSet.empty());
    }

    @Test
    @DisplayName("an exclude equal to the target removes all of it")
    void equalExclude() {
      AddressSet r = set("198.18.5.0/24").minus(set("198.18.5.0/24"));
      assertThat(r.isEmpty()).isTrue();
      assertThat(r.size()).isZero();
      assertThat(r.rangeCount()).isZero();
    }

    @Test
    @DisplayName("an exclude overlapping either end removes exactly the overlap")
    void overlappingExclude() {
      assertThat(set("198.18.0.10-198.18.0.20").minus(set("198.18.0.0-198.18.0.12")))
          .isEqualTo(set("198.18.0.13-198.18.0.20"));
      assertThat(set("198.18.0.10-198.18.0.20").minus(set("198.18.0.18-198.18.0.40")))
          .isEqualTo(set("198.18.0.10-198.18.0.17"));
    }

    @Test
    @DisplayName("an exclude inside the target splits it in two")
    void insideExclude() {
      AddressSet r = set("198.18.0.0/24").minus(set("198.18.0.100-198.18.0.109"));
      assertThat(r.ranges())
          .containsExactly(
              AddressRange.parse("198.18.0.0-198.18.0.99"),
              AddressRange.parse("198.18.0.110-198.18.0.255"));
      assertThat(r.size()).isEqualTo(246);
      assertThat(r.contains(ip("198.18.0.100"))).isFalse();
      assertThat(r.contains(ip("198.18.0.109"))).isFalse();
    }

    @Test
    @DisplayName("excluding the first and last address leaves the interior")
    void edgeAddresses() {
      AddressSet r = set("198.18.0.0/24").minus(set("198.18.0.0", "198.18.0.255"));
      assertThat(r).isEqualTo(set("198.18.0.1-198.18.0.254"));
    }

    @Test
    @DisplayName("a target given twice is excluded as a whole")
    void duplicatedTargets() {
      AddressSet targets = set("198.18.0.0/24", "198.18.0.0/24", "198.18.0.5");
      assertThat(targets.minus(set("198.18.0.5")).contains(ip("198.18.0.5"))).isFalse();
      assertThat(targets.minus(set("198.18.0.0/24")).isEmpty()).isTrue();
    }

    @Test
    @DisplayName("one exclude spanning several targets removes from each, and the gaps stay out")
    void excludeSpanningTargets() {
      AddressSet targets = set("198.18.0.0-198.18.0.9", "198.18.0.20-198.18.0.29", "198.18.0.40-49");
      AddressSet r = targets.minus(set("198.18.0.5-198.18.0.45"));
      assertThat(r).isEqualTo(set("198.18.0.0-198.18.0.4", "198.18.0.46-198.18.0.49"));
    }

    @Test
    @DisplayName("many excludes inside one target punch many holes")
    void manyHoles() {
      List<String> excludes = new ArrayList<>();
      for (int i = 0; i < 256; i += 2) {
        excludes.add("198.18.0." + i);
      }
      AddressSet r = set("198.18.0.0/24").minus(Scope.parseList(excludes));
      assertThat(r.size()).isEqualTo(128);
      assertThat(r.rangeCount()).isEqualTo(128);
      for (int i = 0; i < 256; i++) {
        assertThat(r.contains(ip("198.18.0." + i))).isEqualTo(i % 2 == 1);
      }
    }

    @Test
    @DisplayName("an exclude that touches no target changes nothing")
    void disjointExclude() {
      AddressSet targets = set("198.18.0.0/24");
      assertThat(targets.minus(set("198.18.1.0/24", "10.0.0.0/8"))).isEqualTo(targets);
      assertThat(targets.minus(AddressSet.empty())).isEqualTo(targets);
    }

    @Test
    @DisplayName("the whole space minus one address is two ranges")
    void wholeSpaceMinusOne() {
      AddressSet r = set("0.0.0.0/0").minus(set("128.0.0.0"));
      assertThat(r.size()).isEqualTo((1L << 32) - 1);
      assertThat(r.rangeCount()).isEqualTo(2);
    }

    @Test
    @DisplayName("never keeps an excluded address, for random targets and excludes")
    void agreesWithNaiveModel() {
      SplittableRandom random = new SplittableRandom(23);
      for (int round = 0; round < 300; round++) {
        AddressSet targets = randomSet(random);
        AddressSet excludes = randomSet(random);
        AddressSet r = targets.minus(excludes);
        long expected = 0;
        for (int a = 0; a < 1100; a++) {
          boolean shouldHold = targets.contains(a) && !excludes.contains(a);
          assertThat(r.contains(a)).as("address %d", a).isEqualTo(shouldHold);
          if (shouldHold) {
            expected++;
          }
        }
        assertThat(r.size()).isEqualTo(expected);
      }
    }

    private AddressSet randomSet(SplittableRandom random) {
      List<AddressRange> ranges = new ArrayList<>();
      for (int i = 0, n = random.nextInt(0, 8); i < n; i++) {
        long first = random.nextLong(0, 1000);
        ranges.add(new AddressRange(first, first + random.nextLong(0, 80)));
      }
      return AddressSet.of(ranges);
    }
  }

  @Nested
  @DisplayName("addressAt and indexOf")
  class Indexing {
    @Test
    @DisplayName("number addresses in ascending order across ranges")
    void ascendingAcrossRanges() {
      AddressSet s = set("198.18.0.250-198.18.0.252", "10.0.0.1", "198.18.7.0/31");
      assertThat(s.size()).isEqualTo(6);
      String[] expected = {
        "10.0.0.1", "198.18.0.250", "198.18.0.251", "198.18.0.252", "198.18.7.0", "198.18.7.1"
      };
      for (int i = 0; i < expected.length; i++) {
        assertThat(Ipv4.format(s.addressAt(i))).isEqualTo(expected[i]);
        assertThat(s.indexOf(ip(expected[i]))).isEqualTo(i);
      }
    }

    @Test
    @DisplayName("round-trip for every address of a multi-range set")
    void roundTripMultiRange() {
      AddressSet s = set("198.18.0.0/22", "198.18.8.3-198.18.9.1", "198.18.20.0/24", "198.18.30.30");
      for (long i = 0; i < s.size(); i++) {
        int a = s.addressAt(i);
        assertThat(s.contains(a)).isTrue();
        assertThat(s.indexOf(a)).isEqualTo(i);
      }
    }

    @Test
    @DisplayName("return -1 for addresses outside the set, in gaps and at both sides")
    void outside() {
      AddressSet s = set("198.18.0.10-198.18.0.20", "198.18.0.30-198.18.0.40");
      assertThat(s.indexOf(ip("198.18.0.9"))).isEqualTo(-1);
      assertThat(s.indexOf(ip("198.18.0.25"))).isEqualTo(-1);
      assertThat(s.indexOf(ip("198.18.0.41"))).isEqualTo(-1);
      assertThat(s.indexOf(ip("255.255.255.255"))).isEqualTo(-1);
      assertThat(AddressSet.empty().indexOf(ip("198.18.0.10"))).isEqualTo(-1);
      assertThat(AddressSet.empty().contains(0)).isFalse();
    }

    @Test
    @DisplayName("cover all of 0.0.0.0/0, including addresses above 2^31")
    void wholeSpace() {
      AddressSet s = set("0.0.0.0/0");
      SplittableRandom random = new SplittableRandom(3);
      long[] probes = {0, 1, 0x7fffffffL, 0x80000000L, 0xfffffffeL, 0xffffffffL};
      for (long i : probes) {
        assertThat(Ipv4.unsigned(s.addressAt(i))).isEqualTo(i);
        assertThat(s.indexOf(s.addressAt(i))).isEqualTo(i);
      }
      for (int k = 0; k < 10_000; k++) {
        long i = random.nextLong(1L << 32);
        assertThat(s.indexOf(s.addressAt(i))).isEqualTo(i);
      }
    }

    @Test
    @DisplayName("round-trip on the high half of the space split by an exclude")
    void highHalfAfterExclude() {
      AddressSet s = set("0.0.0.0/0").minus(set("127.0.0.0/8", "224.0.0.0/3"));
      assertThat(s.rangeCount()).isEqualTo(2);
      SplittableRandom random = new SplittableRandom(5);
      for (int k = 0; k < 10_000; k++) {
        long i = random.nextLong(s.size());
        int a = s.addressAt(i);
        assertThat(s.indexOf(a)).isEqualTo(i);
        assertThat(a >>> 24).isNotEqualTo(127);
        assertThat(Ipv4.unsigned(a)).isLessThan(0xe0000000L);
      }
      assertThat(Ipv4.format(s.addressAt(s.size() - 1))).isEqualTo("223.255.255.255");
    }

    @Test
    @DisplayName("use binary search over many ranges")
    void manyRanges() {
      List<AddressRange> ranges = new ArrayList<>();
      for (long base = 0; base < 100_000L * 4; base += 4) {
        ranges.add(new AddressRange(base, base + 1)); // two addresses, then a gap of two
      }
      AddressSet s = AddressSet.of(ranges);
      assertThat(s.rangeCount()).isEqualTo(100_000);
      for (long i = 0; i < s.size(); i += 997) {
        int a = s.addressAt(i);
        assertThat(Ipv4.unsigned(a)).isEqualTo((i / 2) * 4 + (i % 2));
        assertThat(s.indexOf(a)).isEqualTo(i);
      }
    }
  }

  @Test
  @DisplayName("union holds the addresses of both sets, normalised")
  void union() {
    AddressSet u = set("198.18.0.0/25").union(set("198.18.0.128/25", "198.18.5.5"));
    assertThat(u).isEqualTo(set("198.18.0.0/24", "198.18.5.5"));
    assertThat(u.size()).isEqualTo(257);
  }
}
