package dev.portolan.control.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.UsageException;
import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.Scope;
import dev.portolan.crds.v1alpha1.ScanReportSpec.GuardSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("GuardConfig")
class GuardConfigTest {
  private static final String FILE = "/etc/portolan/guard.yaml";

  /** The guard as the edges hand it over: the file's text and its name. */
  private static String guardFile(String yaml) {
    return yaml;
  }

  private static GuardConfig parse(String yaml) {
    return GuardConfig.parse(yaml, FILE);
  }

  /** A mistake in the guard file is one line for a person, with no stack trace to read. */
  private static AbstractThrowableAssert<?, ? extends Throwable> usageError(String yaml) {
    return assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(UsageException.class)
        .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n").doesNotContain("\r"))
        .satisfies(e -> assertThat(e.getStackTrace()).as("no stack trace").isEmpty());
  }

  private static boolean contains(List<String> cidrs, String address) {
    return Scope.parseList(cidrs).contains(Ipv4.parse(address));
  }

  @Nested
  @DisplayName("defaults")
  class Defaults {
    private final GuardConfig d = GuardConfig.defaults();

    @ParameterizedTest(name = "{0} is always excluded")
    @ValueSource(
        strings = {"169.254.169.254", "169.254.0.1", "127.0.0.1", "0.0.0.0", "224.0.0.251", "239.255.255.250",
          "255.255.255.255", "240.0.0.1", "100.100.100.200"})
    @DisplayName("always exclude the cloud metadata addresses, link-local, loopback, multicast and reserved space")
    void excluded(String address) {
      assertThat(contains(d.alwaysExcluded(), address)).isTrue();
    }

