package dev.portolan.scanner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.control.run.FindingPages;
import dev.portolan.control.run.RunSpecs;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.scanner.agent.Agent;
import dev.portolan.scanner.agent.AgentServer;
import dev.portolan.scanner.engine.ConnectScanner;
import dev.portolan.scanner.engine.PathResolver;
import dev.portolan.scanner.engine.ScannerFactory;
import dev.portolan.testkit.KubeApi;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What only a real API server proves (fabric8's mock fakes or skips all of it): the generated
 * CRDs are accepted and their schemas and CEL rules reject bad specs at apply time; printer
 * columns; the status subresource; server-side apply by several agents at once, each owning its
 * own shard key; conflicts; and the object size limit that makes paging necessary.
 */
@DisplayName("the CRDs and the agent's status writes on a real API server")
class RealApiServerIT {
  static KubeApi api;
  static KubernetesClient client;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    api = KubeApi.start();
    client = api.admin();
    api.createNamespace("crd");
    api.applyCrds("META-INF/fabric8/scanpolicies.portolan.dev-v1.yml", "META-INF/fabric8/scanreports.portolan.dev-v1.yml",
        "META-INF/fabric8/scanreportpages.portolan.dev-v1.yml");
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) {
      api.close();
    }
  }

  static String policy(String name, String spec) {
    return "{\"apiVersion\":\"portolan.dev/v1alpha1\",\"kind\":\"ScanPolicy\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"crd\"},\"spec\":" + spec + "}";
  }

  /** Sends the JSON as it is (no client-side typing), as kubectl apply would. */
  static ScanPolicy create(String json) {
    var generic = client.getKubernetesSerialization().unmarshal(json, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
    var created = client.genericKubernetesResources("portolan.dev/v1alpha1", "ScanPolicy").inNamespace("crd").resource(generic).create();
    return client.getKubernetesSerialization().convertValue(created, ScanPolicy.class);
  }

  @Nested
  @DisplayName("the ScanPolicy schema")
  class PolicySchema {
    @Test
    @DisplayName("accepts a valid policy and fills in defaults")
    void valid() {
      ScanPolicy p = create(policy("ok", "{\"purpose\":\"quarterly exposure review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\",\"198.18.1.1-198.18.1.9\"]},\"ports\":\"22,80,8000-8100\"}"));
      assertThat(p.getSpec().rate()).isEqualTo(1000);
      assertThat(p.getSpec().retries()).isEqualTo(1);
      assertThat(p.getSpec().historyLimit()).isEqualTo(5);
      assertThat(p.getSpec().concurrencyPolicy()).isEqualTo(dev.portolan.crds.v1alpha1.ScanPolicySpec.ConcurrencyPolicy.Forbid);
    }

    @Test
    @DisplayName("accepts, with kubectl's strict field validation, every policy this repository ships")
    void shippedPolicies() throws Exception {
      Path root = Path.of("..").toAbsolutePath().normalize();
      List<Path> files = new ArrayList<>();
      for (Path dir : List.of(root.resolve("examples"), root.resolve("examples/gitops"), root.resolve("examples/snapshot"), root.resolve("e2e/kind"))) {
        try (var list = java.nio.file.Files.list(dir)) {
          list.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(files::add);
        }
      }
      int policies = 0;
      for (Path file : files) {
        for (String doc : java.nio.file.Files.readString(file).split("(?m)^---\\s*$")) {
          if (!doc.contains("kind: ScanPolicy")) {
            continue;
          }
          var generic = client.getKubernetesSerialization().unmarshal(doc, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
          generic.getMetadata().setNamespace("crd");
          generic.getMetadata().setName("shipped-" + policies + "-" + generic.getMetadata().getName());
          var created = client.genericKubernetesResources("portolan.dev/v1alpha1", "ScanPolicy").inNamespace("crd")
              .resource(generic).fieldValidation(io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation.STRICT).create();
          assertThat(created.getMetadata().getUid()).as(file.toString()).isNotBlank();
          policies++;
        }
      }
      assertThat(policies).as("policies in %s", files).isGreaterThanOrEqualTo(5);
    }

    @Test
    @DisplayName("rejects a misspelt field, as kubectl apply does")
    void strictFieldValidation() {
      var generic = client.getKubernetesSerialization().unmarshal(
          policy("typo", "{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"rtae\":5}"),
          io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
      assertThatThrownBy(() -> client.genericKubernetesResources("portolan.dev/v1alpha1", "ScanPolicy").inNamespace("crd")
              .resource(generic).fieldValidation(io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation.STRICT).create())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getMessage()).contains("rtae"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
      "no purpose|{\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\"}|purpose",
      "bad CIDR|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/33\"]},\"ports\":\"22\"}|spec.targets.cidrs[0]",
      "host name|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"example.com\"]},\"ports\":\"22\"}|spec.targets.cidrs[0]",
      "bad exclude|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"],\"exclude\":[\"nope\"]},\"ports\":\"22\"}|spec.targets.exclude[0]",
      "no targets at all|{\"purpose\":\"quarterly review\",\"targets\":{},\"ports\":\"22\"}|at least one of cidrs",
      "bad ports|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"http\"}|spec.ports",
      "rate zero|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"rate\":0}|spec.rate",
      "retries too many|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"retries\":99}|spec.retries",
      "port zero|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"0\"}|spec.ports",
      "port 65536|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22,65536\"}|spec.ports",
      "reversed range|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22,9000-8000\"}|a port range runs from low to high",
      "six-field cron|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"schedule\":\"0 * * * * *\"}|spec.schedule",
      "minute 60|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"schedule\":\"60 * * * *\"}|spec.schedule",
      "hour 24|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"schedule\":\"0 24 * * *\"}|spec.schedule",
      "time zone without schedule|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"timeZone\":\"Europe/Berlin\"}|timeZone applies to a schedule",
      "bad time zone|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"schedule\":\"@daily\",\"timeZone\":\"Europe Berlin\"}|spec.timeZone",
      "bad selector namespace|{\"purpose\":\"quarterly review\",\"targets\":{\"pods\":{\"namespace\":\"Shop_Front\"}},\"ports\":\"22\"}|spec.targets.pods.namespace",
      "bad source namespace|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"source\":{\"type\":\"Pod\",\"pod\":{\"namespace\":\"-x\"}}}|spec.source.pod.namespace",
      "reversed rule range|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"expectations\":{\"allowed\":[{\"ports\":\"443,90-80\"}]}}|a port range runs from low to high",
      "rule port 70000|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"expectations\":{\"allowed\":[{\"ports\":\"70000\"}]}}|spec.expectations.allowed[0].ports",
      "bad severity|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"expectations\":{\"severity\":\"urgent\"}}|spec.expectations.severity",
      "service rule without name or selector|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"expectations\":{\"allowed\":[{\"service\":{\"namespace\":\"shop\"}}]}}|service",
      "bad service rule name|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"expectations\":{\"allowed\":[{\"service\":{\"name\":\"Web_1\"}}]}}|spec.expectations.allowed[0].service.name",
      "bad cron|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"schedule\":\"often\"}|spec.schedule",
      "bad enum|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"concurrencyPolicy\":\"Sometimes\"}|concurrencyPolicy",
      "pod source without pod|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"source\":{\"type\":\"Pod\"}}|source type Pod needs"
    })
    void rejects(String what, String spec, String mentions) {
      assertThatThrownBy(() -> create(policy("bad-" + Math.abs(what.hashCode()), spec)))
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(422);
            assertThat(e.getMessage()).contains(mentions);
          });
    }
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
      "every port|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"1-65535\"}",
      "edge ports and spaces|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"1, 80-80 ,65535\"}",
      "cron lists ranges steps|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"schedule\":\"*/15 9-17 * JAN-DEC mon-fri\"}",
      "cron macro and zone|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"schedule\":\"@hourly\",\"timeZone\":\"America/Argentina/Salta\"}",
      "cron with day names and sunday as 7|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"schedule\":\"0 3 1,15 * 7\"}",
      "any namespace|{\"purpose\":\"quarterly review\",\"targets\":{\"pods\":{\"namespace\":\"*\",\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\",\"values\":[\"web\"]}]}},\"ports\":\"22\"}",
      "rules in cluster terms|{\"purpose\":\"quarterly review\",\"targets\":{\"cidrs\":[\"198.18.0.0/16\"]},\"ports\":\"22\",\"expectations\":{\"fromNetworkPolicies\":true,\"severity\":\"high\",\"allowed\":[{\"ports\":\"8000-9000\",\"namespaceSelector\":{\"matchLabels\":{\"team\":\"shop\"}},\"podSelector\":{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Exists\"}]},\"severity\":\"low\"},{\"service\":{\"namespace\":\"shop\",\"name\":\"web.front\"}},{\"nodeSelector\":{\"matchLabels\":{\"role\":\"edge\"}}}]}}"
    })
    void accepts(String what, String spec) {
      ScanPolicy p = create(policy("good-" + Math.abs(what.hashCode()), spec));
      assertThat(p.getMetadata().getUid()).as(what).isNotBlank();
    }
  }

  static ScanReport mainReport(String name, int shards) {
    ScanReport r = new ScanReport();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("crd").withLabels(Map.of(ScanReport.RUN_LABEL, name, ScanReport.POLICY_LABEL, "p")).build());
    List<ShardAssignment> plan = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      plan.add(new ShardAssignment(i, shards, "node-" + i, 100L));
    }
    r.setSpec(new ScanReportSpec("p", name, null,
        new ScanReportSpec.ScopeSnapshot(List.of("127.0.0.1"), List.of(), "1", 1L, 1L, 7L, 100L, 0, 0, null, null), plan));
    return client.resource(r).create();
  }

  static void applyShard(String report, int shard, String manager, boolean force) throws Exception {
    Map<String, Object> body = Map.of(
        "apiVersion", "portolan.dev/v1alpha1", "kind", "ScanReport",
        "metadata", Map.of("name", report, "namespace", "crd"),
        "status", Map.of("shards", Map.of(Integer.toString(shard), Map.of("node", manager, "phase", "Running", "position", 10 + shard))));
    client.resources(ScanReport.class).inNamespace("crd").withName(report).subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(manager).withForce(force).build(),
            JSON.writeValueAsString(body));
  }

  @Nested
  @DisplayName("ScanReport status")
  class ReportStatus {
    @Test
    @DisplayName("is a subresource: a create ignores it, and printer columns show the run")
    void subresourceAndColumns() throws Exception {
      ScanReport r = mainReport("columns", 1);
      assertThat(r.getStatus()).isNull();
      KubeApi.Result get = api.kubectl("get", "scanreports", "-n", "crd");
      assertThat(get.code()).as(get.output()).isZero();
      assertThat(get.output().lines().findFirst().orElse("").split("\\s+"))
          .containsExactly("NAME", "PHASE", "OPEN", "VIOLATIONS", "NEW", "DURATION", "AGE");
      KubeApi.Result wide = api.kubectl("get", "scanreports", "-n", "crd", "-o", "wide");
      assertThat(wide.output().lines().findFirst().orElse("").split("\\s+")).as("-o wide adds the policy and the discovery method")
          .hasSize(9).containsSubsequence("NAME", "PHASE", "OPEN", "VIOLATIONS", "NEW", "DURATION", "AGE").contains("POLICY", "DISCOVERY");
      KubeApi.Result category = api.kubectl("get", "portolan", "-n", "crd", "-o", "name");
      assertThat(category.code()).as(category.output()).isZero();
      assertThat(category.output()).as("kubectl get portolan lists the runs").contains("scanreport.portolan.dev/columns");
    }

    @Test
    @DisplayName("sixteen agents applying their own shard keys at once all keep them, each under its own field manager")
    void agentsApplyConcurrently() throws Exception {
      mainReport("concurrent", 16);
      List<CompletableFuture<Void>> writes = IntStream.range(0, 16).mapToObj(i -> CompletableFuture.runAsync(() -> {
        try {
          applyShard("concurrent", i, "portolan-agent-node-" + i, true);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      })).toList();
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();

      ScanReport r = client.resources(ScanReport.class).inNamespace("crd").withName("concurrent").get();
      assertThat(r.getStatus().shards()).hasSize(16);
      assertThat(r.getMetadata().getManagedFields()).extracting(m -> m.getManager())
          .contains("portolan-agent-node-0", "portolan-agent-node-15");
    }

    @Test
    @DisplayName("another manager's shard key is refused without force (409), and a stale update is refused too")
    void conflicts() throws Exception {
      ScanReport created = mainReport("conflict", 1);
      applyShard("conflict", 0, "portolan-agent-node-0", true);
      assertThatThrownBy(() -> applyShard("conflict", 0, "someone-else", false))
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      assertThatThrownBy(() -> client.resource(created).update())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    }

    @Test
    @DisplayName("a status over the size limit is refused, while FindingPages' pages of the same findings are all stored")
    void sizeLimitAndPages() throws Exception {
      ScanReport main = mainReport("big", 1);
      List<Finding> findings = new ArrayList<>();
      for (int i = 0; i < 6000; i++) {
        findings.add(new Finding("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), 443, "https", "nginx", "1.22.1", null,
            List.of("cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*"), "10", "x".repeat(400), null, null, "node-0", "2026-11-23T12:00:00Z"));
      }
      ScanReportPage whole = RunSpecs.page(main, 0, 1, findings);
      assertThatThrownBy(() -> client.resource(whole).create())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isIn(413, 422, 500));

      List<List<Finding>> pages = FindingPages.split(findings);
      assertThat(pages).hasSizeGreaterThan(1);
      for (int i = 0; i < pages.size(); i++) {
        client.resource(RunSpecs.page(main, 0, i + 2, pages.get(i))).create();
      }
      long stored = client.resources(ScanReportPage.class).inNamespace("crd").withLabel(ScanReport.RUN_LABEL, "big").list().getItems().stream()
          .filter(p -> p.getSpec().findings() != null).mapToLong(p -> p.getSpec().findings().size()).sum();
      assertThat(stored).isEqualTo(findings.size());
    }
  }

  @Test
  @DisplayName("the real agent runs a shard, writes its progress and pages by server-side apply, and serves health, readiness and metrics")
  void agentWithServerSideApply() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ScanReport r = new ScanReport();
      // Labelled with its node, as the operator labels a planned run: the agent watches only those.
      r.setMetadata(new ObjectMetaBuilder().withName("agent-ssa").withNamespace("crd").withLabels(Map.of(ScanReport.RUN_LABEL, "agent-ssa",
          ScanReport.POLICY_LABEL, "p", dev.portolan.control.run.RunNames.nodeLabel("node-ssa"), dev.portolan.control.run.RunNames.NODE_LABEL_VALUE)).build());
      r.setSpec(new ScanReportSpec("p", "agent-ssa", null,
          new ScanReportSpec.ScopeSnapshot(List.of("127.0.0.1"), List.of(), listener.getLocalPort() + ",1-3", 1L, 4L, 7L, 1000L, 0, 1,
              new dev.portolan.crds.v1alpha1.ValidationSpec(false, null, null), null),
          List.of(new ShardAssignment(0, 1, "node-ssa", 1000L))));
      client.resource(r).create();
      ScannerFactory.Options engine = new ScannerFactory.Options(PathResolver.Overrides.none(), Optional.empty(), false, ConnectScanner.DEFAULT_CONCURRENCY);
      AgentServer agent = AgentServer.start(client, new Agent.Config("node-ssa", "crd", Agent.StatusPatch.APPLY, engine, Duration.ofMillis(300)), 0, m -> {});
      try {
        var http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
          try {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + agent.port() + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
        assertThat(get.apply("/healthz").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> get.apply("/readyz").statusCode() == 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> get.apply("/metrics").body().contains("portolan_agent_shards_total{result=\"succeeded\"} 1.0"));
        assertThat(get.apply("/metrics").body()).contains("portolan_agent_findings_total 1.0");
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          ScanReport now = client.resources(ScanReport.class).inNamespace("crd").withName("agent-ssa").get();
          ShardStatus s = now.getStatus() == null || now.getStatus().shards() == null ? null : now.getStatus().shards().get("0");
          return s != null && s.phase() == RunPhase.Succeeded;
        });
      } finally {
        agent.close();
      }
      ScanReport done = client.resources(ScanReport.class).inNamespace("crd").withName("agent-ssa").get();
      assertThat(done.getMetadata().getManagedFields()).extracting(m -> m.getManager()).contains("portolan-agent-node-ssa");
      List<ScanReportPage> pages = client.resources(ScanReportPage.class).inNamespace("crd").withLabel(ScanReport.RUN_LABEL, "agent-ssa").list().getItems();
      assertThat(pages).hasSize(1);
      assertThat(pages.get(0).getSpec().findings()).extracting(Finding::port).containsExactly(listener.getLocalPort());
    }
  }
}
