package dev.portolan.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.control.run.RunNames;
import dev.portolan.control.run.RunSpecs;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.testkit.KubeApi;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The chart's admission policies and RBAC, applied to a real API server that enforces both, with
 * requests made as the agents and source pods would make them. Their bound tokens name their node
 * and pod (user extras); this server's tokens do not, so the admin client impersonates the service
 * account with those extras: exactly the user a cluster's authenticator gives such a request, which
 * RBAC and admission then judge. Status and pages are written as {@code Agent} writes them.
 */
@DisplayName("agents and source pods confined to their own shards (admission policy and RBAC on a real API server)")
class AdmissionPolicyIT {
  private static final String NODE_NAME = "authentication.kubernetes.io/node-name";
  private static final String POD_NAME = "authentication.kubernetes.io/pod-name";
  private static final String TEAM = "team";
  private static final String OTHER = "other";
  private static final String SCANNER = "system:serviceaccount:" + RenderedChart.NAMESPACE + ":scan-portolan-scanner";
  private static final String OPERATOR = "system:serviceaccount:" + RenderedChart.NAMESPACE + ":scan-portolan-operator";
  private static final String POLICY = "ValidatingAdmissionPolicy 'scan-portolan-agent-";
  private static final ObjectMapper JSON = new ObjectMapper().setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  static KubeApi api;
  static final List<KubernetesClient> clients = new ArrayList<>();

  @BeforeAll
  static void install() throws IOException {
    api = KubeApi.start();
    for (String ns : List.of(RenderedChart.NAMESPACE, TEAM, OTHER)) {
      api.createNamespace(ns);
    }
    try (Stream<Path> crds = Files.list(RenderedChart.CHART.resolve("crds"))) {
      for (Path file : crds.sorted().toList()) {
        api.applyCrd(api.admin().getKubernetesSerialization().unmarshal(Files.readString(file), CustomResourceDefinition.class));
      }
    }
    RenderedChart chart = RenderedChart.render(RenderedChart.values(
        "scanner.admissionPolicy.enabled", true, "sourcePods.enabled", true, "sourcePods.namespaces", List.of(TEAM, OTHER)));
    for (Class<? extends HasMetadata> kind : List.of(ServiceAccount.class, ClusterRole.class, ClusterRoleBinding.class, Role.class,
        RoleBinding.class, ValidatingAdmissionPolicy.class, ValidatingAdmissionPolicyBinding.class)) {
      for (HasMetadata o : chart.all(kind)) {
        api.admin().resource(o).fieldManager("helm").forceConflicts().serverSideApply();
      }
    }
    assertThat(chart.all(ValidatingAdmissionPolicy.class)).as("the chart's policies").hasSize(2);

    run(TEAM, "web-g1", Map.of(), shard(0, "node-a"), shard(1, "node-b"));
    run(TEAM, "db-g1", Map.of(), shard(0, "node-b"));
    run(TEAM, "from-shop-g1", Map.of("portolan.dev/source-pod", TEAM + "/from-shop-g1-source"), shard(0, "from-shop-g1-source"));
    run(TEAM, "from-cart-g1", Map.of("portolan.dev/source-pod", TEAM + "/from-cart-g1-source"), shard(0, "from-cart-g1-source"));
    run(OTHER, "web-g1", Map.of(), shard(0, "node-a"));
    // The policies take effect once the API server's admission plugin has read them.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(denial(() -> mergeStatus(agent("node-a"), TEAM, "web-g1", Map.of("phase", "Succeeded")))).contains(POLICY));
  }

  @AfterAll
  static void stop() {
    clients.forEach(KubernetesClient::close);
    if (api != null) {
      api.close();
    }
  }

