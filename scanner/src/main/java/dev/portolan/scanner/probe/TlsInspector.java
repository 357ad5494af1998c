package dev.portolan.scanner.probe;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * TLS for inspection only: the JDK's stack set to accept anything (every certificate, legacy
 * protocols and ciphers), so that a broken or old server is described instead of refused. Nothing
 * secret is ever sent over these connections. The chain is then judged separately, against the
 * JDK's trust store, and what is wrong with it is reported.
 *
 * <p>Accepting legacy protocols means clearing {@code jdk.tls.disabledAlgorithms} for this JVM,
 * before the first TLS context is made: a validation run is a process of its own whose only TLS
 * is this inspection. {@code jdk.certpath.disabledAlgorithms} is left alone, so weak signatures
 * still show up as chain problems.
 */
final class TlsInspector {
  private static final Object INIT = new Object();
  private static volatile TlsInspector instance;

  private final SSLContext context;
  private final SSLSocketFactory factory;
  private final Map<Socket, X509Certificate[]> presented = new ConcurrentHashMap<>();
  private final String[] protocols;
  private final String[] suites;

  /** A completed handshake: the socket to talk through and what the handshake showed. */
  record Established(SSLSocket socket, TlsDetails details) {}

  /** A handshake that failed, with the certificate chain if the server sent one before failing. */
  static final class HandshakeFailure extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient TlsDetails partial;

    HandshakeFailure(String message, TlsDetails partial, Throwable cause) {
      super(message, cause);
      this.partial = partial;
    }

