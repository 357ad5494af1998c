package dev.portolan.control.expect;

import static dev.portolan.control.fixtures.Reports.bare;
import static dev.portolan.control.fixtures.Reports.finding;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.ExpectationsSpec.ExposureRule;
import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.Severity;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Expectations")
class ExpectationsTest {

  private static Expectations allowing(ExposureRule... rules) {
    return new Expectations(new ExpectationsSpec(List.of(rules)));
  }

  private static ExposureRule rule(List<String> cidrs, String ports, List<String> services) {
    return new ExposureRule("test rule", cidrs, ports, services);
  }

  private static boolean allowed(Expectations e, Finding f) {
    return e.check(f).isEmpty();
  }

  @Nested
  @DisplayName("without an expectations block")
  class NoBlock {
    @Test
    @DisplayName("nothing is a violation")
    void nothing() {
      Expectations e = new Expectations(null);
      assertThat(e.check(finding("10.0.0.1", 22, "ssh"))).isEmpty();
      assertThat(e.check(bare("192.168.7.7", 65535))).isEmpty();
      assertThat(e.check(finding("10.0.0.1", 23, "telnet"))).isEmpty();
    }
  }

  @Nested
  @DisplayName("with an empty allowed list")
  class Empty {
    @Test
    @DisplayName("every open port is a violation, saying nothing may be exposed")
    void everything() {
      for (Expectations e : List.of(new Expectations(new ExpectationsSpec(List.of())), new Expectations(new ExpectationsSpec(null)))) {
        assertThat(e.check(finding("10.0.0.1", 443, "https")))
            .contains(new Violation("10.0.0.1", 443, "https", "nothing may be exposed in this scope, but 10.0.0.1 port 443 (https) is open", null, null, null, Severity.medium));
        assertThat(e.check(finding("10.0.0.2", 22, "ssh"))).isPresent();
      }
    }

    @Test
    @DisplayName("an unidentified service is called unknown in the reason, and left empty in the violation")
    void unknownService() {
      assertThat(new Expectations(new ExpectationsSpec(List.of())).check(bare("10.0.0.1", 8080)))
          .contains(new Violation("10.0.0.1", 8080, null, "nothing may be exposed in this scope, but 10.0.0.1 port 8080 (unknown) is open", null, null, null, Severity.medium));
    }
  }

  @Nested
  @DisplayName("matching a rule")
  class Matching {
    private final Expectations https = allowing(rule(List.of("10.0.0.0/24"), "443", List.of("https")));

    @Test
    @DisplayName("allows a finding on a covered address, port and service")
    void allowedFinding() {
      assertThat(allowed(https, finding("10.0.0.5", 443, "https"))).isTrue();
      assertThat(allowed(https, finding("10.0.0.0", 443, "https"))).isTrue();
      assertThat(allowed(https, finding("10.0.0.255", 443, "https"))).isTrue();
    }

    @Test
    @DisplayName("flags an address outside the rule's cidrs")
    void address() {
      assertThat(https.check(finding("10.0.1.5", 443, "https")))
          .contains(new Violation("10.0.1.5", 443, "https", "10.0.1.5 port 443 (https) is open and no expectation allows it; the nearest, rule 1 'test rule', does not: it covers 10.0.0.0/24, not 10.0.1.5", null, "rule 1 'test rule'", null, Severity.medium));
      assertThat(allowed(https, finding("9.255.255.255", 443, "https"))).isFalse();
    }

    @Test
    @DisplayName("flags a port outside the rule's ports")
    void port() {
      assertThat(allowed(https, finding("10.0.0.5", 8443, "https"))).isFalse();
    }

    @Test
    @DisplayName("flags a service the rule does not name")
    void service() {
      assertThat(https.check(finding("10.0.0.5", 443, "http")))
          .contains(new Violation("10.0.0.5", 443, "http", "10.0.0.5 port 443 (http) is open and no expectation allows it; the nearest, rule 1 'test rule', does not: it allows https, not http", null, "rule 1 'test rule'", null, Severity.medium));
    }

