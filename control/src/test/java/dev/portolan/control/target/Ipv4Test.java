package dev.portolan.control.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.UsageException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Ipv4")
class Ipv4Test {

  @Nested
  @DisplayName("parse accepts a strict dotted quad")
  class Parse {
    @Test
    @DisplayName("as the unsigned 32-bit value, most significant octet first")
    void parsesToBigEndianValue() {
      assertThat(Ipv4.parse("198.18.0.1")).isEqualTo(0xc6120001);
      assertThat(Ipv4.parse("0.0.0.0")).isZero();
      assertThat(Ipv4.parse("255.255.255.255")).isEqualTo(-1);
      assertThat(Ipv4.parse("10.0.255.7")).isEqualTo(0x0a00ff07);
    }

    @Test
    @DisplayName("ignoring surrounding white space")
    void stripsWhitespace() {
      assertThat(Ipv4.parse("  198.18.0.1\t")).isEqualTo(0xc6120001);
    }

    @ParameterizedTest(name = "rejects \"{0}\"")
    @ValueSource(
        strings = {
          "01.2.3.4", "1.02.3.4", "1.2.3.00", "198.018.0.1", // leading zeros: octal to some tools
          "256.0.0.1", "1.2.3.256", "1.2.3.999", "1.2.3.1000000000000", // parts over 255
          "1.2.3.4.5", "1.2.3", "1.2", "1", // wrong number of parts
          "", " ", ".", "1..2.3", "1.2.3.", ".1.2.3", // empty parts
          "-1.2.3.4", "1.2.3.+4", "a.b.c.d", "1.2.3.4x", "1.2.3.4/24", "1,2,3,4", "١.٢.٣.٤"
        })
    void rejectsMalformedText(String text) {
      assertThatThrownBy(() -> Ipv4.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("'" + text + "'")
          .hasMessageContaining("0-255");
    }

    @ParameterizedTest(name = "says \"{0}\" is IPv6")
    @ValueSource(strings = {"::1", "fe80::1%eth0", "::ffff:198.18.0.1", "fd00:0:0:1::7", "100::1"})
    void recognisesIpv6(String text) {
      assertThatThrownBy(() -> Ipv4.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("IPv6")
          .hasMessageContaining("IPv4 only");
    }

    @ParameterizedTest(name = "says \"{0}\" is IPv6")
    @ValueSource(strings = {"2001:db8::1", "2620:0:2d0::1", "2001:db8::/32"})
    void recognisesIpv6WithLargeFirstGroup(String text) {
      assertThatThrownBy(() -> Ipv4.parse(text))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("IPv6");
    }
  }

  @Nested
  @DisplayName("format")
  class Format {
    @Test
    @DisplayName("writes the dotted quad of unsigned octets")
    void formatsUnsignedOctets() {
      assertThat(Ipv4.format(0xc6120001)).isEqualTo("198.18.0.1");
      assertThat(Ipv4.format(-1)).isEqualTo("255.255.255.255");
      assertThat(Ipv4.format(0)).isEqualTo("0.0.0.0");
      assertThat(Ipv4.format(0x80000000)).isEqualTo("128.0.0.0");
    }

    @Test
    @DisplayName("round-trips with parse for any address")
    void roundTrips() {
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < 100_000; i++) {
        int address = random.nextInt();
        assertThat(Ipv4.parse(Ipv4.format(address))).isEqualTo(address);
      }
    }
  }

  @Test
  @DisplayName("unsigned widens without sign extension")
  void unsignedWidens() {
    assertThat(Ipv4.unsigned(-1)).isEqualTo(0xffffffffL);
    assertThat(Ipv4.unsigned(0x80000000)).isEqualTo(0x80000000L);
    assertThat(Ipv4.unsigned(1)).isEqualTo(1L);
  }
}
