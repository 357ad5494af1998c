package dev.portolan.scanner.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The raw SYN engine against real kernel TCP stacks in a lab: a target namespace answering for
 * 198.18.0.0/16, listeners on chosen addresses (one on an unusual port), and a range the target
 * silently drops. The scanner namespace starts with an empty neighbour table, so every run also
 * resolves its router by ARP.
 */
@ExtendWith(LabExtension.class)
@DisplayName("SYN discovery in the lab")
class SynDiscoveryIT {
  static final String PORTS = "22,80,443,8080,31337";
  static final Set<String> OPEN =
      Set.of("198.18.0.10:22", "198.18.0.10:80", "198.18.3.7:8080", "198.18.15.254:443", "198.18.9.9:31337");
  static final String SCOPE = "198.18.0.0/20";
  static final int HOSTS = 4096;
  static final int PORT_COUNT = 5;

  @BeforeAll
  static void services(Lab lab) {
    lab.listen(OPEN.toArray(String[]::new));
    lab.drop("198.18.7.0/24");
  }

  @Test
  @DisplayName("reports exactly the open ports, every other answering port as closed, the dropped range as filtered")
  void exactResults(Lab lab) {
    Lab.Run run =
        lab.portolan("scan", SCOPE, "-p", PORTS, "--rate", "50000", "--wait", "1", "--show", "open,closed,filtered", "--format", "ndjson");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    List<Map<String, String>> records = Ndjson.parse(run.stdout());
    Set<String> filtered = Ndjson.endpoints(records, "filtered");
    assertThat(Ndjson.endpoints(records, "open")).isEqualTo(OPEN);
    assertThat(filtered).hasSize(256 * PORT_COUNT).allMatch(e -> e.startsWith("198.18.7."));
    assertThat(Ndjson.endpoints(records, "closed"))
        .hasSize(HOSTS * PORT_COUNT - OPEN.size() - filtered.size())
        .doesNotContainAnyElementsOf(OPEN)
        .noneMatch(e -> e.startsWith("198.18.7."));
    Map<String, String> summary = Ndjson.summary(records);
    assertThat(summary).containsEntry("completed", "true").containsEntry("open", "5");
    assertThat(run.stderr()).contains("via router 198.19.0.1");
  }

  @Test
  @DisplayName("open ports carry the SYN-ACK's TTL, window, MSS and option order")
  void fingerprints(Lab lab) {
    Lab.Run run = lab.portolan("scan", "198.18.0.10", "-p", "22,80", "--rate", "1000", "--wait", "1", "--format", "ndjson");

    List<Map<String, String>> records = Ndjson.parse(run.stdout());
    assertThat(records.subList(0, 2))
        .allSatisfy(
            r -> {
              assertThat(r).containsEntry("state", "open").containsEntry("reason", "syn-ack");
              assertThat(r.get("ttl")).isEqualTo("64");
              assertThat(r.get("mss")).isEqualTo("1460");
              assertThat(r.get("options")).isEqualTo("mss,sok,ts,nop,ws");
            });
  }

  @Test
  @DisplayName("excludes always win, given inline, as a larger range, or in a file")
  void excludesWin(Lab lab) throws IOException {
    Path file = lab.workDirectory().resolve("exclude.txt");
    Files.writeString(file, "# keep this host out\n198.18.3.7\n\n198.18.15.0/24 # and this net\n");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    Lab.Run run =
        lab.portolan("scan", SCOPE, "-p", PORTS, "--rate", "50000", "--wait", "1", "--format", "ndjson",
            "--exclude", "198.18.0.0/23", "--exclude-file", file.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    List<Map<String, String>> records = Ndjson.parse(run.stdout());
    assertThat(Ndjson.endpoints(records, "open")).containsExactly("198.18.9.9:31337");
    assertThat(Ndjson.summary(records)).containsEntry("targets", Long.toString((HOSTS - 512 - 1 - 256) * 5L));
  }

  @Test
  @DisplayName("shards with one seed are disjoint and together find everything")
  void shardsPartitionTheScan(Lab lab) {
    Set<String> union = new TreeSet<>();
    long probes = 0;
    long targets = 0;
    for (int k = 1; k <= 3; k++) {
      Lab.Run run =
          lab.portolan("scan", SCOPE, "-p", PORTS, "--rate", "50000", "--wait", "1", "--format", "ndjson",
              "--seed", "7", "--shard", k + "/3", "--retries", "0", "--show", "open,closed");
      List<Map<String, String>> records = Ndjson.parse(run.stdout());
      Set<String> answered = new HashSet<>(Ndjson.endpoints(records, "open"));
      answered.addAll(Ndjson.endpoints(records, "closed"));
      assertThat(union).doesNotContainAnyElementsOf(answered);
      union.addAll(answered);
      probes += Long.parseLong(Ndjson.summary(records).get("probes"));
      targets += Long.parseLong(Ndjson.summary(records).get("targets"));
    }
    assertThat(targets).isEqualTo((long) HOSTS * PORT_COUNT);
    assertThat(probes).isEqualTo((long) HOSTS * PORT_COUNT);
    assertThat(union).containsAll(OPEN).hasSize((HOSTS - 256) * PORT_COUNT);
  }

  @Test
  @DisplayName("nmap XML lists each host with its open ports")
  void nmapXml(Lab lab) throws IOException {
    Path xml = lab.workDirectory().resolve("scan.xml");
    Lab.Run run = lab.portolan("scan", SCOPE, "-p", PORTS, "--rate", "50000", "--wait", "1", "-oX", xml.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    String doc = Files.readString(xml);
    assertThat(doc)
        .contains("<nmaprun scanner=\"nmap\"")
        .contains("<address addr=\"198.18.0.10\" addrtype=\"ipv4\"")
        .contains("<port protocol=\"tcp\" portid=\"31337\"><state state=\"open\" reason=\"syn-ack\"")
        .contains("<runstats><finished")
        .endsWith("</nmaprun>\n");
  }
}
