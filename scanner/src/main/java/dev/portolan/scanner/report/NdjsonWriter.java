package dev.portolan.scanner.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.engine.SynAckFingerprint;
import dev.portolan.scanner.probe.Reachability;
import dev.portolan.scanner.probe.TlsDetails;
import dev.portolan.scanner.probe.Validation;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;

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
  public void write(Finding finding) throws IOException {
    PortResult r = finding.result();
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
    if (finding.validation() != null) {
      writeValidation(finding.validation());
    }
    if (finding.owner() != null) {
      writeOwner(finding.owner());
    }
    json.writeEndObject();
    endLine();
  }

  /** What owned the address: the object, its workload, the Services in front, the node; allowed labels only. */
  private void writeOwner(OwnerName o) throws IOException {
    json.writeObjectFieldStart("target");
    json.writeStringField("kind", o.kind());
    optional("namespace", o.namespace());
    json.writeStringField("name", o.name());
    optional("uid", o.uid());
    if (o.workloadKind() != null) {
      json.writeObjectFieldStart("workload");
      json.writeStringField("kind", o.workloadKind());
      json.writeStringField("name", o.workloadName());
      json.writeEndObject();
    }
    if (o.services() != null && !o.services().isEmpty()) {
      json.writeArrayFieldStart("services");
      for (String svc : o.services()) {
        json.writeString(svc);
      }
      json.writeEndArray();
    }
    optional("node", o.node());
    if (Boolean.TRUE.equals(o.hostNetwork())) {
      json.writeBooleanField("hostNetwork", true);
    }
    optional("container", o.container());
    optional("portName", o.portName());
    if (o.labels() != null && !o.labels().isEmpty()) {
      json.writeObjectFieldStart("labels");
      for (var e : o.labels().entrySet()) {
        json.writeStringField(e.getKey(), e.getValue());
      }
      json.writeEndObject();
    }
    optional("attribution", o.attribution());
    optional("note", o.note());
    json.writeEndObject();
  }

  /**
   * What runs on the port: nmap's service fields (service, product, version, extrainfo, cpe,
   * confidence 0-10), the evidence, and the TLS and OS objects when there is something to say.
   */
  private void writeValidation(Validation v) throws IOException {
    json.writeStringField("service", v.service());
    if (v.overTls()) {
      json.writeStringField("tunnel", "ssl");
    }
    json.writeStringField("product", v.product());
    json.writeStringField("version", v.version());
    json.writeStringField("extrainfo", v.extraInfo());
    optional("hostname", v.hostname());
    optional("devicetype", v.deviceType());
    json.writeArrayFieldStart("cpe");
    for (String c : v.cpe()) {
      json.writeString(c);
    }
    json.writeEndArray();
    json.writeNumberField("confidence", v.confidence());
    json.writeStringField("method", v.method());
    json.writeStringField("evidence", v.evidence());
    optional("probe", v.probe());
    optional("rule", v.rule());
    if (v.reachability() != Reachability.CONNECTED) {
      json.writeStringField("reachability", v.reachability().name().toLowerCase(Locale.ROOT));
    }
    json.writeNumberField("validationSeconds", v.elapsed().toMillis() / 1000.0);
    if (v.tls() != null) {
      writeTls(v.tls());
    }
    if (v.os() != null) {
      json.writeObjectFieldStart("os");
      json.writeStringField("family", v.os().family());
      json.writeNumberField("confidence", v.os().confidence());
      json.writeBooleanField("guess", true);
      json.writeStringField("basis", v.os().basis());
      json.writeEndObject();
    }
    if (!v.notes().isEmpty()) {
      json.writeArrayFieldStart("notes");
      for (String n : v.notes()) {
        json.writeString(n);
      }
      json.writeEndArray();
    }
  }

  private void writeTls(TlsDetails t) throws IOException {
    json.writeObjectFieldStart("tls");
    json.writeBooleanField("handshake", t.established());
    optional("protocol", t.protocol());
    optional("cipher", t.cipher());
    optional("alpn", t.alpn());
    optional("subject", t.subject());
    if (!t.subjectAltNames().isEmpty()) {
      json.writeArrayFieldStart("san");
      for (String n : t.subjectAltNames()) {
        json.writeString(n);
      }
      json.writeEndArray();
    }
    optional("issuer", t.issuer());
    if (t.notBefore() != null) {
      json.writeStringField("notBefore", t.notBefore().toString());
      json.writeStringField("notAfter", t.notAfter().toString());
    }
    if (t.subject() != null) {
      json.writeBooleanField("selfSigned", t.selfSigned());
      optional("keyType", t.keyType());
      json.writeNumberField("keyBits", t.keySize());
      optional("signature", t.signatureAlgorithm());
      optional("sha256", t.sha256());
      json.writeNumberField("chainLength", t.chainLength());
    }
    json.writeArrayFieldStart("problems");
    for (String p : t.chainProblems()) {
      json.writeString(p);
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private void optional(String field, String value) throws IOException {
    if (value != null && !value.isEmpty()) {
      json.writeStringField(field, value);
    }
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