    @ParameterizedTest(name = "{0} is not allowed")
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "52.95.110.1", "172.32.0.1", "192.169.0.1", "11.0.0.1", "100.128.0.1"})
    @DisplayName("do not allow the public internet")
    void publicNotAllowed(String address) {
      assertThat(contains(d.allowedCidrs(), address)).isFalse();
    }

    @ParameterizedTest(name = "{0} is allowed")
    @ValueSource(strings = {"10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1", "100.64.0.1", "198.18.0.1", "198.19.255.254"})
    @DisplayName("allow the private, shared-address and benchmarking ranges")
    void privateAllowed(String address) {
      assertThat(contains(d.allowedCidrs(), address)).isTrue();
    }

    @Test
    @DisplayName("allow no public address anywhere: the allowed ranges are exactly the non-public ones")
    void allowedIsExactlyPrivate() {
      AddressSet allowed = Scope.parseList(d.allowedCidrs());
      AddressSet nonPublic =
          Scope.parseList(List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "198.18.0.0/15"));
      assertThat(allowed).isEqualTo(nonPublic);
      assertThat(allowed.size()).isEqualTo((1L << 24) + (1L << 20) + (1L << 16) + (1L << 22) + (1L << 17));
    }

    @Test
    @DisplayName("cap rates at 10,000 probes/s per policy and 50,000 per node")
    void rates() {
      assertThat(d.maxRatePerPolicy()).isEqualTo(10_000L);
      assertThat(d.maxRatePerNode()).isEqualTo(50_000L);
    }

    @Test
    @DisplayName("fill every missing field of a partial config")
    void partial() {
      GuardConfig c = new GuardConfig(List.of("10.0.0.0/8"), null, 20L, null);
      assertThat(c.allowedCidrs()).containsExactly("10.0.0.0/8");
      assertThat(c.alwaysExcluded()).isEqualTo(GuardConfig.DEFAULT_EXCLUDED);
      assertThat(c.maxRatePerPolicy()).isEqualTo(20L);
      assertThat(c.maxRatePerNode()).isEqualTo(GuardConfig.DEFAULT_MAX_RATE_PER_NODE);
    }

    @Test
    @DisplayName("copy the lists given, so a later change to them does not reach the guard")
    void copies() {
      List<String> allowed = new ArrayList<>(List.of("10.0.0.0/8"));
      GuardConfig c = new GuardConfig(allowed, null, null, null);
      allowed.add("0.0.0.0/0");
      assertThat(c.allowedCidrs()).containsExactly("10.0.0.0/8");
      assertThatThrownBy(() -> c.allowedCidrs().add("0.0.0.0/0")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("are recorded as they are in the audit snapshot")
    void snapshot() {
      assertThat(d.snapshot())
          .isEqualTo(new GuardSnapshot(GuardConfig.DEFAULT_ALLOWED, GuardConfig.DEFAULT_EXCLUDED, 10_000L, 50_000L));
    }
  }

  @Nested
  @DisplayName("load")
  class Load {
    @Test
    @DisplayName("reads every field of a guard file")
    void full() {
      String f =
          guardFile(
              """
              allowedCidrs:
                - 10.20.0.0/16
                - 192.168.5.0/24
              alwaysExcluded: [10.20.0.1, 169.254.0.0/16]
              maxRatePerPolicy: 2000
              maxRatePerNode: 500
              """);
      assertThat(parse(f))
          .isEqualTo(
              new GuardConfig(List.of("10.20.0.0/16", "192.168.5.0/24"), List.of("10.20.0.1", "169.254.0.0/16"), 2000L, 500L));
    }

    @Test
    @DisplayName("gives missing fields their safe defaults")
    void partial() {
      GuardConfig c = parse(guardFile("maxRatePerPolicy: 300\n"));
      assertThat(c).isEqualTo(new GuardConfig(null, null, 300L, null));
      assertThat(contains(c.alwaysExcluded(), "169.254.169.254")).isTrue();
      assertThat(contains(c.allowedCidrs(), "8.8.8.8")).isFalse();
    }

    @Test
    @DisplayName("reads an explicit null as the default, never as 'nothing excluded'")
    void explicitNull() {
      GuardConfig c = parse(guardFile("alwaysExcluded: null\nallowedCidrs: ~\n"));
      assertThat(c).isEqualTo(GuardConfig.defaults());
    }

    @Test
    @DisplayName("reads an empty mapping as the defaults")
    void emptyMapping() {
      assertThat(parse(guardFile("{}\n"))).isEqualTo(GuardConfig.defaults());
    }

    @ParameterizedTest(name = "file content [{0}]")
    @ValueSource(strings = {"", "# nothing configured: the chart rendered no values\n", "---\n"})
    @DisplayName("reads an empty or comment-only file as the defaults")
    void emptyFile(String content) {
      assertThat(parse(guardFile(content))).isEqualTo(GuardConfig.defaults());
    }

    @Test
    @DisplayName("rejects an unknown key in one line that names the key and the file")
    void unknownKey() {
      String f = guardFile("allowedCidrs: [10.0.0.0/8]\nmaxRate: 5\n");
      usageError(f).hasMessageContaining("maxRate").hasMessageContaining(FILE).hasMessageStartingWith("cannot read the guard file");
    }

    @Test
    @DisplayName("rejects a misspelt key rather than silently dropping an exclude")
    void misspeltExclude() {
      usageError(guardFile("alwaysExclude: [10.0.0.0/8]\n")).hasMessageContaining("alwaysExclude");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "allowedCidrs: [10.0.0.0/33]\n",
          "allowedCidrs: [10.0.0.256]\n",
          "allowedCidrs: [corp.example.com]\n",
          "alwaysExcluded: [169.254.0.0/64]\n",
          "alwaysExcluded: [10.0.0.9-10.0.0.1]\n"
        })
    @DisplayName("rejects a bad CIDR in one line that says what is wrong with it")
    void badCidr(String yaml) {
      String entry = yaml.substring(yaml.indexOf('[') + 1, yaml.indexOf(']'));
      usageError(guardFile(yaml)).hasMessageStartingWith("guard: ").hasMessageContaining(entry);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"maxRatePerPolicy: 0\n", "maxRatePerPolicy: -5\n", "maxRatePerNode: 0\n", "maxRatePerNode: -1\n"})
    @DisplayName("rejects a rate below 1 in one line naming both rate fields")
    void badRate(String yaml) {
      usageError(guardFile(yaml))
          .hasMessage("guard: maxRatePerPolicy and maxRatePerNode must be at least 1");
    }

    @Test
    @DisplayName("accepts rates of exactly 1")
    void rateOfOne() {
      GuardConfig c = parse(guardFile("maxRatePerPolicy: 1\nmaxRatePerNode: 1\n"));
      assertThat(c.maxRatePerPolicy()).isEqualTo(1L);
      assertThat(c.maxRatePerNode()).isEqualTo(1L);
    }

    @Test
    @DisplayName("rejects a value of the wrong type in one line")
    void wrongType() {
      usageError(guardFile("maxRatePerPolicy: fast\n")).hasMessageContaining("fast");
    }

    @Test
    @DisplayName("rejects malformed YAML in one line")
    void malformed() {
      usageError(guardFile("allowedCidrs: [10.0.0.0/8\nmaxRatePerNode: 3\n")).hasMessageStartingWith("cannot read the guard file");
    }

    @Test
    @DisplayName("an empty allowed list is honoured: nothing may be scanned")
    void emptyAllowed() {
      GuardConfig c = parse(guardFile("allowedCidrs: []\n"));
      assertThat(c.allowedCidrs()).isEmpty();
      assertThat(c.alwaysExcluded()).isEqualTo(GuardConfig.DEFAULT_EXCLUDED);
    }
  }

  @Nested
  @DisplayName("namespace grants")
  class Grants {
    @Test
    @DisplayName("none by default: every namespace reaches only its own pods and services")
    void noneByDefault() {
      assertThat(GuardConfig.defaults().namespaces()).isEmpty();
      assertThat(GuardConfig.defaults().grantFor("team-a")).isEmpty();
    }

    @Test
    @DisplayName("reads grants, with safe defaults for what a grant leaves out")
    void reads() {
      GuardConfig c = parse(guardFile("""
          namespaces:
            - name: platform
              cidrs: [10.0.0.0/8]
              otherNamespaces: ["*"]
              nodes: true
              maxRate: 2000
            - name: team-a
              otherNamespaces: [team-b]
          """));
      assertThat(c.grantFor("platform")).contains(new NamespaceGrant("platform", List.of("10.0.0.0/8"), List.of("*"), true, 2000L));
      NamespaceGrant a = c.grantFor("team-a").orElseThrow();
      assertThat(a.cidrs()).isEmpty();
      assertThat(a.nodes()).isFalse();
      assertThat(a.maxRate()).isNull();
      assertThat(a.reaches("team-b")).isTrue();
      assertThat(a.reaches("team-c")).isFalse();
      assertThat(c.grantFor("team-c")).isEmpty();
    }

    @Test
    @DisplayName("\"*\" is the grant of every namespace without one of its own")
    void everyNamespace() {
      GuardConfig c = parse(guardFile("namespaces:\n  - name: \"*\"\n    nodes: true\n  - name: team-a\n"));
      assertThat(c.grantFor("team-z").orElseThrow().nodes()).isTrue();
      assertThat(c.grantFor("team-a").orElseThrow().nodes()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "namespaces: [{cidrs: [10.0.0.0/8]}]|guard: namespaces[0] has no name",
        "namespaces: [{name: a, cidrs: [10.0.0.0/40]}]|guard: namespaces[0] (a) cidrs:",
        "namespaces: [{name: a, maxRate: 0}]|guard: namespaces[0] (a) maxRate must be at least 1",
        "namespaces: [{name: a, otherNamespaces: [Team_B]}]|'Team_B' is not a namespace name",
        "namespaces: [{name: a}, {name: a, nodes: true}]|guard: namespace 'a' has two grants; merge them into one",
        "namespaces: [~]|guard: namespaces[0] is empty",
        "namespaces: [{name: a, cidr: [10.0.0.0/8]}]|cidr"
    })
    @DisplayName("rejects a bad grant in one line that says which and why")
    void bad(String yaml, String message) {
      usageError(guardFile(yaml)).hasMessageContaining(message);
    }
  }
}
