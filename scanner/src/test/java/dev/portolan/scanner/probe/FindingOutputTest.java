package dev.portolan.scanner.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.PortState;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.engine.SynAckFingerprint;
import dev.portolan.scanner.report.Finding;
import dev.portolan.scanner.report.FindingWriter;
import dev.portolan.scanner.report.OutputFormat;
import dev.portolan.scanner.report.ScanInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The output formats carry what validation found: service fields, evidence, TLS and the OS guess. */
@DisplayName("findings with validation in every output format")
class FindingOutputTest {
  static final Instant AT = Instant.parse("2026-03-01T10:00:05Z");
  static final SynAckFingerprint LINUX = new SynAckFingerprint(64, 65160, 1460, 7, "mss,sok,ts,nop,ws");
  static final Endpoint HTTPS = new Endpoint(Ipv4.parse("198.18.0.20"), 443, LINUX);
  static final Endpoint ODD = new Endpoint(Ipv4.parse("198.18.0.20"), 31337, LINUX);

  static final TlsDetails TLS =
      new TlsDetails("TLSv1.3", "TLS_AES_256_GCM_SHA384", "http/1.1", "CN=lab.portolan.test", List.of("DNS:lab.portolan.test", "IP:198.18.0.20"),
          "CN=lab.portolan.test", Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"), true, "RSA", 2048,
          "SHA256withRSA", "ab".repeat(32), 1, List.of("self-signed certificate"));

  static final Validation NGINX =
      new Validation(HTTPS, Reachability.CONNECTED, "http", "nginx", "1.22.1", "status 200; title A \"quoted\" <title>", "", "",
          List.of("cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*"), 10, "probed", "HTTP/1.1 200 OK\\r\\nServer: nginx/1.22.1\\r\\n\\x00", "tls/http-get", "nginx",
          TLS, new OsHint("Linux", 70, "SYN-ACK ttl 64 (initial 64), window 65160, options mss,sok,ts,nop,ws"), List.of(), Duration.ofMillis(40));

  static final Validation UNKNOWN =
      new Validation(ODD, Reachability.CONNECTED, "unknown", "", "", "", "", "", List.of(), 0, "probed", "\\x8f\\x01", "", "", null, null,
          List.of("banner: 2 bytes, then closed; no rule matched"), Duration.ofMillis(900));

