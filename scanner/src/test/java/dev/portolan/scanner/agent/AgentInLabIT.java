package dev.portolan.scanner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portolan.control.aggregate.ReportAggregator;
import dev.portolan.control.guard.Guard;
import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.guard.NamespaceGrant;
import dev.portolan.control.guard.GuardDecision;
import dev.portolan.control.run.RunSpecs;
import dev.portolan.control.run.ShardPlanner;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.crds.v1alpha1.TargetsSpec;
import dev.portolan.crds.v1alpha1.ValidationSpec;
import dev.portolan.scanner.engine.ConnectScanner;
import dev.portolan.scanner.engine.PathResolver;
import dev.portolan.scanner.engine.ScannerFactory;
import dev.portolan.scanner.lab.Lab;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent against fabric8's mock API server (CRUD mode, CRDs loaded so the status subresource
 * works), scanning a lab for real: this whole JVM runs inside the lab's scanner namespace
 * (e2e/lab/in-lab-jdk/bin/java), so the agent's raw sockets see the targets through the veth while the
 * mock server listens on the namespace's loopback. Status writes use JSON merge patches of the
 * agent's own shard key (the mock has no server-side apply). The failsafe execution
 * in-lab-real-api runs the same tests against the real API server tier (started inside the lab),
 * with server-side apply: a kill and resume, a deleted run, two agents at once, on real storage.
 */
@EnableKubernetesMockClient(crud = true)
@DisplayName("scanner agent, in a lab, against the mock API server")
class AgentInLabIT {
  static KubernetesClient client;
  static Lab lab;
  static final Set<String> OPEN = new TreeSet<>();
  static final String NS = "scans";

  /** The real API server tier instead of the mock (failsafe execution in-lab-real-api). */
  static final boolean REAL_API = "kubeapi".equals(System.getProperty("portolan.it.tier"));
  static dev.portolan.testkit.KubeApi kube;

  @BeforeAll
  static void labAndCrds() throws Exception {
    if (REAL_API) {
      // Started from inside the lab: the server listens on the scanner namespace's loopback.
      kube = dev.portolan.testkit.KubeApi.start();
      client = kube.admin();
      kube.applyCrds("/META-INF/fabric8/scanpolicies.portolan.dev-v1.yml", "/META-INF/fabric8/scanreports.portolan.dev-v1.yml",
          "/META-INF/fabric8/scanreportpages.portolan.dev-v1.yml");
      kube.createNamespace(NS);
    }
    lab = Lab.current();
    for (int i = 0; i < 24; i++) {
      OPEN.add("198.18." + (i % 8) + "." + (i * 7 + 1) + ":" + (i % 3 == 0 ? 22 : 8080));
    }
    lab.listen(OPEN.toArray(String[]::new));
    for (String crd : REAL_API ? List.<String>of() : List.of("scanpolicies.portolan.dev-v1.yml", "scanreports.portolan.dev-v1.yml")) {
      try (InputStream in = ScanReport.class.getResourceAsStream("/META-INF/fabric8/" + crd)) {
        client.apiextensions().v1().customResourceDefinitions()
            .resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
      }
    }
  }

