package dev.portolan.scanner.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.engine.SynAckFingerprint;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One JSON object per line, each complete and flushed as it is written: a reader (or {@code jq})
 * never sees half a record, however the scan ends. The last line is a summary record.
 */
public final class NdjsonWriter implements FindingWriter {
  private final JsonGenerator json;

  public NdjsonWriter(OutputStream out) {
    try {
      this.json =
          new JsonFactory()
              .createGenerator(out)
              .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      json.setRootValueSeparator(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void begin(ScanInfo info) {}

  @Override
  public void write(PortResult r) throws IOException {
    json.writeStartObject();
    json.writeStringField("type", "port");
    json.writeStringField("ip", r.addressText());
    json.writeNumberField("port", r.port());
    json.writeStringField("proto", "tcp");
    json.writeStringField("state", r.state().label());
    json.writeStringField("reason", r.reason());
    SynAckFingerprint f = r.fingerprint();
    if (f != null) {
      json.writeNumberField("ttl", f.ttl());
      json.writeNumberField("window", f.window());
      if (f.mss() >= 0) {
        json.writeNumberField("mss", f.mss());
      }
      if (f.windowScale() >= 0) {
        json.writeNumberField("wscale", f.windowScale());
      }
      json.writeStringField("options", f.options());
    }
    json.writeStringField("time", Instant.ofEpochMilli(r.epochMillis()).toString());
    json.writeEndObject();
    endLine();
  }

  @Override
  public void end(ScanSummary s) throws IOException {
    json.writeStartObject();
    json.writeStringField("type", "summary");
    json.writeStringField("method", s.method());
    json.writeBooleanField("completed", s.completed());
    json.writeNumberField("targets", s.targets());
    json.writeNumberField("probes", s.probesSent());
    json.writeNumberField("open", s.open());
    json.writeNumberField("closed", s.closed());
    json.writeNumberField("filtered", s.filtered());
    json.writeStringField("started", s.started().toString());
    json.writeStringField("finished", s.finished().toString());
    json.writeNumberField("elapsedSeconds", s.elapsed().toMillis() / 1000.0);
    if (!s.completed()) {
      json.writeNumberField("resumeIndex", s.resumeFrom());
    }
    json.writeEndObject();
    endLine();
  }

  private void endLine() throws IOException {
    json.writeRaw('\n');
    json.flush();
  }

  @Override
  public void close() throws IOException {
    json.close();
  }
}
