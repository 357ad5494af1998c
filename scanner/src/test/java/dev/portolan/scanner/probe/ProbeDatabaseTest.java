package dev.portolan.scanner.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.UsageException;
import dev.portolan.scanner.engine.SynAckFingerprint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ProbeDatabase")
class ProbeDatabaseTest {
  static final ProbeDatabase DB = ProbeDatabase.builtIn();

  static ServiceMatch match(ProbeDatabase db, String probe, int port, String reply) {
    byte[] b = reply.getBytes(StandardCharsets.ISO_8859_1);
    return db.match(probe, port, b, b.length).orElse(null);
  }

  @Nested
  @DisplayName("plans")
  class Plans {
    @Test
    @DisplayName("the probe the port makes likely comes first, whatever its rarity")
    void likelyFirst() {
      assertThat(DB.plan(80, 7, false).steps().get(0).id()).isEqualTo("http-get");
      assertThat(DB.plan(5432, 7, false).steps().get(0).id()).isEqualTo("postgres-startup");
      assertThat(DB.plan(1883, 0, false).steps()).extracting(Probe::id).containsExactly("mqtt-connect");
    }

    @Test
    @DisplayName("greeting ports wait for the greeting; TLS ports start with TLS")
    void greetingAndTls() {
      assertThat(DB.plan(22, 7, false).bannerLikely()).isTrue();
      assertThat(DB.plan(80, 7, false).bannerLikely()).isFalse();
      assertThat(DB.plan(443, 7, false).tlsLikely()).isTrue();
      assertThat(DB.plan(993, 7, true).bannerLikely()).isTrue();
      assertThat(DB.plan(443, 7, true).steps().get(0).id()).isEqualTo("http-get");
    }

    @Test
    @DisplayName("elsewhere, by rarity up to the intensity; inside TLS no handshake and no clear-only probe")
    void byRarity() {
      ProbeDatabase.Plan p = DB.plan(31337, 7, false);
      assertThat(p.steps()).isSortedAccordingTo(java.util.Comparator.comparingInt(Probe::rarity));
      assertThat(p.steps()).extracting(Probe::id).startsWith("http-get", "tls").doesNotContain("banner", "kubelet-pods");
      assertThat(DB.plan(31337, 1, false).steps()).extracting(Probe::id).containsExactly("http-get");
      assertThat(DB.plan(31337, 9, true).steps()).extracting(Probe::id).doesNotContain("tls", "postgres-startup", "rdp-negotiate");
    }
  }

  @Nested
  @DisplayName("user rules")
  class UserRules {
    @Test
    @DisplayName("are consulted before the built-in ones")
    void override() {
      ProbeDatabase db =
          DB.withUserRules(
              "rules:\n  - id: my-nginx\n    service: http\n    pattern: 'Server: nginx/([\\d.]+)'\n    product: Our front proxy\n    version: '$1'\n"
                  + "    cpe: ['cpe:2.3:a:example:front proxy:$1:*:*:*:*:*:*:*']\n",
              "mine.yaml");
      ServiceMatch m = match(db, "http-get", 80, "HTTP/1.1 200 OK\r\nServer: nginx/1.25.3\r\n\r\n");
      assertThat(m.rule().id()).isEqualTo("my-nginx");
      assertThat(m.product()).isEqualTo("Our front proxy");
      assertThat(m.cpe()).containsExactly("cpe:2.3:a:example:front proxy:1.25.3:*:*:*:*:*:*:*");
      assertThat(match(DB, "http-get", 80, "HTTP/1.1 200 OK\r\nServer: nginx/1.25.3\r\n\r\n").rule().id()).isEqualTo("nginx");
    }

