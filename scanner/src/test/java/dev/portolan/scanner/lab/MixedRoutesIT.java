package dev.portolan.scanner.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scope the routing table splits, as on a Kubernetes node (each local pod behind its own veth,
 * other pods via other nodes): the lab gets a second veth pair between its two namespaces and a
 * more specific route for 198.18.200.0/24 over it. One raw path cannot serve both parts, so the
 * scan says so and probes by connects, which the kernel routes target by target; nothing is lost.
 */
@ExtendWith(LabExtension.class)
@DisplayName("a scope split across routes")
class MixedRoutesIT {

  @BeforeAll
  static void secondRoute(Lab lab) throws Exception {
    String s = lab.scannerNamespace();
    String t = lab.targetNamespace();
    ip("link", "add", "ptlroute-a", "netns", s, "type", "veth", "peer", "name", "ptlroute-b", "netns", t);
    ip("-n", s, "addr", "add", "198.19.5.2/24", "dev", "ptlroute-a");
    ip("-n", t, "addr", "add", "198.19.5.1/24", "dev", "ptlroute-b");
    ip("-n", s, "link", "set", "ptlroute-a", "up");
    ip("-n", t, "link", "set", "ptlroute-b", "up");
    ip("-n", s, "route", "add", "198.18.200.0/24", "via", "198.19.5.1", "dev", "ptlroute-a");
    lab.listen("198.18.199.10:80", "198.18.200.10:80");
  }

  @Test
  @DisplayName("both parts are scanned, by connects, and the scan says why")
  void bothPartsByConnects(Lab lab) {
    Lab.Run run = lab.portolan("scan", "198.18.199.0-198.18.200.255", "-p", "80,81", "--wait", "1", "--no-validate", "--format", "ndjson");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("the targets leave by different routes", "via ptlroute-a", "probing with TCP connects");
    List<Map<String, String>> records = Ndjson.parse(run.stdout());
    assertThat(Ndjson.endpoints(records, "open")).containsExactlyInAnyOrder("198.18.199.10:80", "198.18.200.10:80");
    assertThat(Ndjson.summary(records)).containsEntry("probes", "1024");
  }

  @Test
  @DisplayName("this host's own address among others: connects, and the own address answers as itself")
  void ownAddressAmongOthers(Lab lab) {
    lab.listen("198.19.0.1:9100");
    Lab.Run run = lab.portolan("scan", "198.19.0.1-198.19.0.2", "-p", "9100", "--wait", "1", "--no-validate",
        "--show", "open,closed", "--format", "ndjson");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("198.19.0.2 is this host's own", "probing with TCP connects");
    List<Map<String, String>> records = Ndjson.parse(run.stdout());
    assertThat(Ndjson.endpoints(records, "open")).containsExactly("198.19.0.1:9100");
    assertThat(Ndjson.endpoints(records, "closed")).containsExactly("198.19.0.2:9100");
  }

  @Test
  @DisplayName("a part on one route alone still gets raw SYN probes")
  void onePartBySyn(Lab lab) {
    Lab.Run run = lab.portolan("scan", "198.18.200.0/24", "-p", "80", "--wait", "1", "--no-validate", "--format", "ndjson");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("sending on ptlroute-a").doesNotContain("TCP connects");
    assertThat(Ndjson.endpoints(Ndjson.parse(run.stdout()), "open")).containsExactly("198.18.200.10:80");
  }

  private static void ip(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + new String(p.getInputStream().readAllBytes()));
    }
  }
}
