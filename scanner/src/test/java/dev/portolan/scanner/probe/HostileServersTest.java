package dev.portolan.scanner.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers that misbehave, on loopback in this JVM: each must end, within the port's budget and
 * the byte limit, as an honest result that says what was seen and why probing stopped.
 */
@DisplayName("hostile servers")
class HostileServersTest {
  static final ValidationConfig CONFIG =
      ValidationConfig.DEFAULTS
          .withConnectTimeout(Duration.ofSeconds(1))
          .withReadTimeout(Duration.ofMillis(800))
          .withPortBudget(Duration.ofSeconds(4));
  static final Duration SLACK = Duration.ofMillis(1500);

  @BeforeAll
  static void inspectionFirst() {
    TlsInspector.get(); // the JVM-wide TLS settings for inspection, before any test server's context
  }

  static Validation validate(Endpoint e, ProbeDatabase db) {
    long t0 = System.nanoTime();
    Validation v = new Validator(CONFIG, db).validate(e);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).as("bounded by the port budget").isLessThan(CONFIG.portBudget().plus(SLACK));
    assertThat(v.evidence().length()).isLessThanOrEqualTo(Evidence.MAX_CHARS);
    return v;
  }

  static Validation validate(Endpoint e) {
    return validate(e, ProbeDatabase.builtIn());
  }

  /** The built-in database, with TLS (and HTTP inside it) made likely on {@code port}. */
  static ProbeDatabase tlsOn(int port) {
    return ProbeDatabase.builtIn()
        .withUserRules(
            "probes:\n  - id: tls\n    handshake: tls\n    ports: '" + port + "'\n    rarity: 2\n"
                + "  - id: http-get\n    send: 'GET / HTTP/1.0\\r\\n\\r\\n'\n    tlsPorts: '" + port + "'\n    rarity: 1\n    services: [http]\n    untilClose: true\n",
            "test");
  }

  @Test
  @DisplayName("a banner of megabytes: at most the byte limit is read, and the result says so")
  void megabyteBanner() throws IOException {
    try (MisbehavingServer s =
        new MisbehavingServer(
            c -> {
              byte[] chunk = new byte[64 * 1024];
              Arrays.fill(chunk, (byte) 'A');
              OutputStream out = c.getOutputStream();
              for (int i = 0; i < 32; i++) { // 2 MiB
                out.write(chunk);
              }
              MisbehavingServer.drain(c, 5000);
            })) {
      Validation v = validate(s.endpoint());
      assertThat(v.service()).isEqualTo("unknown");
      assertThat(v.notes()).anyMatch(n -> n.contains("larger than " + CONFIG.maxResponseBytes() + " bytes"));
      assertThat(v.evidence()).startsWith("AAAA").endsWith("...");
    }
  }

  @Test
  @DisplayName("binary garbage: unknown, the evidence escaped to printable ASCII")
  void binaryGarbage() throws IOException {
    byte[] garbage = new byte[4096];
    new Random(7).nextBytes(garbage);
    garbage[0] = (byte) 0x8f; // no protocol we know starts like this
    try (MisbehavingServer s =
        new MisbehavingServer(
            c -> {
              c.getOutputStream().write(garbage);
              c.getOutputStream().flush();
            })) {
      Validation v = validate(s.endpoint());
      assertThat(v.service()).isEqualTo("unknown");
      assertThat(v.evidence()).startsWith("\\x8f").matches("[\\x20-\\x7e]+");
      assertThat(v.notes()).anyMatch(n -> n.contains("no rule matched"));
    }
  }

  @Test
  @DisplayName("slowloris, one byte a second: the wait for more ends after a short silence")
  void trickleOneByteASecond() throws IOException {
    try (MisbehavingServer s = new MisbehavingServer(c -> trickle(c, 1000))) {
      Validation v = validate(s.endpoint());
      assertThat(v.service()).isEqualTo("unknown");
      assertThat(v.evidence()).startsWith("x");
      assertThat(v.notes()).anyMatch(n -> n.contains("no rule matched"));
    }
  }

  @Test
  @DisplayName("a fast trickle that never ends: cut off after the read timeout")
  void trickleForever() throws IOException {
    try (MisbehavingServer s = new MisbehavingServer(c -> trickle(c, 40))) {
      Validation v = validate(s.endpoint());
      assertThat(v.service()).isEqualTo("unknown");
      assertThat(v.notes()).anyMatch(n -> n.contains("still trickling") && n.contains("cut off"));
    }
  }

  private static void trickle(java.net.Socket c, long everyMillis) throws IOException, InterruptedException {
    OutputStream out = c.getOutputStream();
    for (int i = 0; i < 300 && !c.isClosed(); i++) {
      out.write('x');
      out.flush();
      Thread.sleep(everyMillis);
    }
  }

  @Test
  @DisplayName("accepts and never answers: unknown, with what was tried, within the budget")
  void silent() throws IOException {
    try (MisbehavingServer s = new MisbehavingServer(c -> MisbehavingServer.drain(c, 10_000))) {
      Validation v = validate(s.endpoint());
      assertThat(v.service()).isEqualTo("unknown");
      assertThat(v.reachability()).isEqualTo(Reachability.CONNECTED);
      assertThat(v.evidence()).isEmpty();
      assertThat(v.notes()).anyMatch(n -> n.contains("no greeting") || n.contains("no reply"));
      assertThat(v.notes()).anyMatch(n -> n.startsWith("http-get: no reply"));
    }
  }

  @Test
  @DisplayName("a TLS handshake that stalls after a few bytes: bounded, and said so")
  void tlsStall() throws IOException {
    try (MisbehavingServer s =
        new MisbehavingServer(
            c -> {
              MisbehavingServer.awaitRequest(c, 5000);
              c.getOutputStream().write(new byte[] {0x16, 0x03, 0x03, 0x00, 0x50, 0x02});
              c.getOutputStream().flush();
              MisbehavingServer.drain(c, 10_000);
            })) {
      Validation v = validate(s.endpoint(), tlsOn(s.port()));
      assertThat(v.tls()).isNull();
      assertThat(v.notes()).anyMatch(n -> n.startsWith("tls: handshake stalled"));
    }
  }

  @Test
  @DisplayName("an expired, self-signed certificate with a weak key: described, with its problems")
  void invalidCertificate(@TempDir Path dir) throws Exception {
    SSLContext server = serverContext(dir);
    try (MisbehavingServer s =
        new MisbehavingServer(
            server.getServerSocketFactory(),
            "127.0.0.1",
            c -> {
              MisbehavingServer.awaitRequest(c, 5000);
              c.getOutputStream().write("HTTP/1.0 200 OK\r\nServer: Hostile/1.0\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
              c.getOutputStream().flush();
            })) {
      Validation v = validate(s.endpoint(), tlsOn(s.port()));
      assertThat(v.service()).isEqualTo("http");
      assertThat(v.product()).isEqualTo("Hostile");
      assertThat(v.version()).isEqualTo("1.0");
      assertThat(v.overTls()).isTrue();
      TlsDetails t = v.tls();
      assertThat(t.subject()).isEqualTo("CN=expired.portolan.test");
      assertThat(t.selfSigned()).isTrue();
      assertThat(t.keyType()).isEqualTo("RSA");
      assertThat(t.keySize()).isEqualTo(1024);
      assertThat(t.chainProblems())
          .anyMatch(p -> p.equals("self-signed certificate"))
          .anyMatch(p -> p.startsWith("expired on "))
          .anyMatch(p -> p.equals("weak key: RSA 1024 bits"));
    }
  }

  /** A server context with an expired self-signed RSA-1024 certificate, made with the JDK's keytool. */
  private static SSLContext serverContext(Path dir) throws Exception {
    Path keystore = dir.resolve("expired.p12");
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    List<String> cmd =
        new ArrayList<>(
            List.of(java.resolveSibling("keytool").toString(), "-genkeypair", "-alias", "expired", "-keyalg", "RSA", "-keysize", "1024",
                "-startdate", "-3d", "-validity", "1", "-dname", "CN=expired.portolan.test", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(kmf.getKeyManagers(), null, null);
    return c;
  }

  @Test
  @DisplayName("a reset in the middle of a reply: unknown, with the bytes seen and the reset")
  void resetMidReply() throws IOException {
    try (MisbehavingServer s =
        new MisbehavingServer(
            c -> {
              MisbehavingServer.awaitRequest(c, 2000);
              c.getOutputStream().write("\u0001partial".getBytes(StandardCharsets.ISO_8859_1));
              c.getOutputStream().flush();
              c.setSoLinger(true, 0); // close with a reset
            })) {
      Validation v = validate(s.endpoint());
      assertThat(v.service()).isEqualTo("unknown");
      assertThat(v.evidence()).isEqualTo("\\x01partial");
      assertThat(v.notes()).anyMatch(n -> n.contains("reset by the server after 8 bytes"));
    }
  }

  @Test
  @DisplayName("nothing listening: refused, at once")
  void refused() throws IOException {
    // A socket bound but not listening holds the port, so nothing else can take it meanwhile.
    try (java.net.Socket holder = new java.net.Socket()) {
      holder.bind(new java.net.InetSocketAddress("127.0.0.3", 0));
      Validation v = validate(new Endpoint(dev.portolan.control.target.Ipv4.parse("127.0.0.3"), holder.getLocalPort()));
      assertRefused(v);
    }
  }

  private static void assertRefused(Validation v) {
    assertThat(v.reachability()).isEqualTo(Reachability.REFUSED);
    assertThat(v.service()).isEqualTo("unknown");
    assertThat(v.notes()).containsExactly("connect: connection refused");
  }
}