  @AfterAll
  static void close() {
    if (lab != null) {
      lab.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  static ScanReport newRun(String run, List<String> nodes, long rate) {
    ScanPolicy policy = new ScanPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("lab").withNamespace(NS).withGeneration(1L).build());
    policy.setSpec(new ScanPolicySpec(
        "agent test in the lab", "tests", null, new TargetsSpec(List.of("198.18.0.0/21"), null, null, null, null),
        "22,8080", rate, 1, 1, null, null, null, null, new ValidationSpec(false, null, null), null, null, null, null, null));
    GuardConfig guard = GuardConfig.defaults().withNamespaces(List.of(NamespaceGrant.everything(GuardConfig.DEFAULT_ALLOWED)));
    GuardDecision.Accepted accepted = (GuardDecision.Accepted) new Guard(guard).evaluate(policy.getSpec(), NS, List.of());
    List<ShardAssignment> shards = ShardPlanner.plan(nodes, rate, null, guard.maxRatePerNode());
    ScanReport report = RunSpecs.mainReport(policy, run, accepted, guard, shards, 42, new RunSpecs.Trigger("test", "test", "test"), Instant.now());
    return client.resource(report).create();
  }

  static AgentServer agent(String node) throws Exception {
    return agent(node, m -> {});
  }

  static AgentServer agent(String node, java.util.function.Consumer<String> log) throws Exception {
    return agent(node, log, false);
  }

  /** {@code connect}: the agent as the chart's scanner.mode connect runs it (agent --connect). */
  static AgentServer agent(String node, java.util.function.Consumer<String> log, boolean connect) throws Exception {
    return agent(client, node, log, connect);
  }

  static AgentServer agent(KubernetesClient api, String node, java.util.function.Consumer<String> log, boolean connect) throws Exception {
    ScannerFactory.Options engine = new ScannerFactory.Options(PathResolver.Overrides.none(), Optional.empty(), connect, ConnectScanner.DEFAULT_CONCURRENCY);
    // Two namespaces, as the chart passes the operator's: one informer each.
    return AgentServer.start(api, new Agent.Config(node, "elsewhere, " + NS,
        REAL_API ? Agent.StatusPatch.APPLY : Agent.StatusPatch.MERGE, engine, Duration.ofMillis(500)), 0, log);
  }

  static ScanReport get(String run) {
    return client.resources(ScanReport.class).inNamespace(NS).withName(run).get();
  }

  static Map<String, ShardStatus> shards(String run) {
    ScanReport r = get(run);
    return r.getStatus() == null || r.getStatus().shards() == null ? Map.of() : r.getStatus().shards();
  }

  static List<ScanReportPage> pages(String run) {
    return client.resources(ScanReportPage.class).inNamespace(NS).withLabel(ScanReport.RUN_LABEL, run).list().getItems();
  }

  static ScanReportStatus aggregate(String run) {
    return ReportAggregator.aggregate(get(run), shards(run), pages(run), Optional.empty(), Instant.now());
  }

  static Set<String> found(String run) {
    return pages(run).stream().flatMap(p -> p.getSpec().findings().stream()).map(Finding::key).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  @DisplayName("two agents scan their shards at once, each writing only its own entry, and together find every open port")
  void twoAgentsTwoShards() throws Exception {
    newRun("two-agents", List.of("node-a", "node-b"), 4000);

    AgentServer a = agent("node-a");
    AgentServer b = agent("node-b");
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> shards("two-agents").values().stream()
          .filter(s -> RunPhase.Succeeded.equals(s.phase())).count() == 2);
    } finally {
      a.close();
      b.close();
    }

    Map<String, ShardStatus> shards = shards("two-agents");
    assertThat(shards).containsOnlyKeys("0", "1");
    assertThat(shards.get("0").node()).isEqualTo("node-a");
    assertThat(shards.get("1").node()).isEqualTo("node-b");
    assertThat(shards.values()).allSatisfy(s -> assertThat(s.position()).isEqualTo(s.total()));
    assertThat(found("two-agents")).isEqualTo(OPEN);
    ScanReportStatus status = aggregate("two-agents");
    assertThat(status.phase()).isEqualTo(RunPhase.Succeeded);
    assertThat(status.summary().open()).isEqualTo(OPEN.size());
    assertThat(status.summary().probesSent()).isGreaterThanOrEqualTo(2048L * 2);
  }

