package dev.portolan.control.guard;

import static dev.portolan.control.fixtures.Policies.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.control.fixtures.Policies;
import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.Scope;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus;
import dev.portolan.crds.v1alpha1.TargetsSpec;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Guard")
class GuardTest {
  private final Guard guard = new Guard(everyNamespaceGranted(GuardConfig.defaults()));

  /**
   * The scope and rate rules below hold for any namespace, so they are tested in one that is
   * granted everything; {@link Tenancy} tests what a namespace reaches without a grant.
   */
  static GuardConfig everyNamespaceGranted(GuardConfig config) {
    return config.withNamespaces(List.of(NamespaceGrant.everything(List.of("0.0.0.0/0"))));
  }

  private GuardDecision evaluate(Policies p) {
    return guard.evaluate(p.build(), "team-a", List.of());
  }

  /** Asserts a rejection and returns its message for further checks; every message is one sentence. */
  private static AbstractStringAssert<?> rejected(GuardDecision d, String reason) {
    assertThat(d).isInstanceOf(GuardDecision.Rejected.class);
    GuardDecision.Rejected r = (GuardDecision.Rejected) d;
    assertThat(r.reason()).as("reason").isEqualTo(reason);
    assertThat(r.message()).as("message of %s", reason).doesNotContain("\n").endsWith(".");
    return assertThat(r.message());
  }

  private static GuardDecision.Accepted accepted(GuardDecision d) {
    assertThat(d).as("decision %s", d).isInstanceOf(GuardDecision.Accepted.class);
    return (GuardDecision.Accepted) d;
  }

  private static boolean scans(GuardDecision.Accepted a, String address) {
    return a.scope().hosts().contains(Ipv4.parse(address));
  }

  @Test
  @DisplayName("accepts a sound policy inside the private ranges")
  void acceptsSoundPolicy() {
    GuardDecision.Accepted a = accepted(evaluate(policy()));
    assertThat(a.scope().hosts()).isEqualTo(Scope.parseList(List.of("10.0.0.0/24")));
    assertThat(a.ports()).isEqualTo(PortSet.of(22, 80, 443));
  }

  @Test
  @DisplayName("rejects a missing spec as InvalidSpec")
  void missingSpec() {
    rejected(guard.evaluate(null, "team-a", List.of()), "InvalidSpec").contains("no spec");
  }

  @Nested
  @DisplayName("PurposeMissing")
  class PurposeMissing {
    @ParameterizedTest(name = "purpose [{0}]")
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t\n"})
    @DisplayName("rejects a policy that does not say why it scans, pointing at spec.purpose")
    void noPurpose(String purpose) {
      rejected(evaluate(policy().purpose(purpose)), "PurposeMissing").contains("spec.purpose");
    }

    @Test
    @DisplayName("is checked before everything else")
    void checkedFirst() {
      rejected(evaluate(policy().purpose(null).ports("0").cidrs("8.8.8.8")), "PurposeMissing");
    }
  }

  @Nested
  @DisplayName("InvalidPorts")
  class InvalidPorts {
    @ParameterizedTest(name = "ports ''{0}'' -> message names ''{1}''")
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '"',
        value = {
          "0           | port 0 is out of range: TCP ports are 1-65535",
          "65536       | port 65536 is out of range: TCP ports are 1-65535",
          "99999       | 1-65535",
          "22,0        | port 0 is out of range",
          "1-65536     | port 65536 is out of range",
          "443-80      | reversed",
          "http        | 'http' is not a port",
          "22,,80      | empty entry",
          "U:53        | only TCP ports"
        })
    @DisplayName("rejects ports outside 1-65535 and malformed lists, saying what is wrong under spec.ports")
    void badPorts(String ports, String expected) {
      rejected(evaluate(policy().ports(ports)), "InvalidPorts").startsWith("spec.ports: ").contains(expected);
    }

    @ParameterizedTest(name = "ports [{0}]")
    @NullAndEmptySource
    @DisplayName("rejects a policy with no ports")
    void noPorts(String ports) {
      rejected(evaluate(policy().ports(ports)), "InvalidPorts").startsWith("spec.ports is empty").doesNotContain("-p");
    }

