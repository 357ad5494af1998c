package dev.portolan.control.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ScanSpace")
class ScanSpaceTest {

  private static ScanSpace space(String ports, String... hosts) {
    return new ScanSpace(Scope.parseList(List.of(hosts)), PortSet.parse(ports));
  }

  @Test
  @DisplayName("has hosts x ports positions")
  void size() {
    assertThat(space("22,80,443", "198.18.0.0/24", "198.18.9.9").size()).isEqualTo(257 * 3);
  }

  @Test
  @DisplayName("numbers targets host-major: all ports of a host, then the next host")
  void hostMajorOrder() {
    ScanSpace s = space("22,80", "198.18.0.1-2");
    assertThat(Ipv4.format(s.addressAt(0)) + ":" + s.portAt(0)).isEqualTo("198.18.0.1:22");
    assertThat(Ipv4.format(s.addressAt(1)) + ":" + s.portAt(1)).isEqualTo("198.18.0.1:80");
    assertThat(Ipv4.format(s.addressAt(2)) + ":" + s.portAt(2)).isEqualTo("198.18.0.2:22");
    assertThat(Ipv4.format(s.addressAt(3)) + ":" + s.portAt(3)).isEqualTo("198.18.0.2:80");
  }

  @Test
  @DisplayName("gives every (address, port) exactly one index and back, over a multi-range set")
  void roundTripExhaustive() {
    ScanSpace s = space("21-23,80,443,8080", "198.18.0.0/26", "198.18.1.7-198.18.1.9", "198.18.3.3");
    Set<Long> seen = new HashSet<>();
    for (long i = 0; i < s.size(); i++) {
      int address = s.addressAt(i);
      int port = s.portAt(i);
      assertThat(s.indexOf(address, port)).isEqualTo(i);
      assertThat(seen.add(((long) address << 16) | port)).as("pair at %d is new", i).isTrue();
    }
    assertThat(seen).hasSize((int) s.size());
  }

  @Test
  @DisplayName("round-trips at the largest size, 2^32 hosts x 65535 ports, without overflow")
  void roundTripLargest() {
    ScanSpace s = space("-", "0.0.0.0/0");
    assertThat(s.size()).isEqualTo((1L << 32) * 65_535);
    long[] edges = {0, 1, 65_534, 65_535, s.size() / 2, s.size() - 65_535, s.size() - 1};
    for (long i : edges) {
      assertThat(s.indexOf(s.addressAt(i), s.portAt(i))).isEqualTo(i);
    }
    assertThat(Ipv4.format(s.addressAt(s.size() - 1))).isEqualTo("255.255.255.255");
    assertThat(s.portAt(s.size() - 1)).isEqualTo(65_535);
    SplittableRandom random = new SplittableRandom(1);
    for (int k = 0; k < 10_000; k++) {
      long i = random.nextLong(s.size());
      assertThat(s.indexOf(s.addressAt(i), s.portAt(i))).isEqualTo(i);
    }
  }

  @Test
  @DisplayName("indexOf is -1 for an address or a port outside the space")
  void outside() {
    ScanSpace s = space("22,80", "198.18.0.0/24");
    assertThat(s.indexOf(Ipv4.parse("198.18.1.1"), 22)).isEqualTo(-1);
    assertThat(s.indexOf(Ipv4.parse("198.18.0.1"), 23)).isEqualTo(-1);
    assertThat(s.indexOf(Ipv4.parse("198.18.0.1"), 0)).isEqualTo(-1);
    assertThat(s.indexOf(Ipv4.parse("198.18.0.1"), 70_000)).isEqualTo(-1);
    assertThat(s.indexOf(Ipv4.parse("198.18.0.1"), 80)).isEqualTo(3);
  }
}