  @Nested
  @DisplayName("a scanner agent writing a run's status")
  class AgentStatus {
    @Test
    @DisplayName("may write its own node's shard, by server-side apply and by merge patch")
    void ownShard() {
      applyShard(agent("node-a"), TEAM, "web-g1", 0, progress("node-a", RunPhase.Running, 10));
      assertThat(shardOf(TEAM, "web-g1", 0).position()).isEqualTo(10);
      mergeShard(agent("node-a"), TEAM, "web-g1", 0, progress("node-a", RunPhase.Running, 20));
      assertThat(shardOf(TEAM, "web-g1", 0).position()).isEqualTo(20);
      applyShard(agent("node-b"), TEAM, "web-g1", 1, progress("node-b", RunPhase.Succeeded, 30));
      assertThat(shardOf(TEAM, "web-g1", 1).phase()).isEqualTo(RunPhase.Succeeded);
      assertThat(report(TEAM, "web-g1").getStatus().phase()).as("the operator's fields stay").isEqualTo(RunPhase.Running);
    }

    @Test
    @DisplayName("may not write another node's shard")
    void otherShard() {
      assertThat(denial(() -> applyShard(agent("node-a"), TEAM, "web-g1", 1, progress("node-a", RunPhase.Failed, 0))))
          .contains("the scanner agent on node node-a may write only the status of its own shards of run web-g1"
              + " (status.shards 0); it changed status.shards 1");
      assertThat(denial(() -> mergeShard(agent("node-a"), TEAM, "db-g1", 0, progress("node-a", RunPhase.Running, 1))))
          .contains("of run db-g1 (it has none); it changed status.shards 0");
    }

    @Test
    @DisplayName("must name its own node in what it writes")
    void namesItsNode() {
      assertThat(denial(() -> mergeShard(agent("node-a"), TEAM, "web-g1", 0, progress("node-b", RunPhase.Running, 1))))
          .contains("the scanner agent on node node-a must name itself (node: node-a) in the status.shards entries it writes of run web-g1");
    }

    @Test
    @DisplayName("may not change the run's phase, summary or anything else of the operator's")
    void operatorsFields() {
      assertThat(denial(() -> mergeStatus(agent("node-a"), TEAM, "web-g1", Map.of("phase", "Succeeded"))))
          .contains("the scanner agent on node node-a may change only its own shards' entries of status.shards, not status.phase"
              + " of run web-g1 (the operator's)");
      assertThat(denial(() -> mergeStatus(agent("node-a"), TEAM, "web-g1", Map.of("summary", Map.of("open", 0)))))
          .contains("not status.summary of run web-g1");
      Map<String, Object> both = new LinkedHashMap<>();
      both.put("shards", Map.of("0", progress("node-a", RunPhase.Running, 5)));
      both.put("message", "all done");
      assertThat(denial(() -> mergeStatus(agent("node-a"), TEAM, "web-g1", both))).contains("not status.message of run web-g1");
      assertThat(report(TEAM, "web-g1").getStatus().phase()).isEqualTo(RunPhase.Running);
    }

    @Test
    @DisplayName("is denied without the node its token names, with what the cluster needs")
    void withoutNode() {
      assertThat(denial(() -> applyShard(as(SCANNER, Map.of()), TEAM, "web-g1", 0, progress("node-a", RunPhase.Running, 1))))
          .contains(SCANNER + " is denied: its request carries no authentication.kubernetes.io/node-name user extra")
          .contains("bound service-account tokens with node info (Kubernetes 1.30 or later");
    }

    @Test
    @DisplayName("may not write a Pod-sourced run, even a shard named like its node")
    void podSourcedRun() {
      assertThat(denial(() -> mergeShard(agent("from-shop-g1-source"), TEAM, "from-shop-g1", 0,
              progress("from-shop-g1-source", RunPhase.Running, 1))))
          .contains("run from-shop-g1 is Pod-sourced: only its source pod team/from-shop-g1-source writes its status,"
              + " not the scanner agent on node from-shop-g1-source");
    }

    @Test
    @DisplayName("the operator is not confined: it writes the run's phase")
    void operatorIsNot() {
      mergeStatus(as(OPERATOR, Map.of()), TEAM, "db-g1", Map.of("message", "reconciled"));
      assertThat(report(TEAM, "db-g1").getStatus().message()).isEqualTo("reconciled");
    }
  }