    /** What the server showed before the handshake failed, or null. */
    TlsDetails partial() {
      return partial;
    }
  }

  private TlsInspector() throws GeneralSecurityException {
    context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new Recorder()}, null);
    factory = context.getSocketFactory();
    SSLParameters supported = context.getSupportedSSLParameters();
    protocols =
        Arrays.stream(supported.getProtocols()).filter(p -> !p.equals("SSLv2Hello")).toArray(String[]::new);
    // What an ordinary client offers first, then everything else the JDK can do.
    Set<String> s = new LinkedHashSet<>(Arrays.asList(context.getDefaultSSLParameters().getCipherSuites()));
    s.addAll(Arrays.asList(supported.getCipherSuites()));
    suites = s.toArray(String[]::new);
  }

  /**
   * Makes the TLS machinery ready (provider setup, key generation for the first ClientHello)
   * without any network traffic, so that the first real handshake is not the slow one.
   */
  static void warmUp() {
    try {
      SSLEngine e = get().context.createSSLEngine();
      e.setUseClientMode(true);
      e.beginHandshake();
      java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(e.getSession().getPacketBufferSize());
      e.wrap(java.nio.ByteBuffer.allocate(0), out);
    } catch (IOException | RuntimeException e) {
      // only an optimisation
    }
  }

  static TlsInspector get() {
    TlsInspector t = instance;
    if (t == null) {
      synchronized (INIT) {
        t = instance;
        if (t == null) {
          Security.setProperty("jdk.tls.disabledAlgorithms", "");
          try {
            t = new TlsInspector();
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS", e);
          }
          instance = t;
        }
      }
    }
    return t;
  }

  /**
   * Runs a client handshake over {@code raw} (already connected) and describes it. {@code alpn}
   * offers h2 and http/1.1 (to learn what the server picks); probing connections offer none, so
   * that an HTTP/1.0 probe is what the server expects.
   */
  Established handshake(Socket raw, String host, int port, boolean alpn, int timeoutMillis) throws IOException {
    SSLSocket s = (SSLSocket) factory.createSocket(raw, host, port, true);
    try {
      s.setEnabledProtocols(protocols);
      s.setEnabledCipherSuites(suites);
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(alpn ? new String[] {"h2", "http/1.1"} : new String[0]);
      p.setEndpointIdentificationAlgorithm(null);
      s.setSSLParameters(p);
      s.setSoTimeout(timeoutMillis);
      s.startHandshake();
      SSLSession session = s.getSession();
      X509Certificate[] chain = presented.remove(s);
      if (chain == null) {
        chain = peerChain(session);
      }
      String ap = s.getApplicationProtocol();
      return new Established(s, describe(session.getProtocol(), session.getCipherSuite(), ap == null || ap.isEmpty() ? null : ap, chain));
    } catch (IOException e) {
      X509Certificate[] chain = presented.remove(s);
      TlsDetails partial = chain == null ? null : describe(null, null, null, chain);
      closeQuietly(s);
      throw new HandshakeFailure(summarize(e), partial, e);
    } finally {
      presented.remove(s);
    }
  }

  private static X509Certificate[] peerChain(SSLSession session) {
    try {
      return Arrays.stream(session.getPeerCertificates())
          .filter(X509Certificate.class::isInstance)
          .map(X509Certificate.class::cast)
          .toArray(X509Certificate[]::new);
    } catch (SSLPeerUnverifiedException e) {
      return new X509Certificate[0]; // anonymous cipher suite: no certificate at all
    }
  }

  static TlsDetails describe(String protocol, String cipher, String alpn, X509Certificate[] chain) {
    if (chain.length == 0) {
      List<String> problems = protocol == null ? List.of() : List.of("no certificate (anonymous key exchange)");
      return new TlsDetails(protocol, cipher, alpn, null, List.of(), null, null, null, false, null, 0, null, null, 0, problems);
    }
    X509Certificate leaf = chain[0];
    List<String> problems = new ArrayList<>();
    boolean selfSigned = selfSigned(leaf);
    if (selfSigned) {
      problems.add("self-signed certificate");
    }
    Instant now = Instant.now();
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      problems.add("expired on " + leaf.getNotAfter().toInstant());
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      problems.add("not valid before " + leaf.getNotBefore().toInstant());
    }
    PublicKey key = leaf.getPublicKey();
    String keyType = keyType(key);
    int keySize = keySize(key);
    if (("RSA".equals(keyType) || "DSA".equals(keyType)) && keySize > 0 && keySize < 2048) {
      problems.add("weak key: " + keyType + " " + keySize + " bits");
    }
    String sig = leaf.getSigAlgName();
    String upper = sig.toUpperCase(Locale.ROOT);
    if (upper.contains("MD5") || upper.contains("SHA1") && !selfSigned) {
      problems.add("weak signature algorithm " + sig);
    }
    if (!selfSigned) {
      String trust = trustProblem(chain);
      if (trust != null) {
        problems.add(trust);
      }
    }
    return new TlsDetails(
        protocol,
        cipher,
        alpn,
        leaf.getSubjectX500Principal().getName(X500Principal.RFC2253),
        subjectAltNames(leaf),
        leaf.getIssuerX500Principal().getName(X500Principal.RFC2253),
        leaf.getNotBefore().toInstant(),
        leaf.getNotAfter().toInstant(),
        selfSigned,
        keyType,
        keySize,
        sig,
        sha256(leaf),
        chain.length,
        problems);
  }

  private static boolean selfSigned(X509Certificate c) {
    if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String trustProblem(X509Certificate[] chain) {
    try {
      Trust.DEFAULT.checkServerTrusted(chain, "UNKNOWN");
      return null;
    } catch (CertificateException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("unable to find valid certification path")) {
        return "not trusted: no chain to a root in the JDK trust store (unknown issuer or incomplete chain)";
      }
      if (m.contains("validity check failed") || m.contains("NotAfter") || m.contains("expired")) {
        return "not trusted: a certificate in the chain is outside its validity period";
      }
      if (m.contains("Algorithm constraints")) {
        return "not trusted: weak algorithm in the chain";
      }
      return "not trusted: " + (m.length() > 160 ? m.substring(0, 160) : m);
    } catch (RuntimeException e) {
      return "not trusted: " + e.getClass().getSimpleName();
    }
  }

  private static List<String> subjectAltNames(X509Certificate c) {
    List<String> out = new ArrayList<>();
    try {
      var names = c.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> n : names) {
          int type = (Integer) n.get(0);
          String prefix =
              switch (type) {
                case 1 -> "email:";
                case 2 -> "DNS:";
                case 6 -> "URI:";
                case 7 -> "IP:";
                default -> null;
              };
          if (prefix != null && n.get(1) instanceof String v && out.size() < 64) {
            out.add(prefix + v);
          }
        }
      }
    } catch (CertificateParsingException e) {
      out.add("(unreadable subjectAltName)");
    }
    return out;
  }

  private static String keyType(PublicKey k) {
    return switch (k) {
      case RSAPublicKey _ -> "RSA";
      case ECPublicKey _ -> "EC";
      case EdECPublicKey e -> e.getParams().getName();
      case DSAPublicKey _ -> "DSA";
      default -> k.getAlgorithm();
    };
  }

  private static int keySize(PublicKey k) {
    return switch (k) {
      case RSAPublicKey r -> r.getModulus().bitLength();
      case ECPublicKey e -> e.getParams().getCurve().getField().getFieldSize();
      case EdECPublicKey e -> "Ed448".equals(e.getParams().getName()) ? 448 : 255;
      case DSAPublicKey d -> d.getParams().getP().bitLength();
      default -> 0;
    };
  }

  private static String sha256(X509Certificate c) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static String summarize(IOException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (m.contains("Received fatal alert: ")) {
      return "the server refused the handshake (" + m.substring(m.indexOf("Received fatal alert: ") + 22) + ")";
    }
    if (e instanceof java.net.SocketTimeoutException) {
      return "handshake stalled (no reply in time)";
    }
    if (m.contains("Remote host terminated") || m.contains("Connection reset")) {
      return "the server closed the connection during the handshake";
    }
    if (m.contains("Unsupported or unrecognized SSL message") || m.contains("plaintext")) {
      return "not TLS (the reply is not a TLS record)";
    }
    return m.length() > 160 ? m.substring(0, 160) : m;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing after a failure
    }
  }

  /** Accepts every chain and remembers it for the socket, to describe it afterwards. */
  private final class Recorder extends X509ExtendedTrustManager {
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
      if (socket != null && chain != null) {
        presented.put(socket, chain.clone());
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new CertificateException("inspection is client-only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      throw new CertificateException("inspection is client-only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("inspection is client-only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** The JDK's own judgement of a chain (its default trust store), for reporting only. */
  private static final class Trust {
    static final X509TrustManager DEFAULT = load();

    private static X509TrustManager load() {
      try {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        for (TrustManager t : f.getTrustManagers()) {
          if (t instanceof X509TrustManager x) {
            return x;
          }
        }
      } catch (GeneralSecurityException e) {
        // fall through
      }
      throw new IllegalStateException("the JDK has no default X509 trust manager");
    }
  }
}
