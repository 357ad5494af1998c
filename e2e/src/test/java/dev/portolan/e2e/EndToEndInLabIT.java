package dev.portolan.e2e;

import static dev.portolan.e2e.LabSystem.DB;
import static dev.portolan.e2e.LabSystem.EXCLUDED;
import static dev.portolan.e2e.LabSystem.NODES;
import static dev.portolan.e2e.LabSystem.OUTSIDE;
import static dev.portolan.e2e.LabSystem.REDIS;
import static dev.portolan.e2e.LabSystem.SSH;
import static dev.portolan.e2e.LabSystem.WEB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus.RunSummary;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec;
import dev.portolan.crds.v1alpha1.ScanReportSpec.AuditRecord;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ScopeSnapshot;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ReportSummary;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.scanner.lab.services.Dpkg;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The whole system on one machine, without a cluster's nodes: a ScanPolicy applied from YAML, the
 * operator planning a run over two scanner agents on two "nodes", the agents scanning a lab of real
 * services by raw SYN and validating what they find, and the ScanReports that come out, checked
 * against the lab: every service in scope found, nothing else, each identified with the version its
 * Debian package has, the expectation violation reported, the audit record complete.
 *
 * <p>Topology (drawn in e2e/README.md). This JVM runs inside the lab's targets' namespace NAME-t
 * (e2e/lab/in-lab-jdk/bin/java with PORTOLAN_LAB_SIDE=t and PORTOLAN_LAB_NODES=2, which also
 * deletes the lab afterwards). NAME-t owns all of 198.18.0.0/16, where the services listen, and
 * plays the cluster's network: fabric8's mock API server listens there on every address and the
 * operator runs beside it. Each agent runs in a node namespace NAME-nN of its own, joined to NAME-t
 * by its own veth, and reaches the API server at 198.19.N.1, outside the scanned range.
 *
 * <p>Why this shape:
 *
 * <ul>
 *   <li>The operator and the agents are the jars the build made, started as processes, not objects
 *       in this JVM, and what they run is what the Helm chart renders ({@link LabChart}, with
 *       values-e2e.yaml): the operator Deployment's command and environment, the DaemonSet's
 *       arguments and environment, the guard ConfigMap as its file, through the image's entry
 *       points (docker/bin). Packaging, launchers, the chart's configuration, flag parsing and the
 *       guard are all part of what is tested.
 *   <li>Two node namespaces make the agents two machines with their own addresses and routes: the
 *       operator must split the run into two shards, and each agent's raw SYN probes leave through
 *       its own veth; the shard plan, the status entries and the findings' pages show who did what.
 *   <li>The mock API server has neither server-side apply nor pods: the agents write their status by
 *       JSON merge patch (value {@code scanner.statusPatch: merge}), and on top of the chart the
 *       operator gets a kubeconfig, {@code PORTOLAN_SERVER_SIDE_APPLY=false} and the two nodes'
 *       agents as ready ({@code PORTOLAN_AGENT_NODES}); leader election is off (the mock does not
 *       answer its permission check). The failsafe execution {@code real-api} runs the same test on
 *       the real API server tier ({@link LabKubeApi}): the chart's RBAC applied, each process on its
 *       own service account's token, SSA, leader election, agent pods and Nodes the operator reads.
 *   <li>The API server listens on 0.0.0.0, so in NAME-t it also answers at every 198.18.x.y; its
 *       port is ephemeral (as is the operator's metrics port), above every port the policy lists,
 *       so the scan never meets it.
 *   <li>Two listeners that must never show up, opened by this JVM (it lives where the targets do):
 *       one on an excluded address inside the scope, one on an address outside it.
 * </ul>
 *
 * <p>{@link LabSystem} assembles all this; each process's output is kept in target/e2e/logs and
 * printed when anything fails.
 */
@DisplayName("end to end: a ScanPolicy applied as YAML runs on two agents in a lab and yields ScanReports that match the lab")
class EndToEndInLabIT {
  static final String NS = "scans";
  static final String POLICY = "lab-exposure";
  static final String RUN = "lab-exposure-g1";

  /** What is open in the policy's scope, and so exactly what the run must report. */
  static final Set<String> IN_SCOPE =
      Set.of(WEB + ":80", WEB + ":8443", SSH + ":2222", REDIS + ":6379", DB + ":5432");

  /** Two /24s minus the excluded address, times the policy's seven ports. */
  static final long ADDRESSES = 2 * 256 - 1;
  static final long PROBES = ADDRESSES * 7;

  static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  static LabSystem system;
  static Duration runTime;
  static ScanPolicy policy;
  static ScanReport report;
  static List<ScanReportPage> pages;
  static Map<String, Finding> findings;

  @RegisterExtension static final PrintLogsOnFailure LOGS = new PrintLogsOnFailure();

  @BeforeAll
  static void runThePolicyInTheLab() throws Exception {
    system = LabSystem.start(Path.of(System.getProperty("portolan.e2e.work", "target/e2e")), NS);

    Instant applied = Instant.now();
    HasMetadata created = system.kubectlApply("policy-e2e.yaml");
    assertThat(created.getMetadata().getUid()).as("the policy was created").isNotBlank();
    report = await("the run's main report reaching a final phase")
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              system.requireAllAlive();
              return client().resources(ScanReport.class).inNamespace(NS).withName(RUN).get();
            },
            r -> r != null && r.getStatus() != null && RunPhase.isTerminal(r.getStatus().phase()));
    runTime = Duration.between(applied, Instant.now());
    System.out.println("e2e: " + RUN + " " + report.getStatus().phase() + " " + runTime.toMillis() + " ms after the policy was applied");

    policy = client().resources(ScanPolicy.class).inNamespace(NS).withName(POLICY).get();
    pages = client().resources(ScanReportPage.class).inNamespace(NS).withLabel(ScanReport.RUN_LABEL, RUN).list().getItems()
        .stream().filter(p -> ScanReportPageSpec.FINDINGS.equals(p.getSpec().contents())).sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
    findings = new TreeMap<>();
    for (ScanReportPage p : pages) {
      for (Finding f : p.getSpec().findings()) {
        assertThat(findings.put(f.key(), f)).as("%s reported twice (again in %s)", f.key(), p.getMetadata().getName()).isNull();
      }
    }
  }

  @AfterAll
  static void tearDown() {
    if (system != null) {
      system.close();
    }
  }

  @Test
  @DisplayName("on the real API server: every agent applied its own shard under its own field manager, and the operator held the Lease")
  void realIdentities() {
    org.junit.jupiter.api.Assumptions.assumeTrue(system.realApi(), "the real API server tier's (the mock has no SSA, no leases)");
    ScanReport run = client().resources(ScanReport.class).inNamespace(NS).withName(RUN).get();
    assertThat(run.getMetadata().getManagedFields()).extracting(f -> f.getManager())
        .contains("portolan-agent-" + NODES.get(0), "portolan-agent-" + NODES.get(1));
    assertThat(client().leases().inNamespace(LabSystem.OPERATOR_NS).list().getItems())
        .anySatisfy(l -> assertThat(l.getSpec().getHolderIdentity()).isNotBlank());
  }

  @Test
  @DisplayName("the run succeeds within the time budget, every shard done, the report's condition Complete")
  void runSucceeds() {
    ScanReportStatus s = report.getStatus();
    assertThat(s.phase()).as(s.message()).isEqualTo(RunPhase.Succeeded);
    assertThat(s.conditions()).anySatisfy(c -> {
      assertThat(c.type()).isEqualTo("Complete");
      assertThat(c.status()).isEqualTo("True");
      assertThat(c.reason()).isEqualTo("AllShardsSucceeded");
    });
    assertThat(s.message()).isEqualTo(IN_SCOPE.size() + " open ports, 1 violation.");
    assertThat(s.startTime()).isNotNull();
    assertThat(Instant.parse(s.completionTime())).isAfterOrEqualTo(Instant.parse(s.startTime()));
    assertThat(runTime).as("from apply to a completed report").isLessThan(Duration.ofSeconds(60));
  }

  @Test
  @DisplayName("the operator split the run into two shards, one per node, and each node's agent ran its own")
  void twoAgentsTwoShards() {
    List<ShardAssignment> plan = report.getSpec().shards();
    assertThat(plan).extracting(ShardAssignment::index).containsExactly(0, 1);
    assertThat(plan).extracting(ShardAssignment::node).containsExactlyInAnyOrderElementsOf(NODES);
    assertThat(plan).allSatisfy(a -> assertThat(a.count()).isEqualTo(2));
    assertThat(plan.stream().mapToLong(ShardAssignment::rate).sum()).as("the shards share the policy's rate").isEqualTo(2000);

    Map<String, ShardStatus> progress = report.getStatus().shards();
    assertThat(progress).containsOnlyKeys("0", "1");
    long positions = 0;
    long sent = 0;
    for (ShardAssignment a : plan) {
      ShardStatus s = progress.get(Integer.toString(a.index()));
      assertThat(s.node()).as("shard %d was written by the agent it was assigned to", a.index()).isEqualTo(a.node());
      assertThat(s.phase()).isEqualTo(RunPhase.Succeeded);
      assertThat(s.attempts()).isEqualTo(1);
      assertThat(s.position()).as("shard %d scanned to its end", a.index()).isEqualTo(s.total());
      assertThat(s.probesSent()).as("shard %d sent probes", a.index()).isPositive();
      assertThat(s.filtered()).as("everything in the lab answers").isZero();
      positions += s.total();
      sent += s.probesSent();
      assertThat(processLog("agent-" + a.node())).contains("running shard " + a.index() + "/2 of " + RUN)
          // the chart's --health-address=$(HOST_IP): the endpoints are on the node's own address only
          .containsPattern("health and metrics on 198\\.19\\.[12]\\.2:\\d+")
          // every progress save went through (the saver is stopped between writes, never mid-write)
          .doesNotContain("could not save progress");
    }
    // A shard's positions run over the first pass and the retry pass (retries: 1); the retry pass
    // re-probes only what stayed silent, and in the lab every port answers at once.
    assertThat(positions).as("the shards cover the whole scope, in both passes").isEqualTo(PROBES * 2);
    assertThat(sent).as("every target probed, retries only where silent").isBetween(PROBES, PROBES + PROBES / 100);
  }

  @Test
  @DisplayName("findings are exactly the lab's open ports in scope: none missing, nothing excluded or out of scope")
  void exactlyTheLabsServices() {
    assertThat(findings.keySet()).containsExactlyInAnyOrderElementsOf(IN_SCOPE);
    assertThat(findings.keySet()).doesNotContain(EXCLUDED + ":80", OUTSIDE + ":80");
    assertThat(report.getStatus().findings()).as("few findings: also inline on the main report")
        .extracting(Finding::key).containsExactlyInAnyOrderElementsOf(IN_SCOPE);
    assertThat(report.getStatus().pages()).containsExactlyInAnyOrderElementsOf(pages.stream().map(p -> p.getMetadata().getName()).toList());
  }

  @Test
  @DisplayName("each page holds findings of one shard, made by that shard's agent")
  void pagesBelongToTheirShard() {
    assertThat(pages).isNotEmpty();
    Map<Integer, String> nodeOfShard =
        report.getSpec().shards().stream().collect(Collectors.toMap(ShardAssignment::index, ShardAssignment::node));
    long perShard = 0;
    for (ScanReportPage p : pages) {
      assertThat(p.getSpec().run()).isEqualTo(RUN);
      assertThat(p.getMetadata().getLabels()).containsEntry(ScanReport.CONTENTS_LABEL, ScanReportPageSpec.FINDINGS)
          .containsEntry(ScanReport.POLICY_LABEL, POLICY);
      String node = nodeOfShard.get(p.getSpec().shard());
      assertThat(p.getSpec().findings()).allSatisfy(f -> assertThat(f.node()).isEqualTo(node));
      perShard += p.getSpec().findings().size();
    }
    Map<String, ShardStatus> progress = report.getStatus().shards();
    assertThat(progress.values().stream().mapToLong(ShardStatus::findings).sum()).isEqualTo(perShard).isEqualTo(IN_SCOPE.size());
  }

  @Nested
  @DisplayName("each service is identified, with the version its Debian package has where the protocol discloses it")
  class Identification {
    final String nginx = Dpkg.upstream(Dpkg.version("nginx"));

    @Test
    @DisplayName("nginx over HTTP on 80")
    void nginxHttp() {
      Finding f = identified(WEB + ":80", "http", "nginx", nginx);
      assertThat(f.extraInfo()).contains("status 200", "title Portolan lab");
      assertThat(f.cpe()).contains("cpe:2.3:a:f5:nginx:" + nginx + ":*:*:*:*:*:*:*");
      assertThat(f.tls()).isNull();
    }

    @Test
    @DisplayName("nginx over TLS on 8443, a port nothing hints at, with its self-signed certificate")
    void nginxTls() {
      Finding f = identified(WEB + ":8443", "http", "nginx", nginx);
      assertThat(f.tls()).isNotNull();
      assertThat(f.tls().protocol()).startsWith("TLSv1.");
      assertThat(f.tls().subject()).contains("CN=lab.portolan.test");
      assertThat(f.tls().sans()).contains("DNS:lab.portolan.test", "IP:" + WEB);
      assertThat(f.tls().selfSigned()).isTrue();
      assertThat(f.tls().problems()).contains("self-signed");
    }

    @Test
    @DisplayName("OpenSSH on 2222, with the upstream version and the Debian revision")
    void openssh() {
      String dpkg = Dpkg.version("openssh-server");
      Finding f = identified(SSH + ":2222", "ssh", "OpenSSH", Dpkg.upstream(dpkg));
      assertThat(f.extraInfo()).contains("protocol 2.0", "Debian " + Dpkg.revision(dpkg));
    }

    @Test
    @DisplayName("Redis with its version")
    void redis() {
      identified(REDIS + ":6379", "redis", "Redis key-value store", Dpkg.upstream(Dpkg.version("redis-server")));
    }

    @Test
    @DisplayName("PostgreSQL, its version left empty because it hides it before authentication, with a note saying so")
    void postgresql() {
      Dpkg.version("postgresql"); // installed, whatever its version
      Finding f = identified(DB + ":5432", "postgresql", "PostgreSQL DB", null);
      assertThat(f.extraInfo()).contains("does not disclose its version");
    }

    @Test
    @DisplayName("every finding carries its evidence, when and where it was made, and an OS hint from the SYN-ACK")
    void evidence() {
      assertThat(findings.values()).allSatisfy(f -> {
        assertThat(f.evidence()).isNotBlank().hasSizeLessThanOrEqualTo(512);
        assertThat(f.node()).isIn(NODES);
        assertThat(Instant.parse(f.time())).isAfter(Instant.parse(report.getSpec().audit().createdAt()));
        assertThat(f.os()).startsWith("Linux");
      });
    }

    Finding identified(String endpoint, String service, String product, String version) {
      Finding f = findings.get(endpoint);
      assertThat(f).as("finding for %s among %s", endpoint, findings.keySet()).isNotNull();
      assertThat(f.service()).as("service in %s", f).isEqualTo(service);
      assertThat(f.product()).as("product in %s", f).isEqualTo(product);
      assertThat(f.version()).as("version in %s", f).isEqualTo(version);
      assertThat(Integer.parseInt(f.confidence())).as("confidence in %s", f).isGreaterThanOrEqualTo(8);
      return f;
    }
  }

  @Test
  @DisplayName("the summary agrees with the findings and with the shards' counts")
  void summary() {
    ReportSummary s = report.getStatus().summary();
    Map<String, ShardStatus> shards = report.getStatus().shards();
    assertThat(s.targets()).isEqualTo(PROBES);
    assertThat(s.open()).isEqualTo(IN_SCOPE.size());
    assertThat(s.hosts()).isEqualTo(IN_SCOPE.stream().map(e -> e.substring(0, e.indexOf(':'))).distinct().count());
    assertThat(s.byService()).isEqualTo(Map.of("http", 2L, "ssh", 1L, "redis", 1L, "postgresql", 1L));
    assertThat(s.violations()).isEqualTo(1);
    assertThat(s.newExposures()).as("no earlier run: everything is new").isEqualTo(IN_SCOPE.size());
    assertThat(s.closedExposures()).isZero();
    assertThat(s.probesSent()).isEqualTo(shards.values().stream().mapToLong(ShardStatus::probesSent).sum()).isGreaterThanOrEqualTo(PROBES);
    assertThat(s.closed()).as("every other probe met a closed port").isEqualTo(PROBES - IN_SCOPE.size());
    assertThat(s.filtered()).isZero();
    assertThat(s.durationSeconds()).isPositive();
    assertThat(s.rate()).isPositive();
  }

  @Test
  @DisplayName("Redis, open where no expectation allows it, is the one violation, and a Warning Event on the policy says so")
  void violation() {
    assertThat(report.getStatus().violations()).singleElement().satisfies(v -> {
      assertThat(v.ip()).isEqualTo(REDIS);
      assertThat(v.port()).isEqualTo(6379);
      assertThat(v.service()).isEqualTo("redis");
      assertThat(v.reason()).startsWith(REDIS + " port 6379 (redis) is open and no expectation allows it; the nearest, rule 1")
          .contains("it allows port 80,8443, not 6379");
    });
    List<Event> events = await("the run's Events on the policy").atMost(Duration.ofSeconds(30))
        .until(EndToEndInLabIT::policyEvents, e -> e.stream().anyMatch(x -> "ExpectationViolated".equals(x.getReason())));
    assertThat(events).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("ExpectationViolated");
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).contains(REDIS + ":6379 (redis)");
    });
    assertThat(events).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("RunCompleted");
      assertThat(e.getType()).isEqualTo("Normal");
      assertThat(e.getMessage()).startsWith("Run " + RUN + " Succeeded").contains(IN_SCOPE.size() + " open ports, 1 violation");
    });
  }

  @Test
  @DisplayName("the audit record says why, who asked, under which approval, spec and guard, with which engine")
  void audit() {
    AuditRecord a = report.getSpec().audit();
    assertThat(a.purpose()).isEqualTo(policy.getSpec().purpose()).startsWith("End-to-end test");
    assertThat(a.requestedBy()).isEqualTo("portolan-e2e");
    assertThat(a.approval()).startsWith("E2E-1");
    assertThat(a.policyGeneration()).isEqualTo(policy.getMetadata().getGeneration());
    assertThat(a.policySpecHash()).startsWith("sha256:");
    assertThat(a.trigger()).isNotBlank();
    assertThat(a.guard().allowedCidrs()).containsExactly("198.18.0.0/15");
    assertThat(a.guard().maxRatePerNode()).isEqualTo(5000);
    assertThat(a.engineVersion()).isNotBlank().isNotEqualTo("unknown");
    assertThat(a.createdBy()).isNotBlank();
    assertThat(Instant.parse(a.createdAt())).isBefore(Instant.parse(report.getStatus().startTime()));
  }

  @Test
  @DisplayName("the frozen scope: the policy's targets minus its and the guard's excludes, ports, seed, rate, validation, expectations, discovery")
  void scope() {
    ScopeSnapshot s = report.getSpec().scope();
    assertThat(s.addresses()).isEqualTo(ADDRESSES);
    assertThat(s.probes()).isEqualTo(PROBES);
    assertThat(String.join(",", s.exclude())).contains(EXCLUDED);
    assertThat(s.ports()).isEqualTo("22,80,443,2222,5432,6379,8443");
    assertThat(s.seed()).isNotNull();
    assertThat(s.rate()).isEqualTo(2000);
    assertThat(s.retries()).isEqualTo(1);
    assertThat(s.waitSeconds()).isEqualTo(1);
    assertThat(s.validation().enabled()).isTrue();
    assertThat(s.expectations().allowed()).hasSize(3);
    assertThat(s.discovery()).as("addresses, not Service cluster IPs: raw SYN probes").isEqualTo(ScopeSnapshot.SYN);
    assertThat(report.getMetadata().getLabels()).containsEntry(ScanReport.POLICY_LABEL, POLICY).containsEntry(ScanReport.RUN_LABEL, RUN);
  }

  @Test
  @DisplayName("the policy's status records the run it last completed")
  void policyStatus() {
    RunSummary last = await("the policy's status naming the run").atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ScanPolicy p = client().resources(ScanPolicy.class).inNamespace(NS).withName(POLICY).get();
              return p.getStatus() == null ? null : p.getStatus().lastRun();
            },
            r -> r != null && RUN.equals(r.report()));
    assertThat(last.phase()).isEqualTo(RunPhase.Succeeded);
    assertThat(last.open()).isEqualTo(IN_SCOPE.size());
    assertThat(last.violations()).isEqualTo(1);
  }

  static KubernetesClient client() {
    return system.client();
  }

  static String processLog(String name) {
    return system.processLog(name);
  }

  static List<Event> policyEvents() {
    return client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> POLICY.equals(e.getInvolvedObject().getName()) && "ScanPolicy".equals(e.getInvolvedObject().getKind()))
        .toList();
  }

  /**
   * Prints each process's log when anything fails (setting up the lab or a test), once: a failure
   * in CI is read from the build's output.
   */
  static final class PrintLogsOnFailure implements TestWatcher, LifecycleMethodExecutionExceptionHandler {
    private final AtomicBoolean printed = new AtomicBoolean();

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      print();
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
      print();
      throw throwable;
    }

    private void print() {
      if (printed.getAndSet(true)) {
        return;
      }
      if (system != null) {
        system.printLogs();
      }
      Set<String> found = findings == null ? Set.of() : new TreeSet<>(findings.keySet());
      System.err.println("===== findings in pages: " + found);
      if (report != null) {
        System.err.println("===== " + RUN + " status: " + report.getStatus());
      }
    }
  }
}