  static String render(OutputFormat format, List<Finding> findings) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FindingWriter w = format.open(out)) {
      w.begin(new ScanInfo("portolan validate 198.18.0.20:443,31337", "validate", PortSet.of(443, 31337), AT, "test"));
      for (Finding f : findings) {
        w.write(f);
      }
      w.end(new ScanSummary("validate", AT, AT.plusSeconds(1), 2, 2, 0, 0, 2, 2, true, 0, 0, Duration.ofSeconds(1)));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static List<Finding> findings() {
    long t = AT.toEpochMilli();
    return List.of(
        new Finding(new PortResult(HTTPS.address(), 443, PortState.OPEN, "syn-ack", LINUX, t), NGINX),
        new Finding(new PortResult(ODD.address(), 31337, PortState.OPEN, "syn-ack", LINUX, t), UNKNOWN));
  }

  @Test
  @DisplayName("NDJSON: service fields, CPE list, evidence, tls and os objects, notes")
  void ndjson() throws IOException {
    List<String> lines = render(OutputFormat.NDJSON, findings()).lines().toList();
    ObjectMapper json = new ObjectMapper();
    JsonNode https = json.readTree(lines.get(0));
    assertThat(https.path("service").asText()).isEqualTo("http");
    assertThat(https.path("tunnel").asText()).isEqualTo("ssl");
    assertThat(https.path("product").asText()).isEqualTo("nginx");
    assertThat(https.path("version").asText()).isEqualTo("1.22.1");
    assertThat(https.path("cpe").get(0).asText()).isEqualTo("cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*");
    assertThat(https.path("confidence").asInt()).isEqualTo(10);
    assertThat(https.path("evidence").asText()).startsWith("HTTP/1.1 200 OK");
    assertThat(https.path("tls").path("protocol").asText()).isEqualTo("TLSv1.3");
    assertThat(https.path("tls").path("san").size()).isEqualTo(2);
    assertThat(https.path("tls").path("keyBits").asInt()).isEqualTo(2048);
    assertThat(https.path("tls").path("problems").get(0).asText()).isEqualTo("self-signed certificate");
    assertThat(https.path("os").path("family").asText()).isEqualTo("Linux");
    assertThat(https.path("os").path("guess").asBoolean()).isTrue();
    JsonNode odd = json.readTree(lines.get(1));
    assertThat(odd.path("service").asText()).isEqualTo("unknown");
    assertThat(odd.path("notes").get(0).asText()).contains("no rule matched");
    assertThat(odd.has("tls")).isFalse();
    assertThat(json.readTree(lines.get(2)).path("type").asText()).isEqualTo("summary");
  }

  @Test
  @DisplayName("list: masscan's open lines, and a banner line per validated port")
  void list() throws IOException {
    String out = render(OutputFormat.LIST, findings());
    assertThat(out)
        .contains("open tcp 443 198.18.0.20 " + AT.getEpochSecond() + "\n")
        .contains("banner tcp 443 198.18.0.20 " + AT.getEpochSecond() + " ssl/http nginx 1.22.1 (status 200; title A \"quoted\" <title>)\n")
        .contains("banner tcp 31337 198.18.0.20 " + AT.getEpochSecond() + " unknown [banner: 2 bytes, then closed; no rule matched]\n");
  }

  @Test
  @DisplayName("grepable (-oG): nmap's Host lines, ports as port/state/tcp//service//version/, read by awk as nmap's are")
  void grepable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    String out = render(OutputFormat.GREPABLE, findings());
    List<String> lines = out.lines().toList();
    assertThat(lines.getFirst()).startsWith("# Portolan test scan initiated ").endsWith(" as: portolan validate 198.18.0.20:443,31337");
    assertThat(lines).contains("Host: 198.18.0.20 ()\tStatus: Up",
        "Host: 198.18.0.20 ()\tPorts: 443/open/tcp//ssl|http//nginx 1.22.1 (status 200; title A \"quoted\" <title>)/, 31337/open/tcp//unknown///");
    assertThat(lines.getLast()).startsWith("# Portolan done at ").contains("-- 1 IP addresses (1 hosts up) scanned in 1.00 seconds");
    // The classic one-liner: open ports per host.
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("scan.gnmap"), out);
    Process awk = new ProcessBuilder("awk", "-F", "\t", "/Ports:/ { sub(/^Host: /, \"\", $1); sub(/^Ports: /, \"\", $2); n = split($2, p, \", \"); for (i = 1; i <= n; i++) { split(p[i], f, \"/\"); if (f[2] == \"open\") print $1, f[1], f[5] } }",
        file.toString()).redirectErrorStream(true).start();
    String open = new String(awk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(awk.waitFor()).as(open).isZero();
    assertThat(open.lines()).containsExactly("198.18.0.20 () 443 ssl|http", "198.18.0.20 () 31337 unknown");
  }

  @Test
  @DisplayName("nmap's ndiff compares two runs without crashing, and a changing Date header is no change")
  void ndiff(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path ndiff = java.nio.file.Path.of("/usr/bin/ndiff");
    if (!java.nio.file.Files.isExecutable(ndiff)) {
      assertThat("1".equals(System.getenv("PORTOLAN_REQUIRE_TOOLS"))).as("ndiff is required (PORTOLAN_REQUIRE_TOOLS=1)").isFalse();
      org.junit.jupiter.api.Assumptions.abort("ndiff is not installed (apt-get install ndiff)");
    }
    java.nio.file.Path a = java.nio.file.Files.writeString(dir.resolve("a.xml"), render(OutputFormat.XML, withDate("Tue, 01 Dec 2026 10:00:05 GMT")));
    java.nio.file.Path b = java.nio.file.Files.writeString(dir.resolve("b.xml"), render(OutputFormat.XML, withDate("Wed, 02 Dec 2026 11:30:00 GMT")));
    Process p = new ProcessBuilder(ndiff.toString(), a.toString(), b.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("ndiff's exit code (0: no difference, 1: differences, 2: it failed): %s", out).isZero();
  }

  @Test
  @DisplayName("nmap's own HTML report (xsltproc with nmap.xsl, as the stylesheet line names it) renders the hosts, services and OS")
  void htmlReport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path xsltproc = java.nio.file.Path.of("/usr/bin/xsltproc");
    if (!java.nio.file.Files.isExecutable(xsltproc)) {
      assertThat("1".equals(System.getenv("PORTOLAN_REQUIRE_TOOLS"))).as("xsltproc is required (PORTOLAN_REQUIRE_TOOLS=1)").isFalse();
      org.junit.jupiter.api.Assumptions.abort("xsltproc is not installed (apt-get install xsltproc)");
    }
    String xml = render(OutputFormat.XML, findings());
    assertThat(xml).contains("<?xml-stylesheet href=\"file:///usr/share/nmap/nmap.xsl\" type=\"text/xsl\"?>")
        .as("validate connects to each port").contains("<scaninfo type=\"connect\"");
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("scan.xml"), xml);
    Process p = new ProcessBuilder(xsltproc.toString(), "/usr/share/nmap/nmap.xsl", file.toString()).redirectErrorStream(true).start();
    String html = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(html).isZero();
    String text = html.replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ");
    assertThat(text).contains("198.18.0.20").contains("443").contains("nginx").contains("1.22.1").contains("Linux")
        .contains("Server: nginx/1.22.1");
  }

  @Test
  @DisplayName("what changes on every run is taken out of the evidence: dates, cookies, uptimes, run ids; the rest stays")
  void stableEvidence() throws Exception {
    String xml = render(OutputFormat.XML, withDate("Tue, 01 Dec 2026 10:00:05 GMT"));
    assertThat(xml).contains("Date: (varies)").doesNotContain("01 Dec 2026").contains("Server: nginx/1.22.1");
  }

  /** The findings with an HTTP Date header in nginx's banner, as every run has another. */
  private static List<Finding> withDate(String date) {
    Validation v = NGINX;
    Validation dated = new Validation(v.endpoint(), v.reachability(), v.service(), v.product(), v.version(), v.extraInfo(), v.hostname(),
        v.deviceType(), v.cpe(), v.confidence(), v.method(), "HTTP/1.1 200 OK\\r\\nServer: nginx/1.22.1\\r\\nDate: " + date + "\\r\\n",
        v.probe(), v.rule(), v.tls(), v.os(), List.of("tls verified: no"), v.elapsed());
    long t = AT.toEpochMilli();
    return List.of(new Finding(new PortResult(HTTPS.address(), 443, PortState.OPEN, "syn-ack", LINUX, t), dated));
  }

  @Test
  @DisplayName("python-libnmap (Debian's python3-libnmap) reads the OS guess by its name, and the service's product and version")
  void libnmapReadsIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path python = java.nio.file.Path.of("/usr/bin/python3");
    boolean present = java.nio.file.Files.isExecutable(python)
        && new ProcessBuilder(python.toString(), "-c", "import libnmap").start().waitFor() == 0;
    if (!present) {
      assertThat("1".equals(System.getenv("PORTOLAN_REQUIRE_TOOLS"))).as("python3-libnmap is required (PORTOLAN_REQUIRE_TOOLS=1)").isFalse();
      org.junit.jupiter.api.Assumptions.abort("python3-libnmap is not installed (apt-get install python3-libnmap)");
    }
    java.nio.file.Path xml = java.nio.file.Files.writeString(dir.resolve("scan.xml"), render(OutputFormat.XML, findings()));
    Process p = new ProcessBuilder(python.toString(), "-c", """
        import sys
        from libnmap.parser import NmapParser
        r = NmapParser.parse_fromfile(sys.argv[1])
        h = r.hosts[0]
        print("os", h.os.osmatches[0].name, h.os.osmatches[0].accuracy)
        for s in h.services:
            print("svc", s.port, s.service, s.banner)
        """, xml.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("os Linux 70").contains("svc 443 http product: nginx version: 1.22.1");
  }

  @Test
  @DisplayName("nmap XML: probed service elements with CPE, ssl-cert and banner scripts, an OS guess; valid against nmap's DTD")
  void nmapXml() throws Exception {
    String xml = render(OutputFormat.XML, findings());
    org.w3c.dom.Document doc = dev.portolan.scanner.report.NmapDtd.validate(xml);
    var scripts = doc.getElementsByTagName("script");
    assertThat(scripts.getLength()).as("one script per port").isEqualTo(2);
    assertThat(((org.w3c.dom.Element) scripts.item(0)).getAttribute("output")).as("line breaks survive parsing")
        .startsWith("HTTP/1.1 200 OK\nServer: nginx/1.22.1\n");
    assertThat(xml)
        .contains("<service name=\"http\" product=\"nginx\" version=\"1.22.1\" extrainfo=\"status 200; title A &quot;quoted&quot; &lt;title&gt;\" tunnel=\"ssl\" method=\"probed\" conf=\"10\"><cpe>cpe:/a:f5:nginx:1.22.1</cpe></service>")
        // One script per port, a line of the reply or the certificate to a line (&#xa;, as nmap writes them).
        .contains("<script id=\"banner\" output=\"HTTP/1.1 200 OK&#xa;Server: nginx/1.22.1&#xa;\\x00&#xa;Protocol: TLSv1.3,"
            + " cipher: TLS_AES_256_GCM_SHA384, ALPN: http/1.1&#xa;Subject: CN=lab.portolan.test&#xa;")
        .contains("<script id=\"banner\" output=\"\\x8f\\x01&#xa;Note: banner: 2 bytes, then closed; no rule matched\"/>")
        .contains("<service name=\"unknown\" method=\"table\" conf=\"3\"")
        // The OS's name is the name alone (what nmap's consumers show); the basis is the fingerprint.
        .contains("<portused state=\"open\" proto=\"tcp\" portid=\"443\"/><osmatch name=\"Linux\" accuracy=\"70\" line=\"0\">")
        .contains("<osclass vendor=\"Linux\" osfamily=\"Linux\" type=\"general purpose\" accuracy=\"70\"")
        .contains("<osfingerprint fingerprint=\"portolan guess: SYN-ACK ttl 64 (initial 64), window 65160");
  }

  @Test
  @DisplayName("CPE 2.3 names become nmap's CPE 2.2 URIs, quoting undone and encoded")
  void cpeUris() throws Exception {
    Validation odd =
        new Validation(ODD, Reachability.CONNECTED, "http", "x", "1.0", "", "", "", List.of("cpe:2.3:a:acme:front\\ proxy:1.0\\+b:*:*:*:*:*:*:*", "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*"),
            8, "probed", "", "http-get", "t", null, null, List.of(), Duration.ZERO);
    String xml = render(OutputFormat.XML, List.of(new Finding(new PortResult(ODD.address(), 31337, PortState.OPEN, "syn-ack", null, AT.toEpochMilli()), odd)));
    dev.portolan.scanner.report.NmapDtd.validate(xml);
    assertThat(xml).contains("<cpe>cpe:/a:acme:front%20proxy:1.0%2bb</cpe><cpe>cpe:/o:linux:linux_kernel</cpe>");
  }

}
