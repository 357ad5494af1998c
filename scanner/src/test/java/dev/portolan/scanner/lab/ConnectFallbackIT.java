package dev.portolan.scanner.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Without CAP_NET_RAW (user nobody, no capabilities) the scan falls back to TCP connects. */
@ExtendWith(LabExtension.class)
@DisplayName("connect-scan fallback for an unprivileged user")
class ConnectFallbackIT {
  static final Set<String> OPEN = Set.of("198.18.0.10:22", "198.18.1.7:8080", "198.18.2.200:31337");
  static final String SCOPE = "198.18.0.0/22";
  static final String PORTS = "22,8080,31337";

  @BeforeAll
  static void services(Lab lab) {
    lab.listen(OPEN.toArray(String[]::new));
    lab.drop("198.18.3.0/28");
  }

  @Test
  @DisplayName("says so once and reports the same open, closed and filtered ports as the SYN engine")
  void sameResultsAsSyn(Lab lab) {
    Lab.Run connect =
        lab.portolanUnprivileged("scan", SCOPE, "-p", PORTS, "--rate", "5000", "--wait", "1", "--retries", "0",
            "--show", "open,closed,filtered", "--format", "ndjson");
    Lab.Run syn =
        lab.portolan("scan", SCOPE, "-p", PORTS, "--rate", "5000", "--wait", "1", "--retries", "0",
            "--show", "open,closed,filtered", "--format", "ndjson");

    assertThat(connect.exitCode()).as(connect.stderr()).isZero();
    assertThat(connect.stderr().split("no CAP_NET_RAW", -1)).as(connect.stderr()).hasSize(2);
    List<Map<String, String>> c = Ndjson.parse(connect.stdout());
    List<Map<String, String>> s = Ndjson.parse(syn.stdout());
    assertThat(Ndjson.endpoints(c, "open")).isEqualTo(OPEN).isEqualTo(Ndjson.endpoints(s, "open"));
    assertThat(Ndjson.endpoints(c, "filtered")).hasSize(16 * 3).isEqualTo(Ndjson.endpoints(s, "filtered"));
    assertThat(Ndjson.endpoints(c, "closed")).hasSize(1024 * 3 - 3 - 48).isEqualTo(Ndjson.endpoints(s, "closed"));
    assertThat(Ndjson.summary(c)).containsEntry("method", "connect");
  }
}