    @Test
    @DisplayName("can add probes and replace a built-in probe")
    void probes() {
      ProbeDatabase db =
          DB.withUserRules(
              "probes:\n  - id: acme-hello\n    send: 'HELLO\\r\\n'\n    ports: '7777'\n    rarity: 9\n    services: [acme]\n"
                  + "  - id: memcached-version\n    send: 'version\\r\\n'\n    ports: '11211,21211'\n    rarity: 4\n    services: [memcached]\n",
              "mine.yaml");
      assertThat(db.plan(7777, 0, false).steps()).extracting(Probe::id).containsExactly("acme-hello");
      assertThat(db.plan(21211, 0, false).steps()).extracting(Probe::id).containsExactly("memcached-version");
      assertThat(db.probe("acme-hello").orElseThrow().payload()).isEqualTo("HELLO\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    @DisplayName("mistakes are reported with the file, the entry and what is wrong")
    void mistakes(@TempDir Path dir) throws IOException {
      assertThatThrownBy(() -> DB.withUserRules("rules:\n  - id: x\n    service: http\n    patern: 'a'\n", "f.yaml"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("f.yaml (near line ")
          .hasMessageContaining("unknown key 'patern'")
          .hasMessageContaining("pattern");
      assertThatThrownBy(() -> DB.withUserRules("rules:\n  - id: x\n    service: http\n    pattern: '(unclosed'\n", "f.yaml"))
          .hasMessageContaining("rule 'x': bad pattern");
      assertThatThrownBy(() -> DB.withUserRules("rules:\n  - id: x\n    service: http\n    pattern: 'a(b)'\n    version: '$2'\n", "f.yaml"))
          .hasMessageContaining("uses $2 but the pattern has 1 groups");
      assertThatThrownBy(() -> DB.withUserRules("rules:\n  - id: x\n    service: http\n    pattern: 'a'\n    cpe: ['cpe:/a:x:y']\n", "f.yaml"))
          .hasMessageContaining("is not a CPE 2.3 name");
      assertThatThrownBy(() -> DB.withUserRules("rules:\n  - id: x\n    service: http\n    pattern: 'a'\n    after: [nope]\n", "f.yaml"))
          .hasMessageContaining("probe 'nope', which does not exist");
      assertThatThrownBy(() -> DB.withUserRules("probes:\n  - id: p\n    send: '\\xZZ'\n", "f.yaml"))
          .hasMessageContaining("\\x needs two hex digits");
      Path missing = dir.resolve("none.yaml");
      assertThatThrownBy(() -> DB.withUserFile(missing)).isInstanceOf(UsageException.class).hasMessageContaining("does not exist");
      Path bad = Files.writeString(dir.resolve("bad.yaml"), "rules: [");
      assertThatThrownBy(() -> DB.withUserFile(bad)).isInstanceOf(UsageException.class).hasMessageContaining(bad.toString());
    }
  }

  @Nested
  @DisplayName("templates")
  class TemplatesAndCpe {
    @Test
    @DisplayName("fill groups, leave absent ones empty, and quote CPE values")
    void fill() {
      ProbeDatabase db =
          DB.withUserRules(
              "rules:\n  - id: t\n    service: demo\n    pattern: '^DEMO (?<name>\\w+) ([\\d.]+)(?: \\((\\w+)\\))?'\n    product: '${name} server'\n"
                  + "    version: '$2'\n    info: 'build $3; price $$5'\n    cpe: ['cpe:2.3:a:demo:${name}:$2:$3:*:*:*:*:*:*']\n",
              "t.yaml");
      ServiceMatch m = match(db, "banner", 1, "DEMO Acme 2.1\r\n");
      assertThat(m.product()).isEqualTo("Acme server");
      assertThat(m.info()).isEqualTo("build; price $5");
      assertThat(m.cpe()).containsExactly("cpe:2.3:a:demo:acme:2.1:*:*:*:*:*:*:*");
      assertThat(Templates.quoteCpe("a b:c*")).isEqualTo("a_b\\:c\\*");
    }

    @Test
    @DisplayName("replies are matched as bytes, and field values are sanitized")
    void bytes() {
      ServiceMatch m = match(DB, "banner", 22, "SSH-2.0-OpenSSH_9.7 FreeBSD-2024\u0007\r\n");
      assertThat(m.rule().id()).isEqualTo("openssh");
      assertThat(m.info()).isEqualTo("protocol 2.0; FreeBSD-2024\\x07");
    }

    @Test
    @DisplayName("a rule that backtracks without end is cut off and counts as no match")
    void catastrophicBacktracking() {
      ProbeDatabase db = DB.withUserRules("rules:\n  - id: slow\n    service: demo\n    pattern: '^(a+)+$'\n", "slow.yaml");
      String evil = "a".repeat(40) + "!";
      long t0 = System.nanoTime();
      assertThat(match(db, "banner", 1, evil)).isNull();
      assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
    }
  }

  @Nested
  @DisplayName("OS hints from the SYN-ACK")
  class OsHints {
    @Test
    @DisplayName("Linux, Windows and the rest by initial TTL and option order, always a guess with its basis")
    void families() {
      assertThat(DB.osFromSynAck(new SynAckFingerprint(64, 65160, 1460, 7, "mss,sok,ts,nop,ws")).family()).isEqualTo("Linux");
      assertThat(DB.osFromSynAck(new SynAckFingerprint(57, 65160, 1460, 7, "mss,sok,ts,nop,ws")).basis()).contains("ttl 57 (initial 64)");
      assertThat(DB.osFromSynAck(new SynAckFingerprint(128, 65535, 1460, 8, "mss,nop,ws,nop,nop,sok")).family()).isEqualTo("Windows");
      assertThat(DB.osFromSynAck(new SynAckFingerprint(113, 8192, 1460, 8, "mss,nop,nop,sok")).family()).isEqualTo("Windows");
      assertThat(DB.osFromSynAck(new SynAckFingerprint(250, 4128, 536, -1, "mss")).family()).isEqualTo("network device");
      assertThat(DB.osFromSynAck(new SynAckFingerprint(64, 29200, 1460, -1, "mss,?9")).family()).isEqualTo("Unix-like");
      assertThat(DB.osFromSynAck(null)).isNull();
    }
  }

  @Test
  @DisplayName("payload escapes become the bytes they name")
  void payloads() {
    assertThat(Payloads.decode("A\\r\\n\\0\\x7f\\xFF\\\\")).containsExactly('A', '\r', '\n', 0, 0x7f, (byte) 0xff, '\\');
    assertThatThrownBy(() -> Payloads.decode("\\q")).hasMessageContaining("unknown escape");
    assertThatThrownBy(() -> Payloads.decode("\\x-1")).hasMessageContaining("two hex digits");
  }

  @Test
  @DisplayName("evidence is printable ASCII, escaped, and bounded")
  void evidence() {
    byte[] b = {'o', 'k', '\r', '\n', 0, (byte) 0xff, '\\', '\t'};
    assertThat(Evidence.excerpt(b, b.length)).isEqualTo("ok\\r\\n\\x00\\xff\\\\\\t");
    byte[] big = new byte[100_000];
    String e = Evidence.excerpt(big, big.length);
    assertThat(e).hasSizeLessThanOrEqualTo(Evidence.MAX_CHARS).endsWith("...").startsWith("\\x00\\x00");
  }
}
