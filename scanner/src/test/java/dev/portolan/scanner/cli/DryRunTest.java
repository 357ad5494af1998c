package dev.portolan.scanner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.TcpPacket;

/**
 * {@code --pcap}: the frames a scan would send, written to a file instead (zmap's dry run). Needs
 * no privileges and sends nothing; pcap4j, an independent decoder, checks every frame.
 */
@DisplayName("portolan scan --pcap (dry run)")
class DryRunTest {

  /** The targets a dry run probed, as address:port. */
  private static java.util.Set<String> probed(Path pcap) throws Exception {
    java.util.Set<String> seen = new java.util.TreeSet<>();
    try (PcapHandle handle = Pcaps.openOffline(pcap.toString())) {
      while (true) {
        Packet p;
        try {
          p = handle.getNextPacketEx();
        } catch (EOFException e) {
          return seen;
        }
        IpV4Packet ip = p.get(IpV4Packet.class);
        seen.add(ip.getHeader().getDstAddr().getHostAddress() + ":" + p.get(TcpPacket.class).getHeader().getDstPort().valueAsInt());
      }
    }
  }

  @Test
  @DisplayName("-oA BASENAME writes every format at once: .xml (valid by nmap's DTD), .gnmap, .json and .list")
  void allFormats(@TempDir Path dir) throws Exception {
    Path base = dir.resolve("lab");
    CliRun run = CliRun.of("scan", "198.18.0.0/30", "-p", "80", "-oA", base.toString(), "--pcap", dir.resolve("p.pcap").toString(),
        "--interface", "lo", "--source-ip", "198.19.0.2", "--router-mac", "02:00:00:00:00:01", "--retries", "0", "-q");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).as("nothing on standard output").isEmpty();
    dev.portolan.scanner.report.NmapDtd.validate(java.nio.file.Files.readString(dir.resolve("lab.xml")));
    assertThat(java.nio.file.Files.readString(dir.resolve("lab.gnmap"))).startsWith("# Portolan ").contains("# Portolan done at ")
        .contains("-- 4 IP addresses");
    assertThat(java.nio.file.Files.readString(dir.resolve("lab.json"))).contains("\"type\":\"summary\"");
    assertThat(java.nio.file.Files.readString(dir.resolve("lab.list"))).startsWith("#masscan\n").endsWith("# end\n");
  }

  @Test
  @DisplayName("-iL FILE and - (standard input) add their targets to those named, comments and blank lines skipped")
  void targetLists(@TempDir Path dir) throws Exception {
    Path list = java.nio.file.Files.writeString(dir.resolve("targets.txt"), "# lab hosts\n198.18.0.1, 198.18.0.2\n\n198.18.0.8/31  # a pair\n");
    Path pcap = dir.resolve("file.pcap");
    CliRun run = CliRun.of("scan", "198.18.0.20", "-iL", list.toString(), "-p", "80", "--open", "--pcap", pcap.toString(), "--interface", "lo",
        "--source-ip", "198.19.0.2", "--router-mac", "02:00:00:00:00:01", "--retries", "0", "-q");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(probed(pcap)).containsExactlyInAnyOrder("198.18.0.1:80", "198.18.0.2:80", "198.18.0.20:80", "198.18.0.8:80", "198.18.0.9:80");

    java.io.InputStream saved = System.in;
    Path fromStdin = dir.resolve("stdin.pcap");
    try {
      System.setIn(new java.io.ByteArrayInputStream("198.18.0.5\n198.18.0.6\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      CliRun piped = CliRun.of("scan", "-", "-p", "443", "--pcap", fromStdin.toString(), "--interface", "lo",
          "--source-ip", "198.19.0.2", "--router-mac", "02:00:00:00:00:01", "--retries", "0", "-q");
      assertThat(piped.exitCode()).as(piped.stderr()).isZero();
    } finally {
      System.setIn(saved);
    }
    assertThat(probed(fromStdin)).containsExactly("198.18.0.5:443", "198.18.0.6:443");
  }

  @Test
  @DisplayName("writes one valid SYN per target and pass, each target exactly once per pass")
  void framesForEveryTarget(@TempDir Path dir) throws Exception {
    Path pcap = dir.resolve("probes.pcap");

    CliRun run =
        CliRun.of("scan", "198.18.0.0/28", "-p", "80,443,8080", "--pcap", pcap.toString(), "--interface", "lo",
            "--source-ip", "198.19.0.2", "--router-mac", "02:00:00:00:00:01", "--retries", "1",
            "--rate", "100000", "--seed", "5", "-q");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    Map<String, Integer> seen = new HashMap<>();
    try (PcapHandle handle = Pcaps.openOffline(pcap.toString())) {
      while (true) {
        Packet p;
        try {
          p = handle.getNextPacketEx();
        } catch (EOFException e) {
          break;
        }
        EthernetPacket eth = (EthernetPacket) p;
        IpV4Packet ip = eth.get(IpV4Packet.class);
        TcpPacket tcp = eth.get(TcpPacket.class);
        assertThat(eth.getHeader().getDstAddr().toString()).isEqualTo("02:00:00:00:00:01");
        assertThat(ip.getHeader().hasValidChecksum(false)).isTrue();
        assertThat(tcp.hasValidChecksum(ip.getHeader().getSrcAddr(), ip.getHeader().getDstAddr(), false)).isTrue();
        assertThat(tcp.getHeader().getSyn()).isTrue();
        assertThat(tcp.getHeader().getAck()).isFalse();
        assertThat(ip.getHeader().getSrcAddr().getHostAddress()).isEqualTo("198.19.0.2");
        assertThat(tcp.getHeader().getSrcPort().valueAsInt()).isBetween(61000, 61999);
        seen.merge(ip.getHeader().getDstAddr().getHostAddress() + ":" + tcp.getHeader().getDstPort().valueAsInt(), 1, Integer::sum);
      }
    }
    assertThat(seen).hasSize(16 * 3);
    assertThat(seen.values()).containsOnly(2);
    assertThat(Files.size(pcap)).isGreaterThan(24);
  }
}
