package dev.portolan.control.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.UsageException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("AddressRange")
class AddressRangeTest {

  private static long ip(String text) {
    return Ipv4.unsigned(Ipv4.parse(text));
  }

  private static AddressRange range(String first, String last) {
    return new AddressRange(ip(first), ip(last));
  }

  @Nested
  @DisplayName("parses a single address")
  class SingleAddress {
    @Test
    @DisplayName("as a range of one")
    void singleAddressIsRangeOfOne() {
      AddressRange r = AddressRange.parse("198.18.0.7");
      assertThat(r).isEqualTo(range("198.18.0.7", "198.18.0.7"));
      assertThat(r.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("at both ends of the address space")
    void extremes() {
      assertThat(AddressRange.parse("0.0.0.0")).isEqualTo(new AddressRange(0, 0));
      assertThat(AddressRange.parse("255.255.255.255"))
          .isEqualTo(new AddressRange(AddressRange.MAX, AddressRange.MAX));
    }

    @Test
    @DisplayName("but refuses host names, saying they are not resolved")
    void refusesHostNames() {
      assertThatThrownBy(() -> AddressRange.parse("scanme.example.org"))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("'scanme.example.org'")
          .hasMessageContaining("host names are not resolved");
    }

    @ParameterizedTest(name = "and says IPv6 \"{0}\" is not scanned")
    @ValueSource(strings = {"::1", "fe80::1", "fd00::/8"})
    void refusesIpv6(String text) {
      assertThatThrownBy(() -> AddressRange.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("IPv6");
    }

    @ParameterizedTest(name = "and says IPv6 \"{0}\" is not scanned")
    @ValueSource(strings = {"2001:db8::1", "2001:db8::/32"})
    void refusesGlobalIpv6(String text) {
      assertThatThrownBy(() -> AddressRange.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("IPv6");
    }

    @ParameterizedTest(name = "\"{0}\" is empty")
    @ValueSource(strings = {"", "   ", "\t"})
    void refusesEmpty(String text) {
      assertThatThrownBy(() -> AddressRange.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("empty target");
    }
  }

  @Nested
  @DisplayName("parses a CIDR block")
  class Cidr {
    @Test
    @DisplayName("as its whole network")
    void wholeNetwork() {
      AddressRange r = AddressRange.parse("198.18.0.0/16");
      assertThat(r).isEqualTo(range("198.18.0.0", "198.18.255.255"));
      assertThat(r.size()).isEqualTo(65_536);
    }

    @Test
    @DisplayName("with host bits set as the network that holds it (as nmap and masscan do)")
    void hostBitsSetMeansNetwork() {
      assertThat(AddressRange.parse("198.18.3.77/24")).isEqualTo(range("198.18.3.0", "198.18.3.255"));
      assertThat(AddressRange.parse("198.18.255.255/15"))
          .isEqualTo(range("198.18.0.0", "198.19.255.255"));
    }

    @Test
    @DisplayName("/0 as the whole address space")
    void slashZero() {
      AddressRange r = AddressRange.parse("203.0.113.9/0");
      assertThat(r).isEqualTo(new AddressRange(0, AddressRange.MAX));
      assertThat(r.size()).isEqualTo(1L << 32);
    }

    @Test
    @DisplayName("/32 as the one address")
    void slashThirtyTwo() {
      assertThat(AddressRange.parse("198.18.0.9/32")).isEqualTo(range("198.18.0.9", "198.18.0.9"));
    }

    @Test
    @DisplayName("/31 and /1 at their exact sizes")
    void otherPrefixes() {
      assertThat(AddressRange.parse("198.18.0.9/31")).isEqualTo(range("198.18.0.8", "198.18.0.9"));
      assertThat(AddressRange.parse("200.0.0.0/1")).isEqualTo(range("128.0.0.0", "255.255.255.255"));
    }

    @ParameterizedTest(name = "refuses \"{0}\"")
    @ValueSource(
        strings = {
          "198.18.0.0/33", "198.18.0.0/-1", "198.18.0.0/", "198.18.0.0/+8", "198.18.0.0/ 8",
          "198.18.0.0/8.0", "198.18.0.0/x", "198.18.0.0/99999999999", "198.18.0.0/16/8"
        })
    void refusesBadPrefix(String text) {
      assertThatThrownBy(() -> AddressRange.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("'" + text + "'")
          .hasMessageContaining("bad prefix length")
          .hasMessageContaining("/0 to /32");
    }

    @Test
    @DisplayName("with a malformed network address as an address error")
    void refusesBadNetwork() {
      assertThatThrownBy(() -> AddressRange.parse("198.18.0/16"))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("not an IPv4 address");
    }
  }

  @Nested
  @DisplayName("parses a range")
  class Ranges {
    @Test
    @DisplayName("of two full addresses, both included")
    void fullRange() {
      assertThat(AddressRange.parse("198.18.0.1-198.18.1.9"))
          .isEqualTo(range("198.18.0.1", "198.18.1.9"));
      assertThat(AddressRange.parse(" 198.18.0.1 - 198.18.0.1 "))
          .isEqualTo(range("198.18.0.1", "198.18.0.1"));
    }

    @Test
    @DisplayName("in the short form, where the end is the last octet")
    void shortRange() {
      assertThat(AddressRange.parse("198.18.0.1-9")).isEqualTo(range("198.18.0.1", "198.18.0.9"));
      assertThat(AddressRange.parse("198.18.7.200-255"))
          .isEqualTo(range("198.18.7.200", "198.18.7.255"));
      assertThat(AddressRange.parse("198.18.7.0-0")).isEqualTo(range("198.18.7.0", "198.18.7.0"));
    }

    @ParameterizedTest(name = "refuses the short end in \"{0}\"")
    @ValueSource(strings = {"198.18.0.1-256", "198.18.0.1-1000", "198.18.0.1-99999999999"})
    void refusesShortEndOver255(String text) {
      assertThatThrownBy(() -> AddressRange.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("'" + text + "'")
          .hasMessageContaining("0-255");
    }

    @ParameterizedTest(name = "refuses reversed \"{0}\"")
    @ValueSource(strings = {"198.18.0.9-198.18.0.1", "198.18.0.9-1", "198.18.1.0-198.18.0.255"})
    void refusesReversed(String text) {
      assertThatThrownBy(() -> AddressRange.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("'" + text + "'")
          .hasMessageContaining("reversed");
    }

    @ParameterizedTest(name = "refuses \"{0}\"")
    @ValueSource(strings = {"198.18.0.1-", "-198.18.0.1", "198.18.0.1-198.18.0", "198.18.0.1-x"})
    void refusesMalformed(String text) {
      assertThatThrownBy(() -> AddressRange.parse(text)).isInstanceOf(UsageException.class);
    }
  }

  @Nested
  @DisplayName("as a value")
  class AsValue {
    @Test
    @DisplayName("refuses bounds outside [0, 2^32) or reversed (a programming error, not a usage one)")
    void constructorChecksBounds() {
      assertThatThrownBy(() -> new AddressRange(-1, 5)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new AddressRange(0, AddressRange.MAX + 1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new AddressRange(6, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("contains exactly its bounds and what lies between")
    void contains() {
      AddressRange r = range("198.18.0.10", "198.18.0.20");
      assertThat(r.contains(ip("198.18.0.10"))).isTrue();
      assertThat(r.contains(ip("198.18.0.20"))).isTrue();
      assertThat(r.contains(ip("198.18.0.9"))).isFalse();
      assertThat(r.contains(ip("198.18.0.21"))).isFalse();
    }

    @Test
    @DisplayName("orders by first address, then by last")
    void ordering() {
      assertThat(range("198.18.0.1", "198.18.0.5")).isLessThan(range("198.18.0.2", "198.18.0.3"));
      assertThat(range("198.18.0.1", "198.18.0.5")).isLessThan(range("198.18.0.1", "198.18.0.6"));
      assertThat(range("198.18.0.1", "198.18.0.5")).isEqualByComparingTo(range("198.18.0.1", "198.18.0.5"));
    }

    @Test
    @DisplayName("prints an aligned power-of-two block as CIDR, anything else as a range")
    void printsCompactly() {
      assertThat(range("198.18.0.1", "198.18.0.1")).hasToString("198.18.0.1");
      assertThat(range("198.18.0.0", "198.18.255.255")).hasToString("198.18.0.0/16");
      assertThat(new AddressRange(0, AddressRange.MAX)).hasToString("0.0.0.0/0");
      assertThat(range("198.18.0.1", "198.18.0.2")).hasToString("198.18.0.1-198.18.0.2");
      assertThat(range("198.18.0.2", "198.18.0.5")).hasToString("198.18.0.2-198.18.0.5");
      assertThat(range("198.18.0.4", "198.18.0.7")).hasToString("198.18.0.4/30");
    }

    @ParameterizedTest(name = "\"{0}\" parses back from its printed form")
    @ValueSource(
        strings = {"198.18.0.1", "198.18.0.0/16", "0.0.0.0/0", "198.18.0.3-198.18.0.17", "198.18.0.1-9"})
    void printedFormParsesBack(String text) {
      AddressRange r = AddressRange.parse(text);
      assertThat(AddressRange.parse(r.toString())).isEqualTo(r);
    }
  }
}
