package dev.portolan.scanner.agent;

import dev.portolan.control.target.Ipv4;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Tls;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.probe.TlsDetails;
import dev.portolan.scanner.probe.Validation;
import dev.portolan.scanner.report.PortNames;
import java.time.Instant;
import java.util.List;

/** Turns what the engine and the validation probes found into the API's {@link Finding}. */
public final class FindingMapper {
  private FindingMapper() {}

  /** Any result the shard runner hands over, as the API records it. */
  public static Finding of(dev.portolan.scanner.report.Finding f, String node) {
    if (f.validation() != null) {
      return of(f.validation(), node);
    }
    return f.result().state() == dev.portolan.scanner.engine.PortState.OPEN ? unvalidated(f.result(), node) : unanswered(f.result(), node);
  }

  /** An open port that validation examined. */
  public static Finding of(Validation v, String node) {
    String service = v.identified() ? v.service() : null;
    return new Finding(
        Ipv4.format(v.endpoint().address()),
        v.endpoint().port(),
        service == null ? guess(v.endpoint().port()) : service,
        blankToNull(v.product()),
        blankToNull(v.version()),
        blankToNull(extra(v)),
        v.cpe().isEmpty() ? null : v.cpe(),
        Integer.toString(v.confidence()),
        blankToNull(v.evidence()),
        tls(v.tls()),
        v.os() == null ? null : v.os().family() + " (guess, " + v.os().confidence() + "%: " + v.os().basis() + ")",
        node,
        Instant.now().toString());
  }

  /** An open port reported without validation: the port's conventional name, marked as a guess. */
  public static Finding unvalidated(PortResult r, String node) {
    return new Finding(
        r.addressText(), r.port(), guess(r.port()), null, null, null, null, "3",
        "open: " + r.reason() + (r.fingerprint() == null ? "" : ", ttl " + r.fingerprint().ttl()), null, null, node,
        Instant.ofEpochMilli(r.epochMillis()).toString());
  }

  /** A watched port that did not answer as open: closed (reset) or filtered (silence), with its reason. */
  public static Finding unanswered(PortResult r, String node) {
    String state = r.state() == dev.portolan.scanner.engine.PortState.CLOSED ? Finding.CLOSED : Finding.FILTERED;
    return new Finding(
        r.addressText(), r.port(), null, null, null, null, null, null, state + ": " + r.reason(), null, null, node,
        Instant.ofEpochMilli(r.epochMillis()).toString(), null, state);
  }

  /** The port's conventional name with "?" (nmap's mark for a name taken from the port alone). */
  private static String guess(int port) {
    String name = PortNames.of(port);
    return "unknown".equals(name) ? "unknown" : name + "?";
  }

  /** Notes explain unknowns; bounded so one stubborn port cannot bloat a page. */
  private static final int MAX_EXTRA = 400;

  private static String extra(Validation v) {
    String notes = String.join("; ", v.notes());
    String extra = v.extraInfo() == null ? "" : v.extraInfo();
    if (!notes.isEmpty() && (v.version() == null || v.version().isEmpty() || !v.identified())) {
      extra = extra.isEmpty() ? notes : extra + "; " + notes;
    }
    return extra.length() <= MAX_EXTRA ? extra : extra.substring(0, MAX_EXTRA - 3) + "...";
  }

  private static Tls tls(TlsDetails t) {
    if (t == null || !t.established()) {
      return null;
    }
    return new Tls(
        t.protocol(),
        t.cipher(),
        t.subject(),
        t.issuer(),
        t.subjectAltNames().isEmpty() ? null : List.copyOf(t.subjectAltNames()),
        t.notAfter() == null ? null : t.notAfter().toString(),
        t.selfSigned(),
        t.chainProblems().isEmpty() ? null : String.join("; ", t.chainProblems()));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
