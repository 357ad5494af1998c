package dev.portolan.control.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.UsageException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("PortSet")
class PortSetTest {

  @Nested
  @DisplayName("parse accepts nmap/masscan lists")
  class Parse {
    @Test
    @DisplayName("a single port")
    void singlePort() {
      assertThat(PortSet.parse("443").toArray()).containsExactly(443);
    }

    @Test
    @DisplayName("a comma-separated list, sorted and without duplicates")
    void list() {
      PortSet p = PortSet.parse("443, 22,80,22");
      assertThat(p.toArray()).containsExactly(22, 80, 443);
      assertThat(p.size()).isEqualTo(3);
    }

    @Test
    @DisplayName("an inclusive range")
    void range() {
      PortSet p = PortSet.parse("1-1024");
      assertThat(p.size()).isEqualTo(1024);
      assertThat(p.portAt(0)).isEqualTo(1);
      assertThat(p.portAt(1023)).isEqualTo(1024);
    }

    @Test
    @DisplayName("'-' as every port 1-65535")
    void everyPort() {
      PortSet p = PortSet.parse("-");
      assertThat(p.size()).isEqualTo(65_535);
      assertThat(p.portAt(0)).isEqualTo(1);
      assertThat(p.portAt(65_534)).isEqualTo(65_535);
    }

    @Test
    @DisplayName("'8000-' as 8000 up to 65535, '-1024' as 1 up to 1024")
    void openEndedRanges() {
      PortSet high = PortSet.parse("8000-");
      assertThat(high.size()).isEqualTo(65_535 - 8000 + 1);
      assertThat(high.portAt(0)).isEqualTo(8000);
      assertThat(high.portAt(high.size() - 1)).isEqualTo(65_535);
      assertThat(PortSet.parse("-1024")).isEqualTo(PortSet.parse("1-1024"));
    }

    @Test
    @DisplayName("a single-port range and the extremes 1 and 65535")
    void extremes() {
      assertThat(PortSet.parse("80-80").toArray()).containsExactly(80);
      assertThat(PortSet.parse("1,65535").toArray()).containsExactly(1, 65_535);
    }

    @Test
    @DisplayName("the 'T:' prefix (either case) on any entry")
    void tcpPrefix() {
      assertThat(PortSet.parse("T:22,t:80,T:8000-8002").toArray())
          .containsExactly(22, 80, 8000, 8001, 8002);
    }

    @Test
    @DisplayName("overlapping ranges and lists as their union")
    void overlapping() {
      assertThat(PortSet.parse("10-20,15-25,22")).isEqualTo(PortSet.parse("10-25"));
    }
  }

  @Nested
  @DisplayName("parse refuses")
  class ParseRefuses {
    @ParameterizedTest(name = "\"{0}\" (only TCP is scanned)")
    @ValueSource(strings = {"U:53", "22,U:53", "u:161", "S:80", "T:22,U:53-60"})
    void udpAndSctp(String text) {
      assertThatThrownBy(() -> PortSet.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("only TCP ports are scanned");
    }

    @ParameterizedTest(name = "\"{0}\" (out of range)")
    @ValueSource(strings = {"0", "65536", "0-80", "80-65536", "99999"})
    void outOfRange(String text) {
      assertThatThrownBy(() -> PortSet.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("out of range")
          .hasMessageContaining("1-65535");
    }

    @ParameterizedTest(name = "\"{0}\" (reversed)")
    @ValueSource(strings = {"1024-1", "81-80"})
    void reversed(String text) {
      assertThatThrownBy(() -> PortSet.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("'" + text + "'")
          .hasMessageContaining("reversed");
    }

    @ParameterizedTest(name = "\"{0}\" (empty entry)")
    @ValueSource(strings = {"22,,80", ",80", "22, ,80", "T:", "22,T:"})
    void emptyEntries(String text) {
      assertThatThrownBy(() -> PortSet.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("empty entry");
    }

    @Test
    @DisplayName("a trailing comma, like any other empty entry")
    void trailingComma() {
      assertThatThrownBy(() -> PortSet.parse("22,80,"))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("empty entry");
    }

    @Test
    @DisplayName("digits other than ASCII 0-9, as Ipv4.parse refuses them")
    void nonAsciiDigits() {
      assertThatThrownBy(() -> PortSet.parse("\uff18\uff10")) // fullwidth "80"
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("is not a port or port range");
    }

    @ParameterizedTest(name = "\"{0}\" (no list at all)")
    @ValueSource(strings = {"", "  "})
    void blank(String text) {
      assertThatThrownBy(() -> PortSet.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("no ports given");
      assertThatThrownBy(() -> PortSet.parse(null)).isInstanceOf(UsageException.class);
    }

    @ParameterizedTest(name = "\"{0}\" (not a number)")
    @ValueSource(strings = {"http", "80a", "1-2-3", "+80", "-80-", "8 0"})
    void notANumber(String text) {
      assertThatThrownBy(() -> PortSet.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("is not a port or port range");
    }
  }

  @Nested
  @DisplayName("indexing")
  class Indexing {
    @Test
    @DisplayName("portAt and indexOf are inverse over the set")
    void inverse() {
      PortSet p = PortSet.parse("22,80,443,8000-8100,65535");
      for (int i = 0; i < p.size(); i++) {
        assertThat(p.indexOf(p.portAt(i))).isEqualTo(i);
      }
    }

    @Test
    @DisplayName("indexOf is -1 for ports not in the set and for impossible ports")
    void absent() {
      PortSet p = PortSet.parse("22,80");
      assertThat(p.indexOf(23)).isEqualTo(-1);
      assertThat(p.indexOf(0)).isEqualTo(-1);
      assertThat(p.indexOf(-5)).isEqualTo(-1);
      assertThat(p.indexOf(65_536)).isEqualTo(-1);
    }

    @Test
    @DisplayName("toArray is a copy the caller may change")
    void toArrayIsCopy() {
      PortSet p = PortSet.of(22, 80);
      p.toArray()[0] = 9999;
      assertThat(p.portAt(0)).isEqualTo(22);
    }
  }

  @Nested
  @DisplayName("toString")
  class ToString {
    @Test
    @DisplayName("compacts runs into ranges and keeps single ports alone")
    void compacts() {
      assertThat(PortSet.parse("8100,22,8000-8099,80,81,443")).hasToString("22,80-81,443,8000-8100");
      assertThat(PortSet.parse("-")).hasToString("1-65535");
      assertThat(PortSet.of(7)).hasToString("7");
      assertThat(PortSet.of()).hasToString("");
    }

    @ParameterizedTest(name = "\"{0}\" parses back to the same set")
    @ValueSource(strings = {"22,80,443", "1-1024", "8000-", "T:1,3,5-9,65535"})
    void parsesBack(String text) {
      PortSet p = PortSet.parse(text);
      assertThat(PortSet.parse(p.toString())).isEqualTo(p).hasSameHashCodeAs(p);
    }
  }

  @Test
  @DisplayName("of refuses impossible ports (a programming error)")
  void ofRefusesImpossiblePorts() {
    assertThatThrownBy(() -> PortSet.of(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PortSet.of(65_536)).isInstanceOf(IllegalArgumentException.class);
  }
}
