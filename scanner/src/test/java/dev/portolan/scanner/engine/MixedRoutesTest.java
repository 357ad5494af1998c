package dev.portolan.scanner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.Ipv4;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Whether a scope leaves by one path, against a node's routing table as kindnet or flannel leave it. */
class MixedRoutesTest {
  /** A Kubernetes node: its own address 10.0.0.2, local pods on their own veths, other nodes' pods via those nodes. */
  private static final List<String> NODE = table(
      route("eth0", "0.0.0.0", "0.0.0.0", "10.0.0.1"),
      route("eth0", "10.0.0.0", "255.255.255.0", "0.0.0.0"),
      route("veth1a2b", "10.244.1.5", "255.255.255.255", "0.0.0.0"),
      route("veth3c4d", "10.244.1.6", "255.255.255.255", "0.0.0.0"),
      route("eth0", "10.244.2.0", "255.255.255.0", "10.0.0.3"));
  private static final Set<Integer> OWN = Set.of(Ipv4.parse("10.0.0.2"), Ipv4.parse("10.244.1.1"));

  @Test
  void aScopeOnOneRouteIsUniform() {
    assertThat(PathResolver.mixedRoutes(hosts("10.244.2.0/24"), NODE, OWN)).isEmpty();
    assertThat(PathResolver.mixedRoutes(hosts("192.168.0.0/16"), NODE, OWN)).isEmpty();
    assertThat(PathResolver.mixedRoutes(hosts("10.0.0.3", "10.0.0.9-10.0.0.20"), NODE, OWN)).isEmpty();
  }

  @Test
  void podsWithRoutesOfTheirOwnAreMixed() {
    assertThat(PathResolver.mixedRoutes(hosts("10.244.1.5", "10.244.2.7"), NODE, OWN)).hasValueSatisfying(m ->
        assertThat(m).contains("10.244.2.7 via eth0 gateway 10.0.0.3", "10.244.1.5 via veth1a2b (on link)"));
    assertThat(PathResolver.mixedRoutes(hosts("10.244.1.5", "10.244.1.6"), NODE, OWN)).isPresent();
  }

  @Test
  void aMoreSpecificRouteInsideACidrIsFoundEvenWhereTheEndsAgree() {
    // Both ends of these go to the default gateway; the middle does not.
    assertThat(PathResolver.mixedRoutes(hosts("10.244.1.2-10.244.1.200"), NODE, OWN)).hasValueSatisfying(m ->
        assertThat(m).contains("10.244.1.5 via veth1a2b"));
    assertThat(PathResolver.mixedRoutes(hosts("10.244.0.0/16"), NODE, OWN)).isPresent();
  }

  @Test
  void thisHostsOwnAddressAmongOthersIsMixed() {
    assertThat(PathResolver.mixedRoutes(hosts("10.0.0.0/24"), NODE, OWN)).hasValueSatisfying(m ->
        assertThat(m).contains("10.0.0.2 is this host's own"));
  }

  private static AddressSet hosts(String... targets) {
    return dev.portolan.control.target.Scope.parseList(List.of(targets));
  }

  private static String route(String ifname, String dst, String mask, String gateway) {
    return String.join("\t", ifname, hex(dst), hex(gateway), "0003", "0", "0", "0", hex(mask), "0", "0", "0");
  }

  /** /proc/net/route writes addresses as host-order (little-endian) hex. */
  private static String hex(String address) {
    return String.format("%08X", Integer.reverseBytes(Ipv4.parse(address)));
  }

  private static List<String> table(String... routes) {
    List<String> lines = new ArrayList<>();
    lines.add("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT");
    lines.addAll(List.of(routes));
    return lines;
  }
}