    @Test
    @DisplayName("accepts the bounds 1 and 65535")
    void bounds() {
      assertThat(accepted(evaluate(policy().ports("1,65535"))).ports()).isEqualTo(PortSet.of(1, 65535));
    }
  }

  @Nested
  @DisplayName("InvalidTargets")
  class InvalidTargets {
    @Test
    @DisplayName("rejects a policy without targets, naming spec.targets")
    void noTargets() {
      rejected(evaluate(policy().targets(null)), "InvalidTargets").contains("spec.targets");
    }

    @ParameterizedTest(name = "cidr ''{0}''")
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '"',
        value = {
          "10.0.0.0/33      | bad prefix length",
          "10.0.0.300       | '10.0.0.300'",
          "scanner.lab      | host names are not resolved",
          "10.0.0.9-10.0.0.1| reversed"
        })
    @DisplayName("rejects a bad cidrs entry, quoting it under spec.targets")
    void badCidr(String cidr, String expected) {
      rejected(evaluate(policy().cidrs("10.0.0.0/24", cidr)), "InvalidTargets")
          .startsWith("spec.targets: ")
          .contains(expected);
    }

    @Test
    @DisplayName("rejects a bad exclude entry")
    void badExclude() {
      rejected(evaluate(policy().exclude("10.0.0.0/40")), "InvalidTargets")
          .startsWith("spec.targets: ")
          .contains("10.0.0.0/40");
    }

    @Test
    @DisplayName("rejects a cluster address that is not an IPv4 address")
    void badClusterAddress() {
      rejected(guard.evaluate(policy().build(), "team-a", List.of("fd00::1")), "InvalidTargets").contains("fd00::1");
    }
  }

  @Nested
  @DisplayName("InvalidSchedule")
  class InvalidSchedule {
    @ParameterizedTest(name = "schedule ''{0}'' -> ''{1}''")
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '"',
        value = {
          "61 * * * *      | minute",
          "0 24 * * *      | hour",
          "0 3 32 * *      | day of month",
          "0 3 * 13 *      | month",
          "0 3 * * 8       | day of week",
          "0 3 * FOO *     | 'FOO' is not a valid month",
          "0 3 * *         | five fields",
          "@fortnightly    | five fields"
        })
    @DisplayName("rejects a schedule that is not a cron expression, naming the bad field under spec.schedule")
    void badSchedule(String schedule, String field) {
      rejected(evaluate(policy().schedule(schedule)), "InvalidSchedule")
          .startsWith("spec.schedule: ")
          .contains(field);
    }

    @ParameterizedTest(name = "schedule ''{0}''")
    @ValueSource(strings = {"0 3 * * *", "@daily", "*/15 9-17 * * MON-FRI"})
    @DisplayName("accepts a valid schedule")
    void goodSchedule(String schedule) {
      accepted(evaluate(policy().schedule(schedule)));
    }
  }

  @Nested
  @DisplayName("InvalidTimeZone")
  class InvalidTimeZone {
    @Test
    @DisplayName("rejects a time zone the JDK does not know, naming spec.timeZone and an example")
    void unknownZone() {
      rejected(evaluate(policy().schedule("0 3 * * *").timeZone("Europe/Atlantis")), "InvalidTimeZone")
          .startsWith("spec.timeZone: 'Europe/Atlantis'")
          .contains("Europe/Berlin");
    }

    @ParameterizedTest(name = "timeZone ''{0}''")
    @ValueSource(strings = {"Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"})
    @DisplayName("accepts an IANA zone name")
    void knownZone(String zone) {
      accepted(evaluate(policy().schedule("0 3 * * *").timeZone(zone)));
    }
  }

  @Nested
  @DisplayName("RateAboveGuard")
  class RateAboveGuard {
    @Test
    @DisplayName("rejects a rate above the guard's cap, naming both numbers and the way out")
    void aboveCap() {
      rejected(evaluate(policy().rate(10_001L)), "RateAboveGuard")
          .contains("spec.rate 10001")
          .contains("maximum of 10000")
          .contains("lower it");
    }

    @Test
    @DisplayName("accepts a rate exactly at the cap")
    void atCap() {
      accepted(evaluate(policy().rate(GuardConfig.DEFAULT_MAX_RATE_PER_POLICY)));
    }

    @Test
    @DisplayName("applies the cap to the default rate when the policy gives none")
    void defaultRateCounts() {
      Guard strict = new Guard(everyNamespaceGranted(new GuardConfig(null, null, 500L, null)));
      assertThat(strict.evaluate(policy().build(), "team-a", List.of()))
          .isEqualTo(
              new GuardDecision.Rejected(
                  "RateAboveGuard",
                  "spec.rate 1000 is above the guard's maximum of 500 probes/s per policy; lower it or ask the cluster"
                      + " admins to raise the cap."));
    }
  }

  @Nested
  @DisplayName("EmptyScope")
  class EmptyScope {
    @Test
    @DisplayName("rejects targets that resolve to no address at all")
    void nothingResolved() {
      rejected(guard.evaluate(policy().selectorOnly().build(), "team-a", List.of()), "EmptyScope")
          .contains("resolve to no address");
    }

    @Test
    @DisplayName("rejects a scope the policy's own excludes empty (excludes always win)")
    void emptiedByPolicyExcludes() {
      rejected(evaluate(policy().cidrs("10.0.0.0/24").exclude("10.0.0.0/16")), "EmptyScope")
          .contains("policy's excludes")
          .contains("169.254.0.0/16");
    }

    @ParameterizedTest(name = "targets {0}")
    @ValueSource(strings = {"169.254.169.254", "169.254.0.0/16", "127.0.0.1", "0.0.0.0/8", "224.0.0.1", "100.100.100.200"})
    @DisplayName("rejects a scope that lies wholly in the guard's always-excluded ranges, listing them")
    void emptiedByGuard(String target) {
      rejected(evaluate(policy().cidrs(target)), "EmptyScope")
          .contains("always-excluded")
          .contains(String.join(", ", GuardConfig.DEFAULT_EXCLUDED));
    }

    @Test
    @DisplayName("rejects a scope emptied by policy and guard excludes together")
    void emptiedByBoth() {
      rejected(evaluate(policy().cidrs("127.0.0.0/8", "10.9.0.0/16").exclude("10.9.0.0/16")), "EmptyScope");
    }
  }

  @Nested
  @DisplayName("OutsideAllowedScope")
  class OutsideAllowedScope {
    @Test
    @DisplayName("rejects a public address, naming it, the allowed ranges and what to do")
    void publicAddress() {
      rejected(evaluate(policy().cidrs("8.8.8.8")), "OutsideAllowedScope")
          .contains("reaches 8.8.8.8,")
          .contains(String.join(", ", GuardConfig.DEFAULT_ALLOWED))
          .contains("narrow spec.targets or exclude it")
          .doesNotContain("more ranges");
    }

    @Test
    @DisplayName("names the first offending range and counts the others")
    void firstOfSeveral() {
      rejected(evaluate(policy().cidrs("10.0.0.0/24", "9.9.9.9", "8.8.8.0/24", "1.1.1.1")), "OutsideAllowedScope")
          .contains("reaches 1.1.1.1 (and 2 more ranges)")
          .doesNotContain("10.0.0.0/24 (");
    }

    @Test
    @DisplayName("names only the part of a range that sticks out of the allowed ranges")
    void partlyOutside() {
      rejected(evaluate(policy().cidrs("192.168.0.0/15")), "OutsideAllowedScope").contains("reaches 192.169.0.0/16,");
    }

    @Test
    @DisplayName("accepts the same range once the offending part is excluded")
    void excludedPartAccepted() {
      GuardDecision.Accepted a = accepted(evaluate(policy().cidrs("192.168.0.0/15").exclude("192.169.0.0/16")));
      assertThat(a.scope().hosts().size()).isEqualTo(65_536);
    }

    @Test
    @DisplayName("rejects cluster addresses outside the allowed ranges too")
    void clusterAddressOutside() {
      rejected(guard.evaluate(policy().build(), "team-a", List.of("10.0.0.1", "34.120.1.2")), "OutsideAllowedScope")
          .contains("34.120.1.2");
    }

    @Test
    @DisplayName("rejects everything under a guard that allows nothing")
    void nothingAllowed() {
      Guard closed = new Guard(everyNamespaceGranted(new GuardConfig(List.of(), null, null, null)));
      rejected(closed.evaluate(policy().build(), "team-a", List.of()), "OutsideAllowedScope").contains("reaches 10.0.0.0/24");
    }
  }

  @Nested
  @DisplayName("excludes always win")
  class ExcludesWin {
    @Test
    @DisplayName("the guard's excludes come out of an accepted scope even when the guard allows everything")
    void guardExcludesEvenWhenAllAllowed() {
      Guard open = new Guard(everyNamespaceGranted(new GuardConfig(List.of("0.0.0.0/0"), null, null, null)));
      GuardDecision.Accepted a = accepted(open.evaluate(policy().cidrs("169.254.0.0/15", "127.0.0.0/7").build(), "team-a", List.of()));
      assertThat(scans(a, "169.254.169.254")).isFalse();
      assertThat(scans(a, "127.0.0.1")).isFalse();
      assertThat(scans(a, "169.255.0.1")).isTrue();
      assertThat(scans(a, "126.0.0.1")).isTrue();
    }

    @Test
    @DisplayName("Alibaba's metadata address is cut out of the shared address range")
    void sharedRangeMetadata() {
      GuardDecision.Accepted a = accepted(evaluate(policy().cidrs("100.64.0.0/10")));
      assertThat(scans(a, "100.100.100.200")).isFalse();
      assertThat(scans(a, "100.100.100.199")).isTrue();
      assertThat(a.scope().hosts().size()).isEqualTo((1L << 22) - 1);
    }

    @Test
    @DisplayName("policy excludes of any shape remove exactly their addresses")
    void policyExcludes() {
      GuardDecision.Accepted a =
          accepted(evaluate(policy().cidrs("10.0.0.0/24").exclude("10.0.0.0/30", "10.0.0.250-10.0.1.9", "10.0.0.128")));
      assertThat(a.scope().hosts().size()).isEqualTo(256 - 4 - 6 - 1);
      assertThat(scans(a, "10.0.0.4")).isTrue();
      assertThat(scans(a, "10.0.0.128")).isFalse();
      assertThat(scans(a, "10.0.0.255")).isFalse();
    }

    @Test
    @DisplayName("the accepted scope records both the policy's and the guard's excludes")
    void excludedRecorded() {
      GuardDecision.Accepted a = accepted(evaluate(policy().exclude("10.0.0.7")));
      assertThat(a.scope().excluded())
          .isEqualTo(Scope.parseList(List.of("10.0.0.7")).union(Scope.parseList(GuardConfig.DEFAULT_EXCLUDED)));
    }
  }

  @Nested
  @DisplayName("cluster addresses")
  class ClusterAddresses {
    @Test
    @DisplayName("join the policy's cidrs in the scope")
    void joinCidrs() {
      GuardDecision.Accepted a =
          accepted(guard.evaluate(policy().cidrs("10.0.0.0/30").build(), "team-a", List.of("10.1.0.5", "10.1.0.6", "10.0.0.1")));
      assertThat(a.scope().hosts().size()).isEqualTo(6);
      assertThat(scans(a, "10.1.0.6")).isTrue();
    }

    @Test
    @DisplayName("make up the whole scope of a selector-only policy")
    void selectorOnly() {
      GuardDecision.Accepted a = accepted(guard.evaluate(policy().selectorOnly().build(), "team-a", List.of("10.244.1.7", "10.244.2.9")));
      assertThat(a.scope().hosts()).isEqualTo(Scope.parseList(List.of("10.244.1.7", "10.244.2.9")));
    }

    @Test
    @DisplayName("are subject to the policy's and the guard's excludes")
    void excluded() {
      GuardDecision.Accepted a =
          accepted(
              guard.evaluate(
                  policy().selectorOnly().exclude("10.244.1.7").build(), "team-a", List.of("10.244.1.7", "10.244.2.9", "127.0.0.1")));
      assertThat(a.scope().hosts()).isEqualTo(Scope.parseList(List.of("10.244.2.9")));
    }
  }

  @Nested
  @DisplayName("the workload of an accepted policy")
  class WorkloadNumbers {
    @Test
    @DisplayName("counts addresses after excludes, ports, probes, and seconds rounded up plus the wait")
    void numbers() {
      GuardDecision.Accepted a =
          accepted(
              evaluate(policy().cidrs("10.0.0.0/24").exclude("10.0.0.0/30").ports("22,80,443").rate(100L).waitSeconds(5)));
      assertThat(a.workload()).isEqualTo(new Workload(252, 3, 756, 8 + 5));
    }

    @Test
    @DisplayName("uses the default rate (1000/s) and wait (3 s) when the policy gives none")
    void defaults() {
      GuardDecision.Accepted a = accepted(evaluate(policy().cidrs("10.0.0.1").ports("80")));
      assertThat(a.workload()).isEqualTo(new Workload(1, 1, 1, 1 + 3));
    }

    @Test
    @DisplayName("does not round up when the rate divides the probes evenly")
    void exactDivision() {
      GuardDecision.Accepted a =
          accepted(evaluate(policy().cidrs("10.0.0.0/24").ports("1-100").rate(256L).waitSeconds(0)));
      assertThat(a.workload()).isEqualTo(new Workload(256, 100, 25_600, 100));
    }

    @Test
    @DisplayName("handles a /8 over all ports without overflow")
    void large() {
      GuardDecision.Accepted a = accepted(evaluate(policy().cidrs("10.0.0.0/8").ports("1-65535").rate(10_000L)));
      long probes = (1L << 24) * 65_535;
      assertThat(a.workload().probes()).isEqualTo(probes);
      assertThat(a.workload().expectedSeconds()).isEqualTo((probes + 9_999) / 10_000 + 3);
    }

    @Test
    @DisplayName("maps to the policy status's workload")
    void toStatus() {
      assertThat(new Workload(252, 3, 756, 13).toStatus()).isEqualTo(new ScanPolicyStatus.Workload(252L, 3L, 756L, 13L));
    }
  }

  @Test
  @DisplayName("keeps the config it was built with")
  void config() {
    GuardConfig c = new GuardConfig(List.of("10.0.0.0/8"), null, 5L, 7L);
    assertThat(new Guard(c).config()).isSameAs(c);
  }

  @Test
  @DisplayName("does not accept a policy whose targets object lists nothing")
  void emptyTargetsObject() {
    ScanPolicySpec spec = policy().targets(new TargetsSpec(List.of(), List.of(), null, null, null)).build();
    rejected(guard.evaluate(spec, "team-a", List.of()), "EmptyScope");
  }

  @Nested
  @DisplayName("tenancy: a namespace reaches its own pods and services, the rest by grant")
  class Tenancy {
    private final Guard ungranted = new Guard(GuardConfig.defaults());
    private final TargetsSpec.Selector ownPods = new TargetsSpec.Selector(null, Map.of("app", "web"));

    private GuardDecision in(Guard g, String namespace, Policies p, String... clusterAddresses) {
      return g.evaluate(p.build(), namespace, List.of(clusterAddresses));
    }

    private Guard granting(NamespaceGrant... grants) {
      return new Guard(GuardConfig.defaults().withNamespaces(List.of(grants)));
    }

    @Test
    @DisplayName("without a grant, its own pods and services are scanned")
    void ownNamespace() {
      GuardDecision.Accepted a = accepted(in(ungranted, "team-a",
          policy().select(new TargetsSpec.Selector("team-a", Map.of()), ownPods), "10.244.1.5", "10.96.0.10"));
      assertThat(scans(a, "10.244.1.5")).isTrue();
      assertThat(scans(a, "10.96.0.10")).isTrue();
    }

    @Test
    @DisplayName("without a grant, CIDRs are refused with what to ask for")
    void cidrsWithoutGrant() {
      rejected(in(ungranted, "team-a", policy().cidrs("10.0.0.0/24")), "CidrsNotGranted")
          .contains("namespace team-a may scan only its own pods and services")
          .contains("guard.namespaces")
          .contains("name: team-a, cidrs: [10.0.0.0/24]");
    }

    @Test
    @DisplayName("a grant's cidrs bound the CIDRs, after excludes")
    void cidrsWithinGrant() {
      Guard g = granting(new NamespaceGrant("team-a", List.of("10.1.0.0/16"), null, null, null));
      accepted(in(g, "team-a", policy().cidrs("10.1.2.0/24")));
      rejected(in(g, "team-a", policy().cidrs("10.1.0.0/15")), "CidrsNotGranted")
          .contains("reaches 10.0.0.0/16").contains("granted to namespace team-a (10.1.0.0/16)");
      // What the policy excludes is not scanned, so it needs no grant.
      accepted(in(g, "team-a", policy().cidrs("10.1.0.0/15").exclude("10.0.0.0/16")));
      // Another namespace's grant is not team-a's.
      rejected(in(g, "team-b", policy().cidrs("10.1.2.0/24")), "CidrsNotGranted");
    }

    @Test
    @DisplayName("outside the allowed ranges the refusal is the guard's, which no grant lifts")
    void outsideGuardFirst() {
      rejected(in(ungranted, "team-a", policy().cidrs("8.8.8.0/24")), "OutsideAllowedScope");
    }

    @Test
    @DisplayName("a grant never widens the guard's allowed ranges")
    void grantInsideGuard() {
      Guard g = granting(new NamespaceGrant("team-a", List.of("0.0.0.0/0"), null, null, null));
      rejected(in(g, "team-a", policy().cidrs("8.8.8.0/24")), "OutsideAllowedScope");
    }

    @Test
    @DisplayName("selecting another namespace needs it in the grant's otherNamespaces")
    void otherNamespace() {
      Policies other = policy().select(null, new TargetsSpec.Selector("team-b", Map.of()));
      rejected(in(ungranted, "team-a", other, "10.244.2.7"), "NamespaceNotGranted")
          .contains("spec.targets.pods.namespace team-b is another namespace")
          .contains("otherNamespaces: [team-b]");
      accepted(in(granting(new NamespaceGrant("team-a", null, List.of("team-b"), null, null)), "team-a", other, "10.244.2.7"));
      rejected(in(granting(new NamespaceGrant("team-a", null, List.of("team-c"), null, null)), "team-a", other, "10.244.2.7"),
          "NamespaceNotGranted");
    }

    @Test
    @DisplayName("\"*\" reaches every namespace and needs a grant for every namespace")
    void everyNamespace() {
      Policies all = policy().select(new TargetsSpec.Selector("*", Map.of()), null);
      rejected(in(ungranted, "team-a", all, "10.96.0.10"), "NamespaceNotGranted")
          .contains("spec.targets.services.namespace \"*\" reaches every namespace");
      rejected(in(granting(new NamespaceGrant("team-a", null, List.of("team-b"), null, null)), "team-a", all, "10.96.0.10"),
          "NamespaceNotGranted");
      accepted(in(granting(new NamespaceGrant("team-a", null, List.of("*"), null, null)), "team-a", all, "10.96.0.10"));
    }

    @Test
    @DisplayName("nodes need nodes: true")
    void nodes() {
      Policies nodes = policy().nodes(Map.of());
      rejected(in(ungranted, "team-a", nodes, "10.0.0.5"), "NodesNotGranted").contains("nodes: true");
      rejected(in(granting(new NamespaceGrant("team-a", null, List.of("*"), false, null)), "team-a", nodes, "10.0.0.5"),
          "NodesNotGranted");
      accepted(in(granting(new NamespaceGrant("team-a", null, null, true, null)), "team-a", nodes, "10.0.0.5"));
    }

    @Test
    @DisplayName("a source pod runs in the policy's own namespace unless the grant reaches another")
    void sourcePod() {
      accepted(in(ungranted, "team-a", policy().select(null, ownPods).sourcePod(null, Map.of("app", "web")), "10.244.1.5"));
      accepted(in(ungranted, "team-a", policy().select(null, ownPods).sourcePod("team-a", Map.of("app", "web")), "10.244.1.5"));
      Policies elsewhere = policy().select(null, ownPods).sourcePod("payments", Map.of("app", "ledger"));
      rejected(in(ungranted, "team-a", elsewhere, "10.244.1.5"), "SourceNamespaceNotGranted")
          .contains("spec.source.pod.namespace payments is another namespace")
          .contains("otherNamespaces: [payments]");
      accepted(in(granting(new NamespaceGrant("team-a", null, List.of("payments"), null, null)), "team-a", elsewhere, "10.244.1.5"));
    }

    @Test
    @DisplayName("a named grant wins over the one for every namespace, and is not merged with it")
    void namedWins() {
      Guard g = granting(
          new NamespaceGrant("*", List.of("10.0.0.0/8"), null, null, null),
          new NamespaceGrant("team-a", List.of("10.1.0.0/16"), null, null, null));
      accepted(in(g, "team-b", policy().cidrs("10.2.0.0/24")));
      rejected(in(g, "team-a", policy().cidrs("10.2.0.0/24")), "CidrsNotGranted");
    }

    @Test
    @DisplayName("a grant's maxRate caps its namespace's policies below the guard's cap")
    void grantRate() {
      Guard g = granting(new NamespaceGrant("team-a", List.of("10.0.0.0/8"), null, null, 500L));
      accepted(in(g, "team-a", policy().rate(500L)));
      rejected(in(g, "team-a", policy().rate(501L)), "RateAboveGrant").contains("500 probes/s granted to the policies of namespace team-a");
      // Above the guard's own cap, the guard's reason: raising the grant would not help.
      Guard loose = granting(new NamespaceGrant("team-a", List.of("10.0.0.0/8"), null, null, 1_000_000L));
      rejected(in(loose, "team-a", policy().rate(20_000L)), "RateAboveGuard");
    }

    @Test
    @DisplayName("portolan run's local guard grants every namespace everything")
    void localDefaults() {
      Guard local = new Guard(GuardConfig.localDefaults());
      accepted(in(local, "default", policy().cidrs("127.0.0.1")));
      accepted(in(local, "team-a", policy().nodes(Map.of()).sourcePod("payments", Map.of()), "10.0.0.5"));
    }
  }
}