    @Test
    @DisplayName("flags an unidentified service where the rule names services")
    void nullService() {
      assertThat(https.check(bare("10.0.0.5", 443)))
          .contains(new Violation("10.0.0.5", 443, null, "10.0.0.5 port 443 (unknown) is open and no expectation allows it; the nearest, rule 1 'test rule', does not: it allows https, not an unidentified service", null, "rule 1 'test rule'", null, Severity.medium));
    }

    @Test
    @DisplayName("port ranges and lists in a rule")
    void portRanges() {
      Expectations e = allowing(rule(null, "22, 8000-8100", null));
      assertThat(allowed(e, finding("10.0.0.1", 22, "ssh"))).isTrue();
      assertThat(allowed(e, finding("10.0.0.1", 8000, "http"))).isTrue();
      assertThat(allowed(e, finding("10.0.0.1", 8100, "http"))).isTrue();
      assertThat(allowed(e, finding("10.0.0.1", 8101, "http"))).isFalse();
      assertThat(allowed(e, finding("10.0.0.1", 23, "telnet"))).isFalse();
    }

    @Test
    @DisplayName("address ranges, single addresses and comma-separated entries in a rule")
    void addressForms() {
      Expectations e = allowing(rule(List.of("10.0.0.1,10.0.0.2", "10.0.1.10-10.0.1.20"), null, null));
      assertThat(allowed(e, finding("10.0.0.2", 80, "http"))).isTrue();
      assertThat(allowed(e, finding("10.0.0.3", 80, "http"))).isFalse();
      assertThat(allowed(e, finding("10.0.1.15", 80, "http"))).isTrue();
      assertThat(allowed(e, finding("10.0.1.21", 80, "http"))).isFalse();
    }
  }

  @Nested
  @DisplayName("a rule that leaves a dimension out")
  class Wildcards {
    @Test
    @DisplayName("without cidrs (absent or empty) covers every address")
    void anyAddress() {
      for (List<String> cidrs : Arrays.asList(null, List.<String>of())) {
        Expectations e = allowing(rule(cidrs, "443", null));
        assertThat(allowed(e, finding("192.168.200.1", 443, "https"))).isTrue();
        assertThat(allowed(e, finding("10.9.9.9", 80, "http"))).isFalse();
      }
    }

    @Test
    @DisplayName("without ports (absent or blank) covers every port")
    void anyPort() {
      for (String ports : Arrays.asList(null, "", "  ")) {
        Expectations e = allowing(rule(List.of("10.0.0.7"), ports, null));
        assertThat(allowed(e, finding("10.0.0.7", 1, "tcpmux"))).isTrue();
        assertThat(allowed(e, finding("10.0.0.7", 65535, "unknown"))).isTrue();
        assertThat(allowed(e, finding("10.0.0.8", 22, "ssh"))).isFalse();
      }
    }

    @Test
    @DisplayName("without services (absent or empty) covers every service, an unidentified one included")
    void anyService() {
      for (List<String> services : Arrays.asList(null, List.<String>of())) {
        Expectations e = allowing(rule(null, "8080", services));
        assertThat(allowed(e, finding("10.0.0.1", 8080, "http-proxy"))).isTrue();
        assertThat(allowed(e, bare("10.0.0.1", 8080))).isTrue();
      }
    }

    @Test
    @DisplayName("with nothing at all allows everything")
    void allowsAll() {
      Expectations e = allowing(rule(null, null, null));
      assertThat(allowed(e, finding("172.16.0.1", 3306, "mysql"))).isTrue();
    }
  }

  @Test
  @DisplayName("a finding is allowed when any one rule covers it")
  void anyRule() {
    Expectations e =
        allowing(
            rule(List.of("10.0.0.10"), "22", List.of("ssh")),
            rule(null, "443", List.of("https")),
            rule(List.of("10.0.5.0/24"), "5432", null));
    assertThat(allowed(e, finding("10.0.0.10", 22, "ssh"))).isTrue();
    assertThat(allowed(e, finding("10.0.0.11", 22, "ssh"))).isFalse();
    assertThat(allowed(e, finding("10.7.7.7", 443, "https"))).isTrue();
    assertThat(allowed(e, finding("10.0.5.9", 5432, "postgresql"))).isTrue();
    assertThat(allowed(e, finding("10.0.0.10", 5432, "postgresql"))).isFalse();
  }
}