  @Nested
  @DisplayName("a scanner agent writing result pages")
  class AgentPages {
    @Test
    @DisplayName("may create and rewrite pages of its own shard")
    void ownShard() {
      KubernetesClient agent = agent("node-a");
      ScanReportPage page = RunSpecs.page(report(TEAM, "web-g1"), 0, 1, List.of(finding("node-a")));
      agent.resource(page).createOr(NonDeletingOperation::update);
      agent.resource(RunSpecs.page(report(TEAM, "web-g1"), 0, 1, List.of(finding("node-a"), finding("node-a"))))
          .createOr(NonDeletingOperation::update);
      assertThat(api.admin().resources(ScanReportPage.class).inNamespace(TEAM).withName("web-g1-s0-p1").get().getSpec().count())
          .isEqualTo(2);
    }

    @Test
    @DisplayName("may not write a page of a run without a shard on its node, nor of another node's shard")
    void otherShards() {
      assertThat(denial(() -> agent("node-a").resource(RunSpecs.page(report(TEAM, "db-g1"), 0, 1, List.of(finding("node-a")))).create()))
          .contains("the scanner agent on node node-a may write pages only for its own shards: run db-g1 assigns no shard 0 to node-a");
      assertThat(denial(() -> agent("node-a").resource(RunSpecs.page(report(TEAM, "web-g1"), 1, 1, List.of(finding("node-a")))).create()))
          .contains("run web-g1 assigns no shard 1 to node-a");
      assertThat(denial(() -> agent("node-b").resource(RunSpecs.page(report(TEAM, "web-g1"), 0, 1, List.of(finding("node-b"))))
              .createOr(NonDeletingOperation::update)))
          .as("a page another node wrote is not rewritten").contains("run web-g1 assigns no shard 0 to node-b");
    }

    @Test
    @DisplayName("may not disguise a page: another run's label, the run's index, another owner, another node's findings")
    void disguises() {
      ScanReport web = report(TEAM, "web-g1");
      ScanReportPage relabelled = RunSpecs.page(web, 0, 2, List.of(finding("node-a")));
      relabelled.getMetadata().getLabels().put(ScanReport.RUN_LABEL, "db-g1");
      assertThat(denial(() -> agent("node-a").resource(relabelled).create()))
          .contains("may write only Findings pages named <run>-s<shard>-p<page> after their spec, labelled portolan.dev/run: <run>");
      ScanReportPage index = RunSpecs.indexPage(web, 9, List.of());
      assertThat(denial(() -> agent("node-a").resource(index).create())).contains("web-g1-t9 is not one");
      ScanReportPage foreignOwner = RunSpecs.page(web, 0, 3, List.of(finding("node-a")));
      foreignOwner.getMetadata().getOwnerReferences().getFirst().setUid("00000000-0000-0000-0000-000000000000");
      assertThat(denial(() -> agent("node-a").resource(foreignOwner).create()))
          .contains("page web-g1-s0-p3 must be owned by run web-g1 (uid " + web.getMetadata().getUid() + ")");
      ScanReportPage unowned = RunSpecs.page(web, 0, 4, List.of(finding("node-a")));
      unowned.getMetadata().setOwnerReferences(null);
      assertThat(denial(() -> agent("node-a").resource(unowned).create()))
          .contains("page web-g1-s0-p4 must be owned by its run (an ownerReference to ScanReport web-g1)");
      assertThat(denial(() -> agent("node-a").resource(RunSpecs.page(web, 0, 5, List.of(finding("node-b")))).create()))
          .contains("every finding the scanner agent on node node-a writes must name it (node: node-a); page web-g1-s0-p5");
    }

    @Test
    @DisplayName("is denied without the node its token names")
    void withoutNode() {
      assertThat(denial(() -> as(SCANNER, Map.of()).resource(RunSpecs.page(report(TEAM, "web-g1"), 0, 6, List.of(finding("node-a"))))
              .create()))
          .contains("no authentication.kubernetes.io/node-name user extra").contains("Kubernetes 1.30 or later");
    }
  }

