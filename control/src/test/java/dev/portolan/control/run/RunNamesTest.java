package dev.portolan.control.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("RunNames")
class RunNamesTest {
  /** A Kubernetes label value and DNS label: at most 63 characters, alphanumeric at both ends. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** An object name (DNS subdomain): at most 253 characters. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final ZonedDateTime DUE = ZonedDateTime.of(2024, 1, 15, 3, 0, 0, 0, ZoneOffset.UTC);

  private static String longPolicy(int length) {
    StringBuilder b = new StringBuilder("segmentation-check-");
    while (b.length() < length) {
      b.append((char) ('a' + b.length() % 26));
    }
    return b.substring(0, length);
  }

  @Nested
  @DisplayName("forGeneration")
  class ForGeneration {
    @Test
    @DisplayName("appends the generation to the policy's name")
    void simple() {
      assertThat(RunNames.forGeneration("web", 3)).isEqualTo("web-g3");
    }

    @Test
    @DisplayName("is deterministic and distinct per generation")
    void deterministic() {
      assertThat(RunNames.forGeneration("web", 7)).isEqualTo(RunNames.forGeneration("web", 7));
      assertThat(RunNames.forGeneration("web", 7)).isNotEqualTo(RunNames.forGeneration("web", 8));
      assertThat(RunNames.forGeneration("web", 1)).isNotEqualTo(RunNames.forGeneration("api", 1));
    }

    @Test
    @DisplayName("keeps a name of exactly 63 characters as it is")
    void exactlyAtLimit() {
      String policy = longPolicy(63 - "-g1".length());
      String name = RunNames.forGeneration(policy, 1);
      assertThat(name).hasSize(63).isEqualTo(policy + "-g1");
    }

    @Test
    @DisplayName("shortens a name one character over the limit with a hash of the policy")
    void oneOver() {
      String policy = longPolicy(64 - "-g1".length());
      String name = RunNames.forGeneration(policy, 1);
      assertThat(name).hasSizeLessThanOrEqualTo(63).endsWith("-g1").contains(RunNames.hash(policy).substring(0, 8));
      assertThat(name).matches(DNS_LABEL);
    }

    @ParameterizedTest(name = "policy of {0} characters")
    @ValueSource(ints = {61, 62, 63, 64, 100, 200, 253})
    @DisplayName("stays a valid label value within 63 characters for any policy name length")
    void long_(int length) {
      String policy = longPolicy(length);
      for (long g : new long[] {1, 42, 1_000_000, Long.MAX_VALUE}) {
        String name = RunNames.forGeneration(policy, g);
        assertThat(name).hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL).endsWith("-g" + g);
        assertThat(name).isEqualTo(RunNames.forGeneration(policy, g));
      }
    }

    @Test
    @DisplayName("keeps long policies that share a prefix apart")
    void sharedPrefix() {
      String prefix = longPolicy(70);
      assertThat(RunNames.forGeneration(prefix + "-frontend", 1))
          .isNotEqualTo(RunNames.forGeneration(prefix + "-backend", 1));
    }

    @Test
    @DisplayName("keeps the readable start of a long policy name")
    void readableHead() {
      String policy = longPolicy(100);
      assertThat(RunNames.forGeneration(policy, 5)).startsWith(policy.substring(0, 40));
    }

    @Test
    @DisplayName("never leaves a dash or dot before the hash")
    void noTrailingSeparator() {
      // keep = 63 - "g1".length() - 8 - 2 = 51 characters of the policy; make the 51st a dash.
      String policy = "a".repeat(47) + "-.--" + "b".repeat(30);
      String name = RunNames.forGeneration(policy, 1);
      assertThat(name).startsWith("a".repeat(47) + "-" + RunNames.hash(policy).substring(0, 8)).matches(DNS_LABEL);
    }
  }

  @Nested
  @DisplayName("forSchedule")
  class ForSchedule {
    @Test
    @DisplayName("names the run after the scheduled minute")
    void simple() {
      assertThat(RunNames.forSchedule("nightly", DUE)).isEqualTo("nightly-20240115-0300");
    }

    @Test
    @DisplayName("is the same for any instant within the scheduled minute, distinct across minutes")
    void perMinute() {
      assertThat(RunNames.forSchedule("nightly", DUE.plusSeconds(59))).isEqualTo(RunNames.forSchedule("nightly", DUE));
      assertThat(RunNames.forSchedule("nightly", DUE.plusMinutes(1))).isNotEqualTo(RunNames.forSchedule("nightly", DUE));
      Set<String> names = new HashSet<>();
      for (int m = 0; m < 60 * 24; m++) {
        names.add(RunNames.forSchedule("nightly", DUE.plusMinutes(m)));
      }
      assertThat(names).hasSize(60 * 24);
    }

    @ParameterizedTest(name = "policy of {0} characters")
    @ValueSource(ints = {49, 50, 63, 64, 253})
    @DisplayName("stays a valid label value within 63 characters")
    void long_(int length) {
      String name = RunNames.forSchedule(longPolicy(length), DUE);
      assertThat(name).hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL).endsWith("-20240115-0300");
    }

    @Test
    @DisplayName("names a scheduled instant the same whatever zone it is given in (schedules are UTC)")
    void zoneIndependent() {
      ZonedDateTime berlin = DUE.withZoneSameInstant(ZoneId.of("Europe/Berlin"));
      assertThat(RunNames.forSchedule("nightly", berlin)).isEqualTo("nightly-20240115-0300");
    }
  }

  @Nested
  @DisplayName("page")
  class Page {
    @Test
    @DisplayName("names a page by run, shard and page number")
    void simple() {
      assertThat(RunNames.page("web-g3", 2, 7)).isEqualTo("web-g3-s2-p7");
    }

    @Test
    @DisplayName("gives every shard and page its own name")
    void distinct() {
      Set<String> names = new HashSet<>();
      for (int shard = 0; shard < 20; shard++) {
        for (int page = 1; page <= 120; page++) {
          names.add(RunNames.page("web-g3", shard, page));
        }
      }
      assertThat(names).hasSize(20 * 120);
    }

    @Test
    @DisplayName("stays a valid object name for the longest run name")
    void longRun() {
      String run = RunNames.forGeneration(longPolicy(253), Long.MAX_VALUE);
      String page = RunNames.page(run, 1023, 99_999);
      assertThat(page).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN).startsWith(run + "-");
    }
  }

  @Test
  @DisplayName("hash is the hex SHA-256 of the text")
  void hash() {
    assertThat(RunNames.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(RunNames.hash("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}
