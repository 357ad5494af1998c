package dev.portolan.scanner.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Evidence")
class EvidenceTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "Date: Tue, 01 Dec 2026 10:00:05 GMT|Date: (varies)",
      "Set-Cookie: sid=8f3a9; Path=/|Set-Cookie: (varies)",
      "uptime_in_seconds:86400|uptime_in_seconds:(varies)",
      "run_id:4f2b0c9e1d|run_id:(varies)",
      "redis_version:7.0.15|redis_version:7.0.15",
      "Server: nginx/1.22.1|Server: nginx/1.22.1",
      "220 mail.lab ESMTP Postfix; Tue, 01 Dec 2026 10:00:05 +0000|220 mail.lab ESMTP Postfix; (varies)",
      "ts 2026-12-04T05:02:24.124Z started|ts (varies) started",
      "220 (vsFTPd 3.0.3)|220 (vsFTPd 3.0.3)",
      "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3|SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"
  })
  @DisplayName("a line's volatile part is replaced, its stable part kept")
  void stable(String line, String expected) {
    assertThat(Evidence.stable(line)).isEqualTo(expected);
  }

  @Test
  @DisplayName("one line of the reply to a line, empty ones dropped, bounded in count and length")
  void lines() {
    assertThat(Evidence.lines("HTTP/1.1 200 OK\\r\\nServer: x\\r\\n\\r\\n")).containsExactly("HTTP/1.1 200 OK", "Server: x");
    assertThat(Evidence.lines("a\\n".repeat(100))).hasSize(Evidence.MAX_LINES + 1).last().isEqualTo("...");
    assertThat(Evidence.lines("y".repeat(500)).getFirst()).hasSize(Evidence.MAX_LINE + 3);
  }
}
