package dev.portolan.scanner.probe;

import java.time.Instant;
import java.util.List;

/**
 * What a TLS handshake showed: the negotiated protocol, cipher suite and ALPN protocol (null when
 * the handshake did not complete or none was chosen), and the server's leaf certificate with what
 * is wrong with its chain. {@code keySize} is in bits (0 when unknown).
 */
public record TlsDetails(
    String protocol,
    String cipher,
    String alpn,
    String subject,
    List<String> subjectAltNames,
    String issuer,
    Instant notBefore,
    Instant notAfter,
    boolean selfSigned,
    String keyType,
    int keySize,
    String signatureAlgorithm,
    String sha256,
    int chainLength,
    List<String> chainProblems) {

  public TlsDetails {
    subjectAltNames = List.copyOf(subjectAltNames);
    chainProblems = List.copyOf(chainProblems);
  }

  /** True when the handshake completed (a session was established). */
  public boolean established() {
    return protocol != null;
  }
}