  @Test
  @DisplayName("an agent in connect mode (no raw sockets, as under Pod Security restricted) finds the same open ports and says how")
  void connectMode() throws Exception {
    newRun("connect-mode", List.of("node-a"), 4000);
    AgentServer a = agent("node-a", m -> {}, true);
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> shards("connect-mode").values().stream()
          .anyMatch(s -> RunPhase.Succeeded.equals(s.phase())));
    } finally {
      a.close();
    }
    ShardStatus shard = shards("connect-mode").get("0");
    assertThat(shard.discovery()).isEqualTo("Connect");
    assertThat(shard.position()).isEqualTo(shard.total());
    assertThat(found("connect-mode")).isEqualTo(OPEN);
  }

  @Test
  @DisplayName("an agent restarted mid-shard resumes from its saved position: nothing skipped, nothing lost, nothing twice")
  void restartResumes() throws Exception {
    newRun("restart", List.of("node-a"), 800);

    List<String> firstLog = new java.util.concurrent.CopyOnWriteArrayList<>();
    AgentServer first = agent("node-a", firstLog::add);
    Instant stopping;
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        ShardStatus s = shards("restart").get("0");
        return s != null && s.position() != null && s.position() > 600;
      });
    } finally {
      stopping = Instant.now();
      first.close();
    }
    ShardStatus saved = shards("restart").get("0");
    assertThat(saved.phase()).isEqualTo(RunPhase.Running);
    assertThat(saved.position()).isPositive().isLessThan(saved.total());
    // A graceful stop saves the last stretch (its final save is not interrupted) and fails nothing.
    assertThat(Instant.parse(saved.updateTime())).as("the final save happened at the stop").isAfterOrEqualTo(stopping);
    assertThat(firstLog).noneMatch(l -> l.contains("failed") || l.contains("could not save"));

    AgentServer second = agent("node-a");
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> RunPhase.Succeeded.equals(shards("restart").get("0").phase()));
    } finally {
      second.close();
    }

    ShardStatus done = shards("restart").get("0");
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.position()).isEqualTo(done.total());
    assertThat(found("restart")).isEqualTo(OPEN);
    ScanReportStatus status = aggregate("restart");
    assertThat(status.summary().open()).isEqualTo(OPEN.size());
    long findingsInPages = pages("restart").stream().mapToLong(p -> p.getSpec().findings().size()).sum();
    assertThat(findingsInPages).as("a finding reported twice in pages is deduplicated by the aggregator").isGreaterThanOrEqualTo(OPEN.size());
    // Every target of the lab answers (an open port, or the kernel's reset): the counts across the
    // restart add up to the targets, none counted twice for the stretch probed again after it.
    long targets = done.total() / 2; // two passes (retries 1) over every target
    assertThat(done.closed()).as("closed ports across the restart (open: %s)", OPEN.size()).isEqualTo(targets - OPEN.size());
    assertThat(done.probesSent()).as("probes sent across the restart").isBetween(targets, 2 * targets);
  }

  @ParameterizedTest(name = "connect: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("an agent killed mid-shard (its last save a periodic one) resumes without counting any target twice")
  void killedResumes(boolean connect) throws Exception {
    String run = connect ? "killed-connect" : "killed";
    newRun(run, List.of("node-a"), 800);
    // Its own connection to the API server: cut, it is the process dying with nothing more saved.
    KubernetesClient doomed = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
    AgentServer first = agent(doomed, "node-a", m -> {}, connect);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        ShardStatus s = shards(run).get("0");
        return s != null && s.position() != null && s.position() > 2000;
      });
    } finally {
      doomed.close();
      first.close();
    }
    ShardStatus saved = shards(run).get("0");
    assertThat(saved.phase()).isEqualTo(RunPhase.Running);
    assertThat(saved.position()).isLessThan(saved.total());

    AgentServer second = agent("node-a", m -> {}, connect);
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> RunPhase.Succeeded.equals(shards(run).get("0").phase()));
    } finally {
      second.close();
    }
    ShardStatus done = shards(run).get("0");
    assertThat(found(run)).isEqualTo(OPEN);
    long targets = done.total() / 2; // two passes (retries 1) over every target
    assertThat(done.closed()).as("closed ports across the kill (open: %s; saved at %s of %s)", OPEN.size(), saved.position(), saved.total())
        .isEqualTo(targets - OPEN.size());
    assertThat(done.probesSent()).as("probes sent across the kill").isBetween(targets, 2 * targets);
  }

  @Test
  @DisplayName("a run deleted mid-shard stops its shard, and the agent writes nothing more for it (no failed writes)")
  void deletedMidShard() throws Exception {
    newRun("deleted", List.of("node-a"), 400);
    List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    AgentServer agent = agent("node-a", log::add);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        ShardStatus s = shards("deleted").get("0");
        return s != null && s.position() != null && s.position() > 100;
      });
      client.resources(ScanReport.class).inNamespace(NS).withName("deleted").delete();
      await().atMost(Duration.ofSeconds(10)).until(() -> log.stream().anyMatch(l -> l.contains("deleted was deleted")));
      int pagesAtDeletion = pages("deleted").size();
      // Three progress intervals: a save would have been tried by now, and would fail on the missing report.
      Thread.sleep(1_500);
      assertThat(log).noneMatch(l -> l.contains("failed") || l.contains("could not save"));
      assertThat(pages("deleted")).as("no page written after the deletion").hasSize(pagesAtDeletion);
      assertThat(get("deleted")).isNull();
    } finally {
      agent.close();
    }
    assertThat(log).noneMatch(l -> l.contains("failed"));
  }

  @Test
  @DisplayName("an agent watches only runs labelled with its node: an unlabelled run waits until the operator labels it")
  void watchesOnlyItsNodesRuns() throws Exception {
    ScanReport run = newRun("labelled", List.of("node-a"), 2000);
    String label = dev.portolan.control.run.RunNames.nodeLabel("node-a");
    assertThat(run.getMetadata().getLabels()).containsKey(label);
    // As a run planned before agents watched by label would be.
    client.resources(ScanReport.class).inNamespace(NS).withName("labelled").edit(r -> {
      r.getMetadata().getLabels().remove(label);
      return r;
    });
    AgentServer agent = agent("node-a");
    try {
      Thread.sleep(2_000);
      assertThat(shards("labelled")).as("the agent never saw the unlabelled run").isEmpty();
      client.resources(ScanReport.class).inNamespace(NS).withName("labelled").edit(r -> {
        r.getMetadata().getLabels().put(label, dev.portolan.control.run.RunNames.NODE_LABEL_VALUE);
        return r;
      });
      await().atMost(Duration.ofSeconds(60)).until(() ->
          Optional.ofNullable(shards("labelled").get("0")).map(ShardStatus::phase).orElse(null) == RunPhase.Succeeded);
    } finally {
      agent.close();
    }
  }
}
