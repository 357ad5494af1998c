package dev.portolan.scanner.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.scanner.lab.services.Dpkg;
import dev.portolan.scanner.lab.services.LabServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Validation end to end: real Debian servers started by the test in the lab's target namespace, on
 * chosen addresses (some on ports where nothing hints at them), validated by the real jar from the
 * scanner namespace. Expected versions come from dpkg on this machine, mapped to what each protocol
 * discloses; versions a protocol hides must stay empty, with a note saying so.
 */
@ExtendWith(LabExtension.class)
@DisplayName("validation of real services in the lab")
class ValidationIT {
  static final String NGINX = "198.18.0.20";
  static final String SSH = "198.18.0.21";
  static final String REDIS = "198.18.0.22";
  static final String MEMCACHED = "198.18.0.23";
  static final String FTP = "198.18.0.24";
  static final String POSTGRES = "198.18.0.25";
  static final String MQTT = "198.18.0.26";
  static final String DOVECOT = "198.18.0.27";
  static final String NOTHING = "198.18.0.28";

  static final List<String> ENDPOINTS =
      List.of(
          NGINX + ":80", NGINX + ":443", NGINX + ":9443", SSH + ":22", SSH + ":2222", REDIS + ":6379", REDIS + ":16379",
          MEMCACHED + ":11211", FTP + ":21", POSTGRES + ":5432", MQTT + ":1883", DOVECOT + ":110", DOVECOT + ":143",
          DOVECOT + ":993", NOTHING + ":8080");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static LabServices services;
  private static Lab.Run run;
  private static Map<String, JsonNode> found;

  @BeforeAll
  static void startServicesAndValidate(Lab lab) throws IOException {
    services = new LabServices(lab.targetNamespace(), lab.workDirectory());
    services.nginx(NGINX, 80, 443, 9443);
    services.sshd(SSH, 22, 2222);
    services.redis(REDIS, 6379);
    services.redis(REDIS, 16379);
    services.memcached(MEMCACHED, 11211);
    services.vsftpd(FTP, 21);
    services.postgresql(POSTGRES, 5432);
    services.mosquitto(MQTT, 1883);
    services.dovecot(DOVECOT, 110, 143, 993, 0);
    String[] args = new String[ENDPOINTS.size() + 3];
    args[0] = "validate";
    for (int i = 0; i < ENDPOINTS.size(); i++) {
      args[i + 1] = ENDPOINTS.get(i);
    }
    args[args.length - 2] = "--format";
    args[args.length - 1] = "ndjson";
    run = lab.portolan(args);
    found = new HashMap<>();
    for (String line : run.stdout().lines().toList()) {
      JsonNode r = JSON.readTree(line);
      if ("port".equals(r.path("type").asText())) {
        found.put(r.path("ip").asText() + ":" + r.path("port").asInt(), r);
      }
    }
  }

  @AfterAll
  static void stopServices() {
    if (services != null) {
      services.close();
    }
  }

  static JsonNode at(String endpoint) {
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(found).as("validated endpoints; stderr: %s", run.stderr()).containsKey(endpoint);
    return found.get(endpoint);
  }

  static void assertService(JsonNode r, String service, String product, String version) {
    assertThat(r.path("state").asText()).isEqualTo("open");
    assertThat(r.path("service").asText()).as("service in %s", r).isEqualTo(service);
    assertThat(r.path("product").asText()).as("product in %s", r).isEqualTo(product);
    assertThat(r.path("version").asText()).as("version in %s", r).isEqualTo(version);
    assertThat(r.path("confidence").asInt()).isGreaterThanOrEqualTo(8);
    assertThat(r.path("evidence").asText()).isNotEmpty().hasSizeLessThanOrEqualTo(512);
  }

