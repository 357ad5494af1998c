package dev.portolan.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.testkit.KubeApi;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's tenant roles (templates/rbac-aggregated.yaml) aggregated into Kubernetes' view,
 * edit and admin, on a real API server (e2e/kubeapi: real RBAC authorizer, real TokenRequest).
 * Service accounts bound in team-a by RoleBindings to the default roles make real requests with
 * their own tokens: view reads policies, runs and pages in team-a and writes nothing; edit and
 * admin create, patch and delete policies but never write a run, its status or a page (admin may
 * delete a run); nobody bound in team-a reaches team-b; and without the aggregation labels the
 * default roles grant nothing on Portolan's kinds, so it is the labels that do it.
 *
 * <p><b>The one emulated part.</b> e2e/kubeapi runs no controllers, so nothing aggregates
 * ClusterRoles there: the test creates view, edit and admin as a cluster's bootstrap policy does
 * (empty, with upstream's aggregation rules and labels), and {@link ClusterRoleAggregationEmulator}
 * writes their rules as kube-controller-manager's clusterrole-aggregation controller would.
 * Against a real cluster (PORTOLAN_TEST_KUBECONFIG) the default roles exist and the real controller
 * aggregates: nothing is emulated, and the test waits until the bound accounts are granted (or
 * refused) what the labels say. There it creates and deletes team-a and team-b (it refuses to run
 * if either exists), applies the chart's CRDs and leaves them; its policies are suspended and
 * target 192.0.2.10 (TEST-NET-1, outside the default guard), so an installed operator starts no run.
 */
@DisplayName("Tenants' default roles on Portolan's kinds (the aggregated roles, on a real API server)")
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class AggregatedRolesIT {
  private static final String TEAM_A = "team-a";
  private static final String TEAM_B = "team-b";
  private static final String POLICY = "weekly";
  private static final String RUN = "weekly-1";
  private static final String PAGE = "weekly-1-findings-0-1";
  /** The account bound in team-a to each default role. */
  private static final Map<String, String> ACCOUNTS = Map.of("view", "viewer", "edit", "editor", "admin", "namespace-admin");
  private static final Duration RBAC_SETTLES = Duration.ofSeconds(60);

  private static KubeApi api;
  private static KubernetesClient admin;
  private static final Map<String, KubernetesClient> AS = new LinkedHashMap<>();

  @BeforeAll
  static void start() {
    api = KubeApi.start();
    admin = api.admin();
    if (api.isExternalCluster()) {
      for (String ns : List.of(TEAM_A, TEAM_B)) {
        Assumptions.assumeTrue(admin.namespaces().withName(ns).get() == null,
            "namespace " + ns + " exists on that cluster; this test creates and deletes its own");
      }
    }
    chartCrds().forEach(api::applyCrd);
    if (!api.isExternalCluster()) {
      ClusterRoleAggregationEmulator.createDefaultRoles(admin);
    }
    install(RenderedChart.render());

    for (String ns : List.of(TEAM_A, TEAM_B)) {
      api.createNamespace(ns);
      create(ns, policy(POLICY));
      create(ns, run(RUN));
      create(ns, page());
    }
    // The operator's part of a run, written as the operator would.
    admin.resources(ScanReport.class).inNamespace(TEAM_A).withName(RUN).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Succeeded\"}}");
    ACCOUNTS.forEach((role, account) -> {
      admin.serviceAccounts().inNamespace(TEAM_A).resource(new ServiceAccountBuilder().withNewMetadata().withName(account)
          .endMetadata().build()).create();
      admin.rbac().roleBindings().inNamespace(TEAM_A).resource(new RoleBindingBuilder().withNewMetadata()
          .withName(account + "-" + role).endMetadata()
          .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(role).endRoleRef()
          .addNewSubject().withKind("ServiceAccount").withName(account).withNamespace(TEAM_A).endSubject()
          .build()).create();
      AS.put(role, api.as(TEAM_A, account));
    });
    awaitEveryRole(true);
  }

  @AfterAll
  static void stop() {
    if (api == null) {
      return;
    }
    if (api.isExternalCluster() && admin.namespaces().withName(TEAM_A).get() != null) {
      admin.namespaces().withName(TEAM_A).delete();
      admin.namespaces().withName(TEAM_B).delete();
      RenderedChart.render().all(ClusterRole.class).stream().filter(AggregatedRolesIT::isTenantRole)
          .forEach(r -> admin.rbac().clusterRoles().withName(r.getMetadata().getName()).delete());
    }
    api.close();
  }

  @Nested
  @Order(1)
  @DisplayName("view")
  class View {
    private final KubernetesClient viewer = AS.get("view");

    @Test
    @DisplayName("reads its namespace's policies, runs with their status, and pages")
    void reads() {
      assertThat(viewer.resources(ScanPolicy.class).inNamespace(TEAM_A).list().getItems())
          .extracting(p -> p.getMetadata().getName()).containsExactly(POLICY);
      assertThat(viewer.resources(ScanReport.class).inNamespace(TEAM_A).withName(RUN).get().getSpec().policy()).isEqualTo(POLICY);
      assertThat(viewer.raw("/apis/portolan.dev/v1alpha1/namespaces/team-a/scanreports/" + RUN + "/status")).contains("\"Succeeded\"");
      assertThat(viewer.resources(ScanReportPage.class).inNamespace(TEAM_A).list().getItems())
          .extracting(p -> p.getMetadata().getName()).containsExactly(PAGE);
    }

    @Test
    @DisplayName("cannot create, change or delete a policy")
    void writesNoPolicy() {
      var policies = viewer.resources(ScanPolicy.class).inNamespace(TEAM_A);
      assertForbidden(() -> policies.resource(policy("viewers-own")).create());
      assertForbidden(() -> policies.withName(POLICY).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":false}}"));
      assertForbidden(() -> policies.withName(POLICY).delete());
      assertRecordIsNotWritable(viewer);
      assertForbidden(() -> viewer.resources(ScanReport.class).inNamespace(TEAM_A).withName(RUN).delete());
    }

    @Test
    @DisplayName("kubectl auth can-i --list: get, list and watch on Portolan's kinds, nothing more")
    void canIList() {
      Set<String> read = Set.of("get", "list", "watch");
      assertThat(portolanVerbs("viewer")).containsExactlyInAnyOrderEntriesOf(Map.of(
          "scanpolicies.portolan.dev", read, "scanpolicies.portolan.dev/status", read,
          "scanreports.portolan.dev", read, "scanreports.portolan.dev/status", read, "scanreportpages.portolan.dev", read));
    }
  }

  @Nested
  @Order(2)
  @DisplayName("edit")
  class Edit {
    private final KubernetesClient editor = AS.get("edit");

    @Test
    @DisplayName("creates, patches and deletes a policy")
    void writesPolicies() {
      assertWritesPolicies(editor, "editors-own");
    }

    @Test
    @DisplayName("cannot write a run, its status, a page, or a policy's status, and cannot delete a run")
    void writesNoRecord() {
      assertRecordIsNotWritable(editor);
      assertForbidden(() -> editor.resources(ScanReport.class).inNamespace(TEAM_A).withName(RUN).delete());
      assertThat(admin.resources(ScanReport.class).inNamespace(TEAM_A).withName(RUN).get()).isNotNull();
    }

    @Test
    @DisplayName("kubectl auth can-i --list: writes on ScanPolicies only")
    void canIList() {
      Map<String, Set<String>> verbs = portolanVerbs("editor");
      assertThat(verbs.get("scanpolicies.portolan.dev"))
          .containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection");
      verbs.remove("scanpolicies.portolan.dev");
      assertThat(verbs.values()).allSatisfy(v -> assertThat(v).containsExactlyInAnyOrder("get", "list", "watch"));
    }
  }

  @Nested
  @Order(3)
  @DisplayName("admin")
  class Admin {
    private final KubernetesClient namespaceAdmin = AS.get("admin");

    @Test
    @DisplayName("creates, patches and deletes a policy")
    void writesPolicies() {
      assertWritesPolicies(namespaceAdmin, "admins-own");
    }

    @Test
    @DisplayName("cannot write a run, its status, a page, or a policy's status")
    void writesNoRecord() {
      assertRecordIsNotWritable(namespaceAdmin);
    }

    @Test
    @DisplayName("deletes a run, but not a page of one")
    void deletesARun() {
      create(TEAM_A, run("weekly-0"));
      namespaceAdmin.resources(ScanReport.class).inNamespace(TEAM_A).withName("weekly-0").delete();
      assertThat(admin.resources(ScanReport.class).inNamespace(TEAM_A).withName("weekly-0").get()).isNull();
      assertForbidden(() -> namespaceAdmin.resources(ScanReportPage.class).inNamespace(TEAM_A).withName(PAGE).delete());
      assertForbidden(() -> namespaceAdmin.resources(ScanReport.class).inNamespace(TEAM_A).delete());
    }
  }

  @Nested
  @Order(4)
  @DisplayName("another team's namespace")
  class OtherNamespace {
    @ParameterizedTest(name = "bound to {0} in team-a")
    @ValueSource(strings = {"view", "edit", "admin"})
    @DisplayName("nobody bound in team-a reads or writes anything in team-b")
    void nothing(String role) {
      KubernetesClient c = AS.get(role);
      assertForbidden(() -> c.resources(ScanPolicy.class).inNamespace(TEAM_B).list());
      assertForbidden(() -> c.resources(ScanPolicy.class).inNamespace(TEAM_B).withName(POLICY).get());
      assertForbidden(() -> c.resources(ScanPolicy.class).inNamespace(TEAM_B).resource(policy("intruder")).create());
      assertForbidden(() -> c.resources(ScanReport.class).inNamespace(TEAM_B).withName(RUN).get());
      assertForbidden(() -> c.resources(ScanReportPage.class).inNamespace(TEAM_B).list());
      assertForbidden(() -> c.resources(ScanReport.class).inNamespace(TEAM_B).withName(RUN).delete());
      // Nor across all namespaces: a RoleBinding grants in its own namespace only.
      assertForbidden(() -> c.resources(ScanReport.class).inAnyNamespace().list());
    }
  }

  @Nested
  @Order(5)
  @DisplayName("without the aggregation labels")
  class WithoutLabels {
    @Test
    @DisplayName("rbac.aggregateToDefaultRoles: false leaves view, edit and admin with nothing on Portolan's kinds")
    void nothingAggregated() {
      try {
        install(RenderedChart.render(RenderedChart.values("rbac.aggregateToDefaultRoles", false)));
        awaitEveryRole(false);
        for (KubernetesClient c : AS.values()) {
          assertForbidden(() -> c.resources(ScanReport.class).inNamespace(TEAM_A).withName(RUN).get());
          assertForbidden(() -> c.resources(ScanPolicy.class).inNamespace(TEAM_A).resource(policy("unlabelled")).create());
        }
        // The roles themselves are still there, for RoleBindings made by hand.
        assertThat(admin.rbac().clusterRoles().withName(RenderedChart.RELEASE + "-portolan-edit").get()).isNotNull();
      } finally {
        install(RenderedChart.render());
        awaitEveryRole(true);
      }
    }
  }

  private static void assertWritesPolicies(KubernetesClient c, String name) {
    var policies = c.resources(ScanPolicy.class).inNamespace(TEAM_A);
    policies.resource(policy(name)).create();
    ScanPolicy patched = policies.withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"requestedBy\":\"team-a\"}}");
    assertThat(patched.getSpec().requestedBy()).isEqualTo("team-a");
    policies.withName(name).delete();
    assertThat(admin.resources(ScanPolicy.class).inNamespace(TEAM_A).withName(name).get()).isNull();
  }

  /** A run, its status and its pages are the operator's and agents' record; a policy's status is the operator's verdict. */
  private static void assertRecordIsNotWritable(KubernetesClient c) {
    var runs = c.resources(ScanReport.class).inNamespace(TEAM_A);
    var pages = c.resources(ScanReportPage.class).inNamespace(TEAM_A);
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    assertForbidden(() -> runs.resource(run("forged")).create());
    assertForbidden(() -> runs.withName(RUN).patch(merge, "{\"spec\":{\"policy\":\"other\"}}"));
    assertForbidden(() -> runs.resource(admin.resources(ScanReport.class).inNamespace(TEAM_A).withName(RUN).get()).update());
    assertForbidden(() -> runs.withName(RUN).subresource("status").patch(merge, "{\"status\":{\"violations\":[]}}"));
    assertForbidden(() -> pages.resource(page()).create());
    assertForbidden(() -> pages.withName(PAGE).patch(merge, "{\"spec\":{\"count\":0,\"findings\":[]}}"));
    assertForbidden(() -> pages.withName(PAGE).delete());
    assertForbidden(() -> c.resources(ScanPolicy.class).inNamespace(TEAM_A).withName(POLICY).subresource("status")
        .patch(merge, "{\"status\":{\"conditions\":[]}}"));
  }

  private static void assertForbidden(ThrowingCallable request) {
    assertThatThrownBy(request).isInstanceOfSatisfying(KubernetesClientException.class,
        e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403));
  }

  /**
   * Waits until every bound account can (or cannot) list its namespace's policies: the emulated
   * or the real aggregation has run, and the authorizer has seen the roles and bindings.
   */
  private static void awaitEveryRole(boolean granted) {
    String expected = granted ? "every account bound in team-a may list its policies" : "no account bound in team-a may list its policies";
    await(expected).atMost(RBAC_SETTLES).pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsInstanceOf(KubernetesClientException.class).untilAsserted(() -> {
      if (!api.isExternalCluster()) {
        ClusterRoleAggregationEmulator.converge(admin);
      }
      for (KubernetesClient c : AS.values()) {
        if (granted) {
          c.resources(ScanPolicy.class).inNamespace(TEAM_A).list();
        } else {
          assertForbidden(() -> c.resources(ScanPolicy.class).inNamespace(TEAM_A).list());
        }
      }
    });
  }

  /** Applies the rendered tenant roles as Helm would on an upgrade: the same manager, so a dropped label goes. */
  private static void install(RenderedChart chart) {
    List<ClusterRole> roles = chart.all(ClusterRole.class).stream().filter(AggregatedRolesIT::isTenantRole).toList();
    assertThat(roles).hasSize(3);
    roles.forEach(r -> admin.rbac().clusterRoles().resource(r).fieldManager("helm").forceConflicts().serverSideApply());
  }

  private static boolean isTenantRole(ClusterRole r) {
    return Stream.of("-view", "-edit", "-admin").anyMatch(r.getMetadata().getName()::endsWith);
  }

  /** The CRDs Helm installs from the chart's crds/ directory. */
  private static List<CustomResourceDefinition> chartCrds() {
    try (Stream<Path> files = Files.list(RenderedChart.CHART.resolve("crds"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted()
          .map(f -> admin.getKubernetesSerialization().unmarshal(read(f), CustomResourceDefinition.class)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The verbs {@code kubectl auth can-i --list} shows account {@code account} of team-a on portolan.dev kinds. */
  private static Map<String, Set<String>> portolanVerbs(String account) {
    KubeApi.Result r = api.kubectl("auth", "can-i", "--list", "-n", TEAM_A, "--as=system:serviceaccount:" + TEAM_A + ":" + account);
    assertThat(r.code()).as(r.output()).isZero();
    Map<String, Set<String>> verbs = new TreeMap<>();
    for (String line : r.output().lines().toList()) {
      String resource = line.strip().split("\\s+")[0];
      if (resource.contains(".portolan.dev")) {
        String list = line.substring(line.lastIndexOf('[') + 1, line.lastIndexOf(']'));
        verbs.computeIfAbsent(resource, k -> new TreeSet<>()).addAll(List.of(list.split(" ")));
      }
    }
    return verbs;
  }

  private static void create(String namespace, HasMetadata o) {
    o.getMetadata().setNamespace(namespace);
    admin.resource(o).inNamespace(namespace).create();
  }

  private static ScanPolicy policy(String name) {
    return admin.getKubernetesSerialization().unmarshal("""
        apiVersion: portolan.dev/v1alpha1
        kind: ScanPolicy
        metadata: {name: %s, namespace: %s}
        spec:
          purpose: Tenant access test; suspended, and outside every default guard range.
          targets: {cidrs: ["192.0.2.10/32"]}
          ports: "443"
          suspend: true
        """.formatted(name, TEAM_A), ScanPolicy.class);
  }

  private static ScanReport run(String name) {
    return admin.getKubernetesSerialization().unmarshal("""
        apiVersion: portolan.dev/v1alpha1
        kind: ScanReport
        metadata:
          name: %s
          namespace: %s
          labels: {portolan.dev/policy: %s, portolan.dev/run: %s}
        spec: {policy: %s, run: %s}
        """.formatted(name, TEAM_A, POLICY, name, POLICY, name), ScanReport.class);
  }

  private static ScanReportPage page() {
    return admin.getKubernetesSerialization().unmarshal("""
        apiVersion: portolan.dev/v1alpha1
        kind: ScanReportPage
        metadata:
          name: %s
          namespace: %s
          labels: {portolan.dev/policy: %s, portolan.dev/run: %s, portolan.dev/contents: Findings}
        spec: {policy: %s, run: %s, contents: Findings, shard: 0, page: 1, count: 0, findings: []}
        """.formatted(PAGE, TEAM_A, POLICY, RUN, POLICY, RUN), ScanReportPage.class);
  }
}
