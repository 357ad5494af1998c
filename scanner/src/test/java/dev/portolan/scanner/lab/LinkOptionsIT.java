package dev.portolan.scanner.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How probes leave the host: on-link targets, the kernel-RST rule, progress on standard error. */
@ExtendWith(LabExtension.class)
@DisplayName("link and operator options in the lab")
class LinkOptionsIT {

  @BeforeAll
  static void services(Lab lab) {
    lab.listen("198.19.0.1:9000", "198.18.0.1:80");
  }

  @Test
  @DisplayName("on-link targets are resolved one by one by ARP; hosts that never answer ARP are reported, not probed")
  void onLinkTargets(Lab lab) {
    // 198.19.0.2 is the scanner's own address: with it the scope would be probed by connects.
    Lab.Run run = lab.portolan("scan", "198.19.0.0/29", "--exclude", "198.19.0.2", "-p", "9000,9001", "--wait", "1",
        "--show", "open,closed,filtered", "--format", "ndjson");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("on-link, 1 hosts answered ARP");
    List<Map<String, String>> records = Ndjson.parse(run.stdout());
    assertThat(Ndjson.endpoints(records, "open")).containsExactly("198.19.0.1:9000");
    assertThat(Ndjson.endpoints(records, "closed")).containsExactly("198.19.0.1:9001");
    assertThat(records)
        .filteredOn(r -> "filtered".equals(r.get("state")))
        .hasSize(12)
        .allSatisfy(r -> assertThat(r).containsEntry("reason", "no-arp-reply"));
    assertThat(Ndjson.summary(records)).containsEntry("probes", "2");
  }

  @Test
  @DisplayName("--drop-kernel-rst installs its rule only for the scan and always removes it")
  void kernelRstRuleIsRemoved(Lab lab) {
    String before = iptablesOutput(lab);

    Lab.Run run = lab.portolan("scan", "198.18.0.0/24", "-p", "80", "--wait", "1", "--drop-kernel-rst", "--format", "ndjson");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(Ndjson.endpoints(Ndjson.parse(run.stdout()), "open")).containsExactly("198.18.0.1:80");
    assertThat(iptablesOutput(lab)).isEqualTo(before).doesNotContain("portolan");
  }

  @Test
  @DisplayName("--progress shows rate, percent done, open ports and time left on standard error")
  void progress(Lab lab) {
    Lab.Run run = lab.portolan("scan", "198.18.0.0/24", "-p", "80,81", "--rate", "200", "--wait", "0", "--retries", "0", "--progress", "-q");

    assertThat(run.stderr()).containsPattern("rate +[0-9.k]+ pps, +[0-9.]+% done, [01] open, 0:00:0[0-9] left");
  }

  private static String iptablesOutput(Lab lab) {
    try {
      Process p = new ProcessBuilder("ip", "netns", "exec", lab.scannerNamespace(), "iptables", "-S", "OUTPUT").start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      return out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