  @Test
  @DisplayName("validates every service of the lab in a few seconds, all identified but the closed port")
  void fast() {
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(found).hasSize(ENDPOINTS.size());
    assertThat(run.stderr()).contains("validated " + ENDPOINTS.size() + " endpoints", (ENDPOINTS.size() - 1) + " identified");
    double seconds = Double.parseDouble(run.stdout().lines().reduce((a, b) -> b).map(l -> {
      try {
        return JSON.readTree(l).path("elapsedSeconds").asText();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }).orElseThrow());
    assertThat(seconds).as("whole validation run").isLessThan(15);
  }

  @Nested
  @DisplayName("nginx")
  class Nginx {
    final String version = Dpkg.upstream(Dpkg.version("nginx"));

    @Test
    @DisplayName("HTTP: product, version, status and title, CPE")
    void http() {
      JsonNode r = at(NGINX + ":80");
      assertService(r, "http", "nginx", version);
      assertThat(r.path("extrainfo").asText()).contains("status 200", "title Portolan lab");
      assertThat(r.path("cpe").get(0).asText()).isEqualTo("cpe:2.3:a:f5:nginx:" + version + ":*:*:*:*:*:*:*");
      assertThat(r.has("tls")).isFalse();
    }

    @Test
    @DisplayName("HTTPS on 443: the probes go inside TLS, and the certificate is described")
    void https() {
      JsonNode r = at(NGINX + ":443");
      assertService(r, "http", "nginx", version);
      assertThat(r.path("tunnel").asText()).isEqualTo("ssl");
      JsonNode tls = r.path("tls");
      assertThat(tls.path("handshake").asBoolean()).isTrue();
      assertThat(tls.path("protocol").asText()).startsWith("TLSv1.");
      assertThat(tls.path("cipher").asText()).startsWith("TLS_");
      assertThat(tls.path("subject").asText()).contains("CN=lab.portolan.test");
      assertThat(tls.path("san").toString()).contains("DNS:lab.portolan.test", "IP:" + NGINX);
      assertThat(tls.path("selfSigned").asBoolean()).isTrue();
      assertThat(tls.path("keyType").asText()).isEqualTo("RSA");
      assertThat(tls.path("keyBits").asInt()).isEqualTo(2048);
      assertThat(tls.path("notAfter").asText()).isNotEmpty();
      assertThat(tls.path("problems").toString()).contains("self-signed");
    }

    @Test
    @DisplayName("HTTPS on a port nothing hints at: the plain-HTTP error page leads into TLS")
    void httpsOnAnUnusualPort() {
      JsonNode r = at(NGINX + ":9443");
      assertService(r, "http", "nginx", version);
      assertThat(r.path("tunnel").asText()).isEqualTo("ssl");
      assertThat(r.path("extrainfo").asText()).contains("status 200");
    }
  }

  @Nested
  @DisplayName("OpenSSH")
  class OpenSsh {
    final String dpkg = Dpkg.version("openssh-server");

    @Test
    @DisplayName("on 22 and 2222: OpenSSH with the upstream version, the Debian revision, an OS hint")
    void bothPorts() {
      for (String e : List.of(SSH + ":22", SSH + ":2222")) {
        JsonNode r = at(e);
        assertService(r, "ssh", "OpenSSH", Dpkg.upstream(dpkg));
        assertThat(r.path("extrainfo").asText()).contains("protocol 2.0", "Debian " + Dpkg.revision(dpkg));
        assertThat(r.path("os").path("family").asText()).isEqualTo("Linux");
        assertThat(r.path("os").path("guess").asBoolean()).isTrue();
      }
    }
  }

  @Test
  @DisplayName("redis on 6379 and 16379: Redis with its version")
  void redis() {
    String version = Dpkg.upstream(Dpkg.version("redis-server"));
    assertService(at(REDIS + ":6379"), "redis", "Redis key-value store", version);
    assertService(at(REDIS + ":16379"), "redis", "Redis key-value store", version);
  }

  @Test
  @DisplayName("memcached with its version")
  void memcached() {
    assertService(at(MEMCACHED + ":11211"), "memcached", "Memcached", Dpkg.upstream(Dpkg.version("memcached")));
  }

  @Test
  @DisplayName("vsftpd with its version")
  void vsftpd() {
    assertService(at(FTP + ":21"), "ftp", "vsftpd", Dpkg.upstream(Dpkg.version("vsftpd")));
  }

  @Test
  @DisplayName("Mosquitto: its version, published under $SYS to an anonymous subscriber")
  void mosquitto() {
    JsonNode r = at(MQTT + ":1883");
    assertService(r, "mqtt", "Mosquitto", Dpkg.upstream(Dpkg.version("mosquitto")));
    assertThat(r.path("evidence").asText()).contains("$SYS/broker/version");
  }

  @Test
  @DisplayName("PostgreSQL: identified, its version left empty because it hides it before authentication")
  void postgresql() {
    Dpkg.version("postgresql"); // installed, whatever its version
    JsonNode r = at(POSTGRES + ":5432");
    assertService(r, "postgresql", "PostgreSQL DB", "");
    assertThat(r.path("notes").toString()).contains("does not disclose its version");
    // initdb's pg_hba.conf trusts only local clients: the lab's scanner is refused, by SQLSTATE.
    assertThat(r.path("extrainfo").asText()).contains("SQLSTATE 28000", "no pg_hba.conf entry");
  }

  @Nested
  @DisplayName("Dovecot")
  class Dovecot {
    @Test
    @DisplayName("POP3 and IMAP: identified, the version it hides left empty with a note")
    void pop3AndImap() {
      Dpkg.version("dovecot-core");
      JsonNode pop3 = at(DOVECOT + ":110");
      assertService(pop3, "pop3", "Dovecot pop3d", "");
      assertThat(pop3.path("notes").toString()).contains("does not disclose its version");
      JsonNode imap = at(DOVECOT + ":143");
      assertService(imap, "imap", "Dovecot imapd", "");
      assertThat(imap.path("extrainfo").asText()).contains("IMAP4rev1");
    }

    @Test
    @DisplayName("IMAPS: the greeting is read inside TLS")
    void imaps() {
      JsonNode r = at(DOVECOT + ":993");
      assertService(r, "imap", "Dovecot imapd", "");
      assertThat(r.path("tunnel").asText()).isEqualTo("ssl");
      assertThat(r.path("probe").asText()).isEqualTo("tls/banner");
    }
  }

  @Test
  @DisplayName("a port where nothing listens is reported closed, without a service")
  void closed() {
    JsonNode r = at(NOTHING + ":8080");
    assertThat(r.path("state").asText()).isEqualTo("closed");
    assertThat(r.path("service").asText()).isEqualTo("unknown");
    assertThat(r.path("reachability").asText()).isEqualTo("refused");
  }

  @Test
  @DisplayName("nmap XML: service elements with product, version, tunnel and CPE; valid against nmap's DTD")
  void nmapXml(Lab lab) throws Exception {
    Path xml = lab.workDirectory().resolve("validate.xml");
    Lab.Run x = lab.portolan("validate", NGINX + ":80,443", SSH + ":22", "-o", xml.toString());
    assertThat(x.exitCode()).as(x.stderr()).isZero();
    String doc = Files.readString(xml);
    dev.portolan.scanner.report.NmapDtd.validate(doc);
    String version = Dpkg.upstream(Dpkg.version("nginx"));
    assertThat(doc)
        .contains("<service name=\"http\" product=\"nginx\" version=\"" + version + "\"")
        .contains("tunnel=\"ssl\" method=\"probed\" conf=\"10\"><cpe>cpe:/a:f5:nginx:" + version + "</cpe>")
        .contains("<service name=\"ssh\" product=\"OpenSSH\"")
        // The certificate is part of the port's one script, a field to a line.
        .containsPattern("<script id=\"banner\" output=\"[^\"]*&#xa;Protocol: TLSv1\\.[23], cipher: ");
  }

  @Test
  @DisplayName("masscan's list format gains banner lines")
  void list(Lab lab) {
    Lab.Run l = lab.portolan("validate", MEMCACHED + ":11211", "--format", "list");
    assertThat(l.exitCode()).as(l.stderr()).isZero();
    assertThat(l.stdout()).containsPattern("(?m)^open tcp 11211 " + MEMCACHED.replace(".", "\\.") + " \\d+$")
        .containsPattern("(?m)^banner tcp 11211 " + MEMCACHED.replace(".", "\\.") + " \\d+ memcached Memcached \\S+$");
  }

  @Test
  @DisplayName("portolan scan discovers the services by SYN and validates each open port, with an OS hint from the SYN-ACK")
  void scanValidates(Lab lab) throws IOException {
    Lab.Run scan = lab.portolan("scan", NGINX + "-" + NOTHING.substring(NOTHING.lastIndexOf('.') + 1), "-p", "22,80,443,11211", "--format", "ndjson", "--wait", "1");
    assertThat(scan.exitCode()).as(scan.stderr()).isZero();
    JsonNode http = null;
    JsonNode ssh = null;
    for (String line : scan.stdout().lines().toList()) {
      JsonNode r = JSON.readTree(line);
      if ((NGINX).equals(r.path("ip").asText()) && r.path("port").asInt() == 80) {
        http = r;
      }
      if ((SSH).equals(r.path("ip").asText()) && r.path("port").asInt() == 22) {
        ssh = r;
      }
    }
    assertThat(http).as(scan.stdout()).isNotNull();
    assertService(http, "http", "nginx", Dpkg.upstream(Dpkg.version("nginx")));
    assertThat(http.path("ttl").asInt()).isEqualTo(64);
    assertThat(http.path("os").path("family").asText()).as("OS hint in %s", http).isEqualTo("Linux");
    assertThat(ssh).isNotNull();
    assertThat(ssh.path("product").asText()).isEqualTo("OpenSSH");
  }

  @Test
  @DisplayName("a user's rules file is consulted before the built-in rules")
  void userRules(Lab lab) throws IOException {
    Path rules = lab.workDirectory().resolve("rules.yaml");
    Files.writeString(
        rules,
        "rules:\n  - id: lab-cache\n    service: memcached\n    pattern: '^VERSION (\\d[\\w.]*)\\r\\n'\n    product: Lab cache\n    version: '$1'\n");
    Files.setPosixFilePermissions(rules, PosixFilePermissions.fromString("rw-r--r--"));
    Lab.Run l = lab.portolan("validate", MEMCACHED + ":11211", "--rules", rules.toString(), "--format", "ndjson");
    assertThat(l.exitCode()).as(l.stderr()).isZero();
    assertThat(l.stdout()).contains("\"product\":\"Lab cache\"", "\"rule\":\"lab-cache\"");
  }

  @Test
  @DisplayName("bad input: exit 2 and one line")
  void badInput(Lab lab) {
    for (String[] args :
        List.of(
            new String[] {"validate", "198.18.0.20"},
            new String[] {"validate", "198.18.0.20:99999"},
            new String[] {"validate", "198.18.0.20:80", "--intensity", "12"},
            new String[] {"validate", "198.18.0.20:80", "--rules", "/nonexistent/rules.yaml"})) {
      Lab.Run r = lab.portolan(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.stderr().lines().toList()).as(r.stderr()).hasSize(1);
      assertThat(r.stderr()).startsWith("portolan: ");
    }
  }
}