  @Nested
  @DisplayName("a source pod")
  class SourcePod {
    @Test
    @DisplayName("writes its own run's shard and pages")
    void ownRun() {
      KubernetesClient pod = sourcePod(TEAM, "from-shop-g1-source");
      applyShard(pod, TEAM, "from-shop-g1", 0, progress("from-shop-g1-source", RunPhase.Running, 7));
      mergeShard(pod, TEAM, "from-shop-g1", 0, progress("from-shop-g1-source", RunPhase.Running, 8));
      assertThat(shardOf(TEAM, "from-shop-g1", 0).position()).isEqualTo(8);
      pod.resource(RunSpecs.page(report(TEAM, "from-shop-g1"), 0, 1, List.of(finding("from-shop-g1-source"))))
          .createOr(NonDeletingOperation::update);
    }

    @Test
    @DisplayName("may not write another run, not even one whose shard bears its name")
    void otherRuns() {
      KubernetesClient pod = sourcePod(TEAM, "from-shop-g1-source");
      assertThat(denial(() -> mergeShard(pod, TEAM, "from-cart-g1", 0, progress("from-shop-g1-source", RunPhase.Running, 1))))
          .contains("source pod team/from-shop-g1-source may write only its own run; run from-cart-g1 is source pod"
              + " team/from-cart-g1-source's");
      assertThat(denial(() -> mergeShard(pod, TEAM, "web-g1", 0, progress("from-shop-g1-source", RunPhase.Running, 1))))
          .contains("may write only its own run; run web-g1 is not Pod-sourced");
      assertThat(denial(() -> pod.resource(RunSpecs.page(report(TEAM, "from-cart-g1"), 0, 1, List.of(finding("from-shop-g1-source"))))
              .create()))
          .contains("source pod team/from-shop-g1-source may write pages only of its own run; run from-cart-g1 is source pod"
              + " team/from-cart-g1-source's");
      // A pod of the same name in another namespace is another pod.
      assertThat(denial(() -> mergeShard(sourcePod(OTHER, "from-shop-g1-source"), TEAM, "from-shop-g1", 0,
              progress("from-shop-g1-source", RunPhase.Running, 1))))
          .contains("forbidden").doesNotContain(POLICY);
    }

    @Test
    @DisplayName("is denied without the pod its token names")
    void withoutPod() {
      assertThat(denial(() -> mergeShard(as("system:serviceaccount:team:portolan-source", Map.of()), TEAM, "from-shop-g1", 0,
              progress("from-shop-g1-source", RunPhase.Running, 1))))
          .contains("system:serviceaccount:team:portolan-source is denied: its request carries no authentication.kubernetes.io/pod-name");
    }

