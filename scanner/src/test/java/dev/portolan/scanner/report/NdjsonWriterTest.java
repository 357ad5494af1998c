package dev.portolan.scanner.report;

import static dev.portolan.scanner.report.ReportFixtures.AT;
import static dev.portolan.scanner.report.ReportFixtures.closed;
import static dev.portolan.scanner.report.ReportFixtures.filtered;
import static dev.portolan.scanner.report.ReportFixtures.info;
import static dev.portolan.scanner.report.ReportFixtures.open;
import static dev.portolan.scanner.report.ReportFixtures.openByConnect;
import static dev.portolan.scanner.report.ReportFixtures.render;
import static dev.portolan.scanner.report.ReportFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.portolan.control.target.Ipv4;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.PortState;
import dev.portolan.scanner.engine.SynAckFingerprint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("NdjsonWriter")
class NdjsonWriterTest {
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Parses one line as exactly one flat JSON object (fails on anything else: a partial object, two
   * objects, trailing bytes) and returns its fields in order, numbers as Number, strings as String.
   */
  static Map<String, Object> object(String line) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(line)) {
      assertThat(p.nextToken()).as("start of %s", line).isEqualTo(JsonToken.START_OBJECT);
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        assertThat(t).isEqualTo(JsonToken.FIELD_NAME);
        String name = p.currentName();
        JsonToken value = p.nextToken();
        Object v =
            switch (value) {
              case VALUE_STRING -> p.getText();
              case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
              case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
              case VALUE_NULL -> null;
              default -> throw new AssertionError("nested value in " + line);
            };
        assertThat(fields).as("duplicate field %s", name).doesNotContainKey(name);
        fields.put(name, v);
      }
      assertThat(p.nextToken()).as("nothing after the object in %s", line).isNull();
    }
    return fields;
  }

  private static List<Map<String, Object>> objects(String output) throws IOException {
    assertThat(output).endsWith("\n");
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : output.split("\n", -1)) {
      if (!line.isEmpty()) {
        out.add(object(line));
      }
    }
    assertThat(output.split("\n", -1)).as("no blank lines").hasSize(out.size() + 1);
    return out;
  }

  private static final List<PortResult> RESULTS =
      List.of(open("198.18.0.10", 22), closed("198.18.0.10", 81), filtered("198.18.0.11", 443), openByConnect("198.18.0.12", 80));

  @Nested
  @DisplayName("writes one complete JSON object per line")
  class Lines {
    @Test
    @DisplayName("one per result, then the summary, last")
    void linesThenSummary() throws IOException {
      List<Map<String, Object>> lines =
          objects(render(OutputFormat.NDJSON, info("portolan scan", "syn"), RESULTS, summary(2, 1, 1, true, 1024)));
      assertThat(lines).hasSize(RESULTS.size() + 1);
      assertThat(lines.subList(0, RESULTS.size())).allSatisfy(l -> assertThat(l).containsEntry("type", "port"));
      assertThat(lines.get(lines.size() - 1)).containsEntry("type", "summary");
    }

    @Test
    @DisplayName("an open port seen by the raw engine carries its fingerprint")
    void openWithFingerprint() throws IOException {
      Map<String, Object> line =
          objects(render(OutputFormat.NDJSON, info("x", "syn"), List.of(open("198.18.0.10", 22)), summary(1, 0, 0, true, 1))).get(0);
      assertThat(line)
          .containsExactly(
              Map.entry("type", "port"),
              Map.entry("ip", "198.18.0.10"),
              Map.entry("port", 22),
              Map.entry("proto", "tcp"),
              Map.entry("state", "open"),
              Map.entry("reason", "syn-ack"),
              Map.entry("ttl", 64),
              Map.entry("window", 65160),
              Map.entry("mss", 1460),
              Map.entry("wscale", 7),
              Map.entry("options", "mss,sok,ts,nop,ws"),
              Map.entry("time", Instant.ofEpochMilli(AT).toString()));
      assertThat(Instant.parse((String) line.get("time")).toEpochMilli()).isEqualTo(AT);
    }

    @Test
    @DisplayName("a closed port has no fingerprint fields")
    void closedWithoutFingerprint() throws IOException {
      Map<String, Object> line =
          objects(render(OutputFormat.NDJSON, info("x", "syn"), List.of(closed("255.255.255.254", 65535)), summary(0, 1, 0, true, 1))).get(0);
      assertThat(line)
          .containsEntry("ip", "255.255.255.254")
          .containsEntry("port", 65535)
          .containsEntry("state", "closed")
          .containsEntry("reason", "reset")
          .doesNotContainKeys("ttl", "window", "mss", "wscale", "options");
    }

    @Test
    @DisplayName("an absent MSS or window scale (-1) is left out, not written as -1")
    void absentOptionsLeftOut() throws IOException {
      PortResult bare =
          new PortResult(Ipv4.parse("198.18.0.9"), 80, PortState.OPEN, "syn-ack", new SynAckFingerprint(128, 8192, -1, -1, ""), AT);
      Map<String, Object> line =
          objects(render(OutputFormat.NDJSON, info("x", "syn"), List.of(bare), summary(1, 0, 0, true, 1))).get(0);
      assertThat(line).containsEntry("ttl", 128).containsEntry("window", 8192).containsEntry("options", "");
      assertThat(line).doesNotContainKeys("mss", "wscale");
    }

    @Test
    @DisplayName("quotes, backslashes, control characters and line breaks in text stay inside one line")
    void escaping() throws IOException {
      String reason = "odd \"reason\" \\ with\nnew line\r\tand \u0001 and ünïcödé ☃";
      PortResult r = new PortResult(Ipv4.parse("198.18.0.9"), 80, PortState.CLOSED, reason, null, AT);
      String output = render(OutputFormat.NDJSON, info("x", "syn"), List.of(r), summary(0, 1, 0, true, 1));
      List<Map<String, Object>> lines = objects(output);
      assertThat(lines).hasSize(2);
      assertThat(lines.get(0)).containsEntry("reason", reason);
    }
  }

  @Nested
  @DisplayName("the summary line")
  class Summary {
    @Test
    @DisplayName("of a completed scan states its counts and times, and no resume index")
    void completed() throws IOException {
      List<Map<String, Object>> lines =
          objects(render(OutputFormat.NDJSON, info("x", "syn"), RESULTS, summary(2, 1, 1, true, 1024)));
      Map<String, Object> s = lines.get(lines.size() - 1);
      assertThat(s)
          .containsEntry("type", "summary")
          .containsEntry("method", "syn")
          .containsEntry("completed", true)
          .containsEntry("targets", 1024)
          .containsEntry("probes", 1000)
          .containsEntry("open", 2)
          .containsEntry("closed", 1)
          .containsEntry("filtered", 1)
          .containsEntry("started", "2026-03-01T10:00:00Z")
          .containsEntry("finished", "2026-03-01T10:00:42.500Z")
          .doesNotContainKey("resumeIndex");
      assertThat(((Number) s.get("elapsedSeconds")).doubleValue()).isEqualTo(42.5);
    }

    @Test
    @DisplayName("of an interrupted scan says where to resume")
    void interrupted() throws IOException {
      List<Map<String, Object>> lines =
          objects(render(OutputFormat.NDJSON, info("x", "syn"), List.of(), summary(0, 0, 0, false, 517)));
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0)).containsEntry("completed", false).containsEntry("resumeIndex", 517);
    }
  }

  @Test
  @DisplayName("flushes each record as it is written, so a reader never sees half a line")
  void flushesPerRecord() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NdjsonWriter writer = new NdjsonWriter(out);
    writer.begin(info("x", "syn"));
    assertThat(out.size()).isZero();
    for (int i = 0; i < RESULTS.size(); i++) {
      writer.write(RESULTS.get(i));
      String soFar = out.toString(StandardCharsets.UTF_8);
      assertThat(soFar).endsWith("\n");
      assertThat(objects(soFar)).hasSize(i + 1);
    }
    writer.end(summary(2, 1, 1, true, 1024));
    assertThat(objects(out.toString(StandardCharsets.UTF_8))).hasSize(RESULTS.size() + 1);
    writer.close();
  }
}
