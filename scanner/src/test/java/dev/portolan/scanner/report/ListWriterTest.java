package dev.portolan.scanner.report;

import static dev.portolan.scanner.report.ReportFixtures.AT;
import static dev.portolan.scanner.report.ReportFixtures.closed;
import static dev.portolan.scanner.report.ReportFixtures.filtered;
import static dev.portolan.scanner.report.ReportFixtures.info;
import static dev.portolan.scanner.report.ReportFixtures.open;
import static dev.portolan.scanner.report.ReportFixtures.render;
import static dev.portolan.scanner.report.ReportFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ListWriter (masscan -oL)")
class ListWriterTest {
  /** masscan's list line: state, protocol, port, address, epoch seconds. */
  private static final String MASSCAN_LINE = "^(open|closed|filtered) tcp \\d{1,5} \\d{1,3}(\\.\\d{1,3}){3} \\d+$";

  @Test
  @DisplayName("writes one masscan line per result between masscan's own #masscan header and # end")
  void masscanLines() throws IOException {
    String output =
        render(
            OutputFormat.LIST,
            info("x", "syn"),
            List.of(open("198.18.0.10", 80), closed("255.255.255.254", 65535), filtered("0.0.0.1", 1)),
            summary(1, 1, 1, true, 3));
    List<String> lines = output.lines().toList();
    assertThat(output).endsWith("\n");
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).isEqualTo("#masscan");
    assertThat(lines.subList(1, 4)).allMatch(l -> l.matches(MASSCAN_LINE), "matches " + MASSCAN_LINE);
    long epoch = AT / 1000;
    assertThat(lines.subList(1, 4))
        .containsExactly(
            "open tcp 80 198.18.0.10 " + epoch,
            "closed tcp 65535 255.255.255.254 " + (epoch + 2),
            "filtered tcp 1 0.0.0.1 " + (epoch + 3));
    assertThat(lines.get(4)).isEqualTo("# end");
  }

  @Test
  @DisplayName("time is whole epoch seconds, rounded down")
  void epochSeconds() throws IOException {
    var r = new dev.portolan.scanner.engine.PortResult(
        dev.portolan.control.target.Ipv4.parse("198.18.0.1"), 22, dev.portolan.scanner.engine.PortState.OPEN, "syn-ack", null, 1_700_000_000_999L);
    String output = render(OutputFormat.LIST, info("x", "syn"), List.of(r), summary(1, 0, 0, true, 1));
    assertThat(output.lines()).contains("open tcp 22 198.18.0.1 1700000000");
  }

  @Test
  @DisplayName("flushes each line as it is written")
  void flushesPerLine() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ListWriter writer = new ListWriter(out);
    writer.begin(info("x", "syn"));
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("\n");
    writer.write(open("198.18.0.10", 443));
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("open tcp 443 198.18.0.10 " + AT / 1000 + "\n");
    writer.end(summary(1, 0, 0, true, 1));
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("# end\n");
    writer.close();
  }
}
