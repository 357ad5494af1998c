package dev.portolan.scanner.probe;

import dev.portolan.scanner.cli.CliRun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code portolan validate} in this JVM, against a server on loopback. */
@DisplayName("portolan validate")
class ValidateCommandTest {
  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  @DisplayName("identifies a greeting server and writes NDJSON with the service fields")
  void ndjson() throws IOException {
    try (MisbehavingServer s =
        new MisbehavingServer(
            c -> {
              c.getOutputStream().write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
              MisbehavingServer.drain(c, 2000);
            })) {
      CliRun r = run("validate", "127.0.0.1:" + s.port(), "--format", "ndjson", "--timeout", "1");
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.stdout().lines().findFirst().orElseThrow())
          .contains("\"state\":\"open\"", "\"service\":\"ssh\"", "\"product\":\"OpenSSH\"", "\"version\":\"9.6\"", "\"cpe\":[\"cpe:2.3:a:openbsd:openssh:9.6:");
      assertThat(r.stderr()).contains("validated 1 endpoints", "1 identified");
    }
  }

  @Test
  @DisplayName("-o FILE.xml writes nmap XML")
  void xmlFile(@TempDir Path dir) throws Exception {
    try (MisbehavingServer s =
        new MisbehavingServer(c -> c.getOutputStream().write("220 (vsFTPd 3.0.3)\r\n".getBytes(StandardCharsets.US_ASCII)))) {
      Path xml = dir.resolve("out.xml");
      CliRun r = run("validate", "127.0.0.1:" + s.port(), "-o", xml.toString(), "-q");
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.stderr()).isEmpty();
      String doc = Files.readString(xml);
      dev.portolan.scanner.report.NmapDtd.validate(doc);
      assertThat(doc).contains("<service name=\"ftp\" product=\"vsftpd\" version=\"3.0.3\" method=\"probed\" conf=\"10\"><cpe>cpe:/a:beasts:vsftpd:3.0.3</cpe>");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "validate 127.0.0.1",
        "validate 127.0.0.1:0",
        "validate 127.0.0.1:70000",
        "validate ::1:80",
        "validate 127.0.0.1:80 --intensity 10",
        "validate 127.0.0.1:80 --timeout 0",
        "validate 127.0.0.1:80 --format yaml",
        "validate 127.0.0.1:80 --rules /nonexistent/rules.yaml",
        "validate 127.0.0.1:1-5000"
      })
  @DisplayName("bad input: exit 2 and one line")
  void badInput(String line) {
    CliRun r = run(line.split(" "));
    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
    assertThat(r.stderr().lines().toList()).as(r.stderr()).hasSize(1);
    assertThat(r.stderr()).startsWith("portolan: ");
  }
}
