package dev.portolan.scanner.report;

import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.PortState;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.engine.SynAckFingerprint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Result, summary and run values built directly, and a helper that runs a writer over them. */
final class ReportFixtures {
  private ReportFixtures() {}

  static final Instant STARTED = Instant.parse("2026-03-01T10:00:00Z");
  static final Instant FINISHED = Instant.parse("2026-03-01T10:00:42.500Z");
  static final long AT = Instant.parse("2026-03-01T10:00:05.250Z").toEpochMilli();

  static final SynAckFingerprint LINUX = new SynAckFingerprint(64, 65160, 1460, 7, "mss,sok,ts,nop,ws");

  static PortResult open(String ip, int port) {
    return new PortResult(Ipv4.parse(ip), port, PortState.OPEN, "syn-ack", LINUX, AT);
  }

  static PortResult openByConnect(String ip, int port) {
    return new PortResult(Ipv4.parse(ip), port, PortState.OPEN, "syn-ack", null, AT + 1000);
  }

  static PortResult closed(String ip, int port) {
    return new PortResult(Ipv4.parse(ip), port, PortState.CLOSED, "reset", null, AT + 2000);
  }

  static PortResult filtered(String ip, int port) {
    return new PortResult(Ipv4.parse(ip), port, PortState.FILTERED, "no-response", null, AT + 3000);
  }

  static ScanInfo info(String commandLine, String method) {
    return new ScanInfo(commandLine, method, PortSet.parse("22,80,443,8000-8100"), STARTED, "0.1.0-test");
  }

  static ScanSummary summary(long open, long closed, long filtered, boolean completed, long resumeFrom) {
    return new ScanSummary(
        "syn",
        STARTED,
        FINISHED,
        1_000,
        open,
        closed,
        filtered,
        1_024,
        resumeFrom,
        completed,
        0,
        0,
        Duration.ofSeconds(40));
  }

  /** Runs a whole report (begin, every result, end, close) and returns what it wrote. */
  static String render(OutputFormat format, ScanInfo info, List<PortResult> results, ScanSummary summary)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FindingWriter writer = format.open(out)) {
      writer.begin(info);
      for (PortResult r : results) {
        writer.write(r);
      }
      writer.end(summary);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
