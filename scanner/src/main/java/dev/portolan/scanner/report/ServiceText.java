package dev.portolan.scanner.report;

import dev.portolan.scanner.probe.OsHint;
import dev.portolan.scanner.probe.TlsDetails;
import dev.portolan.scanner.probe.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One-line texts about a validation, shared by the formats that print text. */
final class ServiceText {
  private ServiceText() {}

  /** "nginx 1.22.1 (status 200; title Welcome)" or what is known of it; "" when nothing. */
  static String summary(Validation v) {
    StringBuilder b = new StringBuilder(v.product());
    if (!v.version().isEmpty()) {
      b.append(b.isEmpty() ? "" : " ").append(v.version());
    }
    if (!v.extraInfo().isEmpty()) {
      b.append(b.isEmpty() ? "" : " ").append('(').append(v.extraInfo()).append(')');
    }
    if (b.isEmpty() && !v.notes().isEmpty()) {
      b.append('[').append(v.notes().get(0)).append(']');
    }
    return b.toString();
  }

  /** TLS details as nmap's ssl-cert script prints them, on a few lines. */
  static String tls(TlsDetails t) {
    List<String> lines = new ArrayList<>();
    if (t.protocol() != null) {
      lines.add("Protocol: " + t.protocol() + ", cipher: " + t.cipher() + (t.alpn() == null ? "" : ", ALPN: " + t.alpn()));
    } else {
      lines.add("Handshake: not completed");
    }
    if (t.subject() != null) {
      lines.add("Subject: " + t.subject());
      if (!t.subjectAltNames().isEmpty()) {
        lines.add("Subject Alternative Name: " + String.join(", ", t.subjectAltNames()));
      }
      lines.add("Issuer: " + t.issuer());
      lines.add("Public Key type: " + t.keyType() + ", bits: " + t.keySize());
      lines.add("Signature Algorithm: " + t.signatureAlgorithm());
      lines.add("Not valid before: " + t.notBefore());
      lines.add("Not valid after:  " + t.notAfter());
      lines.add("SHA-256: " + t.sha256());
    }
    if (!t.chainProblems().isEmpty()) {
      lines.add("Problems: " + String.join("; ", t.chainProblems()));
    }
    return String.join("\n", lines);
  }

  static String os(OsHint os) {
    return String.format(Locale.ROOT, "%s (guess, %d%%: %s)", os.family(), os.confidence(), os.basis());
  }
}
