package dev.portolan.control.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.UsageException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Scope")
class ScopeTest {

  /** A file as the CLI hands it over: its name and its lines. */
  private record TextFile(String name, String content) {
    AddressSet parse() {
      return Scope.parseLines(content.lines().toList(), name);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static TextFile file(String name, String content) {
    return new TextFile(name, content);
  }

  @Nested
  @DisplayName("parseLines (masscan's exclude file format)")
  class ReadFile {
    @Test
    @DisplayName("reads one address, CIDR or range per line")
    void readsEntries() {
      TextFile f = file("targets.txt", "198.18.0.1\n198.18.1.0/24\n198.18.2.10-198.18.2.19\n198.18.3.1-3\n");
      assertThat(f.parse())
          .isEqualTo(
              Scope.parseList(
                  List.of("198.18.0.1", "198.18.1.0/24", "198.18.2.10-198.18.2.19", "198.18.3.1-3")));
    }

    @Test
    @DisplayName("ignores comments, whole-line and trailing, and blank lines")
    void commentsAndBlankLines() {
      TextFile f =
          file(
              "exclude.txt",
              "# lab exclusions\n\n   \n198.18.0.1   # the gateway\n\t# indented comment\n198.18.0.2#tight\n#198.18.0.3\n");
      assertThat(f.parse()).isEqualTo(Scope.parseList(List.of("198.18.0.1", "198.18.0.2")));
    }

    @Test
    @DisplayName("accepts several entries on one line, separated by commas or spaces, and CRLF endings")
    void severalPerLine() {
      TextFile f = file("many.txt", "198.18.0.1, 198.18.0.3 198.18.0.5\r\n198.18.0.7\t198.18.0.9\r\n");
      assertThat(f.parse().size()).isEqualTo(5);
      assertThat(f.parse().contains(Ipv4.parse("198.18.0.9"))).isTrue();
    }

    @Test
    @DisplayName("reads an empty file as the empty set")
    void emptyFile() {
      assertThat(file("empty.txt", "").parse().isEmpty()).isTrue();
      assertThat(file("comments.txt", "# nothing\n\n").parse().isEmpty()).isTrue();
    }

    @Test
    @DisplayName("names the file and the 1-based line of a bad entry, with the entry's own message")
    void badLine() {
      TextFile f = file("bad.txt", "# header\n198.18.0.1\n\n198.18.0.300\n198.18.0.4\n");
      assertThatThrownBy(() -> f.parse())
          .isInstanceOf(UsageException.class)
          .hasMessageStartingWith(f + " line 4: ")
          .hasMessageContaining("'198.18.0.300'")
          .hasMessageContaining("0-255");
    }

    @Test
    @DisplayName("reports a host name on a line as not resolved")
    void hostNameLine() {
      TextFile f = file("names.txt", "198.18.0.1\nrouter.lab\n");
      assertThatThrownBy(() -> f.parse())
          .isInstanceOf(UsageException.class)
          .hasMessageContaining(f + " line 2: ")
          .hasMessageContaining("host names are not resolved");
    }

  }

  @Nested
  @DisplayName("parseList (targets as typed on the command line)")
  class ParseList {
    @Test
    @DisplayName("splits items on commas and skips blank parts")
    void splitsOnCommas() {
      AddressSet s = Scope.parseList(List.of("198.18.0.1,198.18.0.2", "198.18.0.3", " , 198.18.0.4,"));
      assertThat(s.size()).isEqualTo(4);
    }

    @Test
    @DisplayName("reports the first bad entry")
    void badEntry() {
      assertThatThrownBy(() -> Scope.parseList(List.of("198.18.0.1", "198.18.0.0/40")))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("bad prefix length");
    }
  }

  @Nested
  @DisplayName("of: excludes always win")
  class Of {
    @Test
    @DisplayName("hosts are the requested addresses minus every exclude, and both inputs are kept")
    void hostsAreRequestedMinusExcluded() {
      AddressSet requested = Scope.parseList(List.of("198.18.0.0/24"));
      AddressSet excluded = Scope.parseList(List.of("198.18.0.0/25", "10.0.0.0/8"));
      Scope scope = Scope.of(requested, excluded);
      assertThat(scope.requested()).isEqualTo(requested);
      assertThat(scope.excluded()).isEqualTo(excluded);
      assertThat(scope.hosts()).isEqualTo(Scope.parseList(List.of("198.18.0.128/25")));
    }

    @Test
    @DisplayName("the unscannable ranges are 0.0.0.0/8 and 224.0.0.0/3")
    void unscannable() {
      Scope scope = Scope.of(Scope.parseList(List.of("0.0.0.0/0")), Scope.UNSCANNABLE);
      assertThat(scope.hosts().contains(Ipv4.parse("0.1.2.3"))).isFalse();
      assertThat(scope.hosts().contains(Ipv4.parse("224.0.0.1"))).isFalse();
      assertThat(scope.hosts().contains(Ipv4.parse("255.255.255.255"))).isFalse();
      assertThat(scope.hosts().contains(Ipv4.parse("1.0.0.0"))).isTrue();
      assertThat(scope.hosts().contains(Ipv4.parse("223.255.255.255"))).isTrue();
      assertThat(scope.hosts().size()).isEqualTo((1L << 32) - (1L << 24) - (1L << 29));
    }
  }
}