    @Test
    @DisplayName("cannot reach another namespace's runs at all: RBAC, a Role in its own namespace only")
    void otherNamespace() {
      KubernetesClient pod = sourcePod(TEAM, "from-shop-g1-source");
      assertThat(pod.resources(ScanReport.class).inNamespace(TEAM).list().getItems()).isNotEmpty();
      for (Runnable call : List.<Runnable>of(
          () -> pod.resources(ScanReport.class).inNamespace(OTHER).withName("web-g1").get(),
          () -> pod.resources(ScanReport.class).inAnyNamespace().list(),
          () -> mergeShard(pod, OTHER, "web-g1", 0, progress("from-shop-g1-source", RunPhase.Running, 1)))) {
        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, call::run);
        assertThat(e).as("refused").isNotNull();
        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getMessage()).contains("User \"system:serviceaccount:team:portolan-source\" cannot").doesNotContain(POLICY);
      }
    }
  }

  // --- requests as the agent makes them (scanner/.../agent/Agent.java, Progress.patch) ---

  /** Server-side apply of {@code status.shards.<index>} under the agent's field manager, forced. */
  static void applyShard(KubernetesClient client, String ns, String run, int index, ShardStatus status) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("apiVersion", "portolan.dev/v1alpha1");
    body.put("kind", "ScanReport");
    body.put("metadata", Map.of("name", run, "namespace", ns));
    body.put("status", Map.of("shards", Map.of(Integer.toString(index), status)));
    patchStatus(client, ns, run, body, new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
        .withFieldManager("portolan-agent-" + status.node()).withForce(true).build());
  }

  /** A JSON merge patch of {@code status.shards.<index>} (the agent's {@code --status-patch=merge}). */
  static void mergeShard(KubernetesClient client, String ns, String run, int index, ShardStatus status) {
    mergeStatus(client, ns, run, Map.of("shards", Map.of(Integer.toString(index), status)));
  }

  static void mergeStatus(KubernetesClient client, String ns, String run, Map<String, Object> status) {
    patchStatus(client, ns, run, Map.of("status", status), PatchContext.of(PatchType.JSON_MERGE));
  }

  private static void patchStatus(KubernetesClient client, String ns, String run, Map<String, Object> body, PatchContext context) {
    try {
      client.resources(ScanReport.class).inNamespace(ns).withName(run).subresource("status").patch(context, JSON.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ShardStatus progress(String node, RunPhase phase, long position) {
    String now = Instant.now().toString();
    return new ShardStatus(node, phase, position, 100L, position, 0L, 0L, null, 0L, 0, 1, now, now,
        phase.terminal() ? now : null, null, "Syn");
  }

  static Finding finding(String node) {
    return new Finding("10.0.0.1", 22, "ssh", null, null, null, null, "high", null, null, null, node, Instant.now().toString());
  }

  // --- who asks ---

  /** The DaemonSet's agent on {@code node}: its service account, with the node its bound token names. */
  static KubernetesClient agent(String node) {
    return as(SCANNER, Map.of(NODE_NAME, node));
  }

  /** A source pod: its namespace's source account, with the pod (and a node) its bound token names. */
  static KubernetesClient sourcePod(String ns, String pod) {
    return as("system:serviceaccount:" + ns + ":portolan-source", Map.of(POD_NAME, pod, NODE_NAME, "node-a"));
  }

  /**
   * A client that is {@code user} (a service account, with its groups) and the given user extras,
   * by impersonation. Extra keys travel in header names, where a '/' is not allowed: the API server
   * reads them percent-decoded.
   */
  static KubernetesClient as(String user, Map<String, String> extras) {
    String ns = user.split(":")[2];
    Map<String, List<String>> encoded = new LinkedHashMap<>();
    extras.forEach((k, v) -> encoded.put(k.replace("/", "%2F"), List.of(v)));
    Config config = new ConfigBuilder(api.admin().getConfiguration())
        .withImpersonateUsername(user)
        .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated")
        .withImpersonateExtras(encoded)
        .build();
    KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
    clients.add(c);
    return c;
  }

  /** The refusal's message (the test fails if the call succeeds). */
  static String denial(Runnable call) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, call::run);
    assertThat(e).as("the request was refused").isNotNull();
    assertThat(e.getCode()).as("%s", e.getMessage()).isEqualTo(403);
    return e.getMessage();
  }

  // --- the runs, as the operator would have planned them ---

  static ShardAssignment shard(int index, String node) {
    return new ShardAssignment(index, 2, node, 100L);
  }

  static void run(String ns, String name, Map<String, String> annotations, ShardAssignment... shards) {
    Map<String, String> labels = new LinkedHashMap<>(RunNames.nodeLabels(Stream.of(shards).map(ShardAssignment::node).toList()));
    labels.put(ScanReport.POLICY_LABEL, name.substring(0, name.lastIndexOf('-')));
    labels.put(ScanReport.RUN_LABEL, name);
    ScanReport r = new ScanReport();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).withLabels(labels).withAnnotations(annotations).build());
    r.setSpec(new ScanReportSpec(labels.get(ScanReport.POLICY_LABEL), name, null, null, List.of(shards)));
    api.admin().resource(r).create();
    mergeStatus(api.admin(), ns, name, Map.of("phase", "Running", "summary", Map.of("targets", 10)));
  }

  static ScanReport report(String ns, String name) {
    return api.admin().resources(ScanReport.class).inNamespace(ns).withName(name).get();
  }

  static ShardStatus shardOf(String ns, String run, int index) {
    return report(ns, run).getStatus().shards().get(Integer.toString(index));
  }
}
