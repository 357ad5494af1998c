package dev.portolan.charts;

import static dev.portolan.charts.RenderedChart.render;
import static dev.portolan.charts.RenderedChart.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.guard.NamespaceGrant;
import dev.portolan.operator.OperatorConfig;
import dev.portolan.operator.cluster.SourcePodTemplate;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart as {@code helm lint} and {@code helm template} see it, and what it grants. */
class ChartTest {
  /** The roles aggregated into Kubernetes' own of the same name (templates/rbac-aggregated.yaml). */
  private static final List<String> TENANT_ROLES = List.of("view", "edit", "admin");

  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
  }

  @Test
  void everyRenderedObjectIsValidKubernetes() {
    for (Map<String, Object> values : List.of(
        Map.<String, Object>of(),
        values("metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true, "metrics.dashboard.enabled", true,
            "sourcePods.enabled", true, "sourcePods.namespaces", List.of("apps", "web"), "scanner.admissionPolicy.enabled", true,
            "operator.replicas", 2, "scanner.privileged", true, "scanner.interface", "eth1",
            "scanner.priorityClassName", "system-node-critical", "image.digest", "sha256:" + "a".repeat(64),
            "operator.watchNamespaces", List.of("apps", "web"), "scanner.tolerations[0].operator", "Exists"),
        values("scanner.enabled", false, "operator.leaderElection", false, "rbac.aggregateToDefaultRoles", false))) {
      RenderedChart chart = render(values);
      assertThat(chart.objects()).isNotEmpty();
      for (HasMetadata o : chart.objects()) {
        assertThat(StrictModel.problems(o)).as("with %s", values).isEmpty();
        assertThat(o.getMetadata().getLabels()).as("%s labels", o.getMetadata().getName())
            .containsEntry("app.kubernetes.io/instance", RenderedChart.RELEASE);
      }
    }
  }

  @Test
  void defaultsInstallTheOperatorTheAgentsTheirAccountsAndTheGuard() {
    RenderedChart chart = render();
    Set<String> kinds = chart.objects().stream().map(o -> o.getKind() + "/" + o.getMetadata().getName())
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(kinds).containsExactlyInAnyOrder(
        "ConfigMap/scan-portolan-guard",
        "ServiceAccount/scan-portolan-operator", "ServiceAccount/scan-portolan-scanner",
        "ClusterRole/scan-portolan-operator", "ClusterRoleBinding/scan-portolan-operator",
        "Role/scan-portolan-operator-lease", "RoleBinding/scan-portolan-operator-lease",
        "ClusterRole/scan-portolan-scanner", "ClusterRoleBinding/scan-portolan-scanner",
        "Deployment/scan-portolan-operator", "Service/scan-portolan-operator-metrics",
        "DaemonSet/scan-portolan-scanner", "Service/scan-portolan-scanner-metrics",
        "ClusterRole/scan-portolan-view", "ClusterRole/scan-portolan-edit", "ClusterRole/scan-portolan-admin");
    chart.objects().stream().filter(o -> !(o instanceof ClusterRole || o instanceof ClusterRoleBinding))
        .forEach(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE));
    assertThat(chart.yaml()).doesNotContainIgnoringCase("telemetry");
  }

  @Test
  void operatorRoleGrantsOnlyWhatTheOperatorUses() {
    ClusterRole role = render().get(ClusterRole.class, "-operator");
    assertThat(grants(role)).containsExactlyInAnyOrder(
        "portolan.dev/scanpolicies:get,list,patch,watch",
        "portolan.dev/scanpolicies/status:patch",
        "portolan.dev/scanpolicies/finalizers:update",
        "portolan.dev/scanreports:create,delete,deletecollection,get,list,patch,watch",
        "portolan.dev/scanreports/status:patch",
        "portolan.dev/scanreportpages:create,delete,deletecollection,get,list,patch",
        "/pods:get,list,watch",
        "/nodes:get,list,watch",
        "/services:get,list,watch",
        "/namespaces:get,list,watch",
        "discovery.k8s.io/endpointslices:list,watch",
        "networking.k8s.io/networkpolicies:list,watch",
        "apps/replicasets:list,watch",
        "batch/jobs:list,watch",
        "/events:create",
        "openreports.io/reports:create,delete,get,list,update");
    assertNoDangerousGrant(role.getRules());
    // Without OpenReports the role has no rights on Reports and the operator is told to write none.
    RenderedChart off = render(values("openReports.enabled", false));
    assertThat(grants(off.get(ClusterRole.class, "-operator"))).noneMatch(g -> g.startsWith("openreports.io/"));
    assertThat(env(operatorContainer(off), "PORTOLAN_OPEN_REPORTS")).isEqualTo("false");
    assertThat(env(operatorContainer(render()), "PORTOLAN_OPEN_REPORTS")).isEqualTo("true");

    Role lease = render().get(Role.class, "-operator-lease");
    assertThat(grants(lease)).containsExactly("coordination.k8s.io/leases:create,get,patch,update");
    assertThat(render(values("operator.leaderElection", false)).find(Role.class, "-operator-lease")).isEmpty();
  }

  @Test
  void tenantsReadThroughViewWritePoliciesThroughEditAndAdminDeletesRuns() {
    RenderedChart chart = render();
    String read = "get,list,watch";
    List<String> reads = List.of("portolan.dev/scanpolicies:" + read, "portolan.dev/scanpolicies/status:" + read,
        "portolan.dev/scanreports:" + read, "portolan.dev/scanreports/status:" + read, "portolan.dev/scanreportpages:" + read);
    String policyWrites = "portolan.dev/scanpolicies:create,delete,deletecollection,patch,update";
    assertThat(grants(chart.get(ClusterRole.class, "-view"))).containsExactlyInAnyOrderElementsOf(reads);
    List<String> edit = new ArrayList<>(reads);
    edit.add(policyWrites);
    assertThat(grants(chart.get(ClusterRole.class, "-edit"))).containsExactlyInAnyOrderElementsOf(edit);
    List<String> admin = new ArrayList<>(edit);
    admin.add("portolan.dev/scanreports:delete");
    assertThat(grants(chart.get(ClusterRole.class, "-admin"))).containsExactlyInAnyOrderElementsOf(admin);
    for (String role : TENANT_ROLES) {
      ClusterRole r = chart.get(ClusterRole.class, "-" + role);
      assertNoDangerousGrant(r.getRules());
      assertThat(r.getAggregationRule()).isNull();
      // One label each: every role holds all its level grants, so none relies on view being aggregated into edit.
      assertThat(aggregationLabels(r)).containsExactly("rbac.authorization.k8s.io/aggregate-to-" + role);
    }
    // Only these roles join the default ones: the operator's and the agents' rights are never a tenant's.
    assertThat(chart.all(ClusterRole.class)).filteredOn(r -> !aggregationLabels(r).isEmpty())
        .extracting(r -> r.getMetadata().getName())
        .containsExactlyInAnyOrder("scan-portolan-view", "scan-portolan-edit", "scan-portolan-admin");

    // Without aggregation the roles stay, unlabelled, for RoleBindings made by hand.
    RenderedChart byHand = render(values("rbac.aggregateToDefaultRoles", false));
    for (String role : TENANT_ROLES) {
      ClusterRole r = byHand.get(ClusterRole.class, "-" + role);
      assertThat(aggregationLabels(r)).isEmpty();
      assertThat(r.getRules()).isEqualTo(chart.get(ClusterRole.class, "-" + role).getRules());
    }
  }

  private static List<String> aggregationLabels(HasMetadata o) {
    return o.getMetadata().getLabels().keySet().stream().filter(k -> k.startsWith("rbac.authorization.k8s.io/aggregate-to-"))
        .sorted().toList();
  }

  @Test
  void sourcePodsAddPodCreationAndAnAccountPerNamespaceOnlyWhenAsked() {
    RenderedChart chart = render(values("sourcePods.enabled", true, "sourcePods.namespaces", List.of("apps", "web")));
    // Pods are created and deleted only in the listed namespaces, never cluster-wide.
    assertThat(grants(chart.get(ClusterRole.class, "-operator"))).contains("/pods:get,list,watch");
    List<Role> podRoles = chart.all(Role.class).stream().filter(r -> r.getMetadata().getName().endsWith("-operator-source-pods")).toList();
    assertThat(podRoles).extracting(r -> r.getMetadata().getNamespace()).containsExactlyInAnyOrder("apps", "web");
    podRoles.forEach(r -> assertThat(grants(r)).containsExactly("/pods:create,delete"));
    assertThat(chart.all(RoleBinding.class).stream().filter(b -> b.getMetadata().getName().endsWith("-operator-source-pods")))
        .hasSize(2).allSatisfy(b -> assertThat(b.getSubjects()).singleElement()
            .satisfies(sub -> assertThat(sub.getName()).isEqualTo("scan-portolan-operator")));
    assertThat(render().all(Role.class)).noneMatch(r -> r.getMetadata().getName().endsWith("-operator-source-pods"));
    List<ServiceAccount> source = chart.all(ServiceAccount.class).stream()
        .filter(sa -> sa.getMetadata().getName().equals("portolan-source")).toList();
    assertThat(source).extracting(sa -> sa.getMetadata().getNamespace()).containsExactlyInAnyOrder("apps", "web");
    // Source pods are bound in their own namespace only, never to the scanner's ClusterRole.
    assertThat(chart.get(ClusterRoleBinding.class, "-scanner").getSubjects())
        .extracting(s -> s.getNamespace() + "/" + s.getName())
        .containsExactly("portolan-system/scan-portolan-scanner");
    List<Role> sourceRoles = chart.all(Role.class).stream().filter(r -> r.getMetadata().getName().endsWith("-source")).toList();
    assertThat(sourceRoles).extracting(r -> r.getMetadata().getNamespace()).containsExactlyInAnyOrder("apps", "web");
    sourceRoles.forEach(r -> {
      assertThat(grants(r)).containsExactlyInAnyOrderElementsOf(grants(chart.get(ClusterRole.class, "-scanner")));
      assertNoDangerousGrant(r.getRules());
    });
    assertThat(chart.all(RoleBinding.class).stream().filter(b -> b.getMetadata().getName().endsWith("-source")))
        .hasSize(2).allSatisfy(b -> {
          assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
          assertThat(b.getSubjects()).singleElement().satisfies(sub -> assertThat(sub.getNamespace() + "/" + sub.getName())
              .isEqualTo(b.getMetadata().getNamespace() + "/portolan-source"));
        });
    // Without the DaemonSet there is no scanner ClusterRole at all; the source pods keep their Roles.
    RenderedChart podsOnly = render(values("scanner.enabled", false, "sourcePods.enabled", true, "sourcePods.namespaces", List.of("apps")));
    assertThat(podsOnly.find(ClusterRole.class, "-scanner")).isEmpty();
    assertThat(podsOnly.find(ClusterRoleBinding.class, "-scanner")).isEmpty();
    assertThat(podsOnly.find(Role.class, "-source")).isPresent();
    Container operator = operatorContainer(chart);
    assertThat(env(operator, "PORTOLAN_SOURCE_POD_SERVICE_ACCOUNT")).isEqualTo("portolan-source");
    assertThat(env(operator, "PORTOLAN_SOURCE_POD_IMAGE")).isEqualTo("portolan:0.1.0");
    assertThat(env(operator, "PORTOLAN_SOURCE_POD_IMAGE_PULL_SECRETS")).isNull();
    // Sized and placed from values, in the form the operator reads back (its own parsers).
    assertThat(SourcePodTemplate.resources(env(operator, "PORTOLAN_SOURCE_POD_RESOURCES"), "resources"))
        .satisfies(r -> {
          assertThat(r.getRequests()).containsEntry("cpu", new io.fabric8.kubernetes.api.model.Quantity("200m"));
          assertThat(r.getLimits()).containsEntry("memory", new io.fabric8.kubernetes.api.model.Quantity("1Gi"));
        });
    assertThat(env(operator, "PORTOLAN_SOURCE_POD_TOLERATIONS")).isNull();
    assertThat(env(operator, "PORTOLAN_SOURCE_POD_NODE_SELECTOR")).isEqualTo("kubernetes.io/os=linux");
    Container placed = operatorContainer(render(values("sourcePods.enabled", true, "sourcePods.namespaces", List.of("apps"),
        "sourcePods.tolerations[0].key", "dedicated", "sourcePods.tolerations[0].operator", "Equal",
        "sourcePods.tolerations[0].value", "scans", "sourcePods.tolerations[0].effect", "NoSchedule",
        "sourcePods.nodeSelector.pool", "scanners")));
    assertThat(SourcePodTemplate.tolerations(env(placed, "PORTOLAN_SOURCE_POD_TOLERATIONS"), "tolerations")).singleElement()
        .satisfies(t -> assertThat(t.getValue()).isEqualTo("scans"));
    assertThat(OperatorConfig.parseLabels(env(placed, "PORTOLAN_SOURCE_POD_NODE_SELECTOR"), "nodeSelector"))
        .containsEntry("pool", "scanners").containsEntry("kubernetes.io/os", "linux");
    Container withSecrets = operatorContainer(render(values("imagePullSecrets[0].name", "regcred", "imagePullSecrets[1].name", "mirror")));
    assertThat(env(withSecrets, "PORTOLAN_SOURCE_POD_IMAGE_PULL_SECRETS")).isEqualTo("regcred,mirror");
  }

  @Test
  void connectModeAgentsRunWithinPodSecurityRestrictedAndSynModeSaysWhyNot() {
    DaemonSet connect = render(values("scanner.mode", "connect")).get(DaemonSet.class, "-scanner");
    var pod = connect.getSpec().getTemplate().getSpec();
    assertThat(PodSecurityRestricted.violations(pod)).as("scanner.mode=connect under restricted").isEmpty();
    Container agent = pod.getContainers().getFirst();
    assertThat(agent.getArgs()).contains("--connect", "--health-address=$(POD_IP)").doesNotContain("--health-address=$(HOST_IP)");
    assertThat(env(agent, "POD_IP")).isNull(); // from the downward API, not a literal
    assertThat(agent.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("POD_IP");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    });
    assertThat(pod.getHostNetwork()).isFalse();
    assertThat(pod.getDnsPolicy()).isNull();

    // The raw engine needs what restricted forbids; the checker sees each of it.
    var syn = render().get(DaemonSet.class, "-scanner").getSpec().getTemplate().getSpec();
    assertThat(PodSecurityRestricted.violations(syn)).contains(
        "hostNetwork=true", "container scanner: runAsNonRoot must be true", "container scanner: runAsUser=0",
        "container scanner: adds capability NET_RAW");
    // The operator is unprivileged in either mode.
    assertThat(PodSecurityRestricted.violations(render().get(Deployment.class, "-operator").getSpec().getTemplate().getSpec()))
        .as("the operator under restricted").isEmpty();
    assertRejected(values("scanner.mode", "connect", "scanner.privileged", true), "privileged");
    assertRejected(values("scanner.mode", "stealth"), "mode");
  }

  @Test
  void scannerRoleOnlyReadsReportsWritesItsPagesAndPatchesStatus() {
    ClusterRole role = render().get(ClusterRole.class, "-scanner");
    assertThat(grants(role)).containsExactlyInAnyOrder(
        "portolan.dev/scanreports:get,list,watch",
        "portolan.dev/scanreportpages:create,get,update",
        "portolan.dev/scanreports/status:patch");
    assertNoDangerousGrant(role.getRules());
    RoleBinding none = render().find(RoleBinding.class, "-scanner").orElse(null);
    assertThat(none).isNull();
  }

  @Test
  void sourcePodAuthorsArePolicedWhereSourcePodsRunAndTheClusterServesPolicies() {
    Map<String, Object> sourcePods = values("sourcePods.enabled", true, "sourcePods.namespaces", List.of("apps"));
    assertThat(render("1.30.0", sourcePods).find(ValidatingAdmissionPolicy.class, "-source-pod-authors")).isPresent();
    assertThat(render("1.30.0", sourcePods).find(ValidatingAdmissionPolicyBinding.class, "-source-pod-authors"))
        .hasValueSatisfying(b -> assertThat(b.getSpec().getValidationActions()).containsExactly("Deny"));
    assertThat(render("1.29.9", sourcePods).find(ValidatingAdmissionPolicy.class, "-source-pod-authors")).isEmpty();
    assertThat(render("1.30.0", Map.of()).find(ValidatingAdmissionPolicy.class, "-source-pod-authors")).isEmpty();
    Map<String, Object> off = new java.util.LinkedHashMap<>(sourcePods);
    off.put("sourcePods.admissionPolicy", false);
    assertThat(render("1.30.0", off).find(ValidatingAdmissionPolicy.class, "-source-pod-authors")).isEmpty();
  }

  @Test
  void admissionPoliciesConfineTheAgentsWhereTheClusterServesThem() {
    // auto: Kubernetes 1.30 serves ValidatingAdmissionPolicy v1 and puts the node in the agents' tokens.
    assertThat(render().all(ValidatingAdmissionPolicy.class)).as("on %s", RenderedChart.KUBE_VERSION).isEmpty();
    assertThat(render("1.29.9", Map.of()).all(ValidatingAdmissionPolicy.class)).isEmpty();
    assertThat(render("1.31.0", values("scanner.admissionPolicy.enabled", false)).all(ValidatingAdmissionPolicy.class)).isEmpty();
    RenderedChart chart = render("1.30.0", values("sourcePods.enabled", true, "sourcePods.namespaces", List.of("apps")));
    assertThat(chart.all(ValidatingAdmissionPolicy.class)).extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("scan-portolan-agent-status", "scan-portolan-agent-pages", "scan-portolan-source-pod-authors");
    List<ValidatingAdmissionPolicy> policies = chart.all(ValidatingAdmissionPolicy.class).stream()
        .filter(p -> p.getMetadata().getName().contains("-agent-")).toList();
    for (ValidatingAdmissionPolicy p : policies) {
      assertThat(p.getSpec().getFailurePolicy()).isEqualTo("Fail");
      assertThat(p.getSpec().getMatchConstraints().getNamespaceSelector()).as("explicit, never nil").isNotNull();
      // Only the agents' and the source pods' accounts are judged: never the operator.
      assertThat(p.getSpec().getMatchConditions()).singleElement().satisfies(c -> assertThat(c.getExpression())
          .isEqualTo("request.userInfo.username in [\"system:serviceaccount:portolan-system:scan-portolan-scanner\","
              + "\"system:serviceaccount:apps:portolan-source\"]"));
      assertThat(p.getSpec().getValidations()).allSatisfy(v -> {
        assertThat(v.getMessageExpression()).as(v.getExpression()).isNotBlank();
        assertThat(v.getReason()).isEqualTo("Forbidden");
      });
    }
    assertThat(chart.get(ValidatingAdmissionPolicy.class, "-agent-status").getSpec().getMatchConstraints().getResourceRules())
        .singleElement().satisfies(r -> {
          assertThat(r.getResources()).containsExactly("scanreports/status");
          assertThat(r.getOperations()).containsExactly("UPDATE");
        });
    ValidatingAdmissionPolicy pages = chart.get(ValidatingAdmissionPolicy.class, "-agent-pages");
    assertThat(pages.getSpec().getParamKind().getKind()).isEqualTo("ScanReport");
    assertThat(pages.getSpec().getMatchConstraints().getResourceRules()).singleElement().satisfies(r -> {
      assertThat(r.getResources()).containsExactly("scanreportpages");
      assertThat(r.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE");
    });
    List<ValidatingAdmissionPolicyBinding> bindings = chart.all(ValidatingAdmissionPolicyBinding.class).stream()
        .filter(b -> b.getMetadata().getName().contains("-agent-")).toList();
    assertThat(bindings).extracting(b -> b.getSpec().getPolicyName())
        .containsExactlyInAnyOrder("scan-portolan-agent-status", "scan-portolan-agent-pages");
    bindings.forEach(b -> assertThat(b.getSpec().getValidationActions()).containsExactly("Deny"));
    assertThat(chart.get(ValidatingAdmissionPolicyBinding.class, "-agent-pages").getSpec().getParamRef().getParameterNotFoundAction())
        .isEqualTo("Deny");
    // Forced on, whatever the version says (the install fails where the API is missing).
    assertThat(render(values("scanner.admissionPolicy.enabled", true)).all(ValidatingAdmissionPolicy.class)).hasSize(2);
    // Nothing to confine without agents or source pods.
    assertThat(render("1.31.0", values("scanner.enabled", false)).all(ValidatingAdmissionPolicy.class)).isEmpty();
  }

  @Test
  void scannerDaemonSetUsesTheHostNetworkWithNetRawOnly() {
    DaemonSet ds = render().get(DaemonSet.class, "-scanner");
    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
    assertThat(pod.getServiceAccountName()).isEqualTo("scan-portolan-scanner");
    Container c = pod.getContainers().getFirst();
    var sc = c.getSecurityContext();
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getCapabilities().getAdd()).containsExactly("NET_RAW");
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(env(c, "NODE_NAME")).isNull();
    assertThat(c.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("NODE_NAME");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
    });
    assertThat(c.getArgs()).startsWith("agent").contains("--health-port=9081", "--status-patch=apply", "--health-address=$(HOST_IP)");
    assertThat(c.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("HOST_IP");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.hostIP");
    });
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getResources().getLimits()).containsKey("memory");
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    assertThat(pod.getPriorityClassName()).isNull();
    // The operator finds ready agents by these labels (--agent-selector).
    assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/component", "scanner")
        .containsEntry("app.kubernetes.io/instance", RenderedChart.RELEASE);
    assertThat(env(operatorContainer(render()), "PORTOLAN_AGENT_SELECTOR"))
        .isEqualTo("app.kubernetes.io/instance=scan,app.kubernetes.io/component=scanner");
  }

  @Test
  void scannerPlacementPrivilegeAndResourcesFollowValues() {
    RenderedChart chart = render(values(
        "scanner.privileged", true, "scanner.priorityClassName", "portolan-critical",
        "scanner.nodeSelector.pool", "edge", "scanner.tolerations[0].key", "dedicated",
        "scanner.tolerations[0].operator", "Exists", "scanner.resources.limits.memory", "2Gi",
        "scanner.interface", "eth1", "scanner.healthPort", 9555));
    PodSpec pod = chart.get(DaemonSet.class, "-scanner").getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().getFirst();
    assertThat(c.getSecurityContext().getPrivileged()).isTrue();
    assertThat(pod.getPriorityClassName()).isEqualTo("portolan-critical");
    assertThat(pod.getNodeSelector()).containsEntry("pool", "edge");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("2Gi");
    assertThat(c.getArgs()).contains("--interface=eth1", "--health-port=9555");
    assertThat(c.getPorts().getFirst().getContainerPort()).isEqualTo(9555);
  }

  @Test
  void userLabelsAreAddedButNeverShadowTheChartsOwn() {
    RenderedChart chart = render(values("commonLabels.team", "sec", "operator.podLabels.tier", "control",
        "scanner.podLabels.tier", "probe"));
    for (HasMetadata o : chart.objects()) {
      assertThat(o.getMetadata().getLabels()).as(o.getMetadata().getName()).containsEntry("team", "sec")
          .containsEntry("app.kubernetes.io/name", "portolan");
    }
    var operatorPod = chart.get(Deployment.class, "-operator").getSpec().getTemplate().getMetadata().getLabels();
    assertThat(operatorPod).containsEntry("tier", "control").containsEntry("app.kubernetes.io/component", "operator");
    var agentPod = chart.get(DaemonSet.class, "-scanner").getSpec().getTemplate().getMetadata().getLabels();
    assertThat(agentPod).containsEntry("tier", "probe").containsEntry("app.kubernetes.io/component", "scanner")
        .containsAllEntriesOf(chart.get(DaemonSet.class, "-scanner").getSpec().getSelector().getMatchLabels());
    // A label that would move a pod out of its selector (or the operator's agent selector) is refused.
    assertRejected(values("commonLabels.app\\.kubernetes\\.io/name", "x"), "invalid propertyName 'app.kubernetes.io/name'");
    assertRejected(values("scanner.podLabels.app\\.kubernetes\\.io/component", "x"), "invalid propertyName 'app.kubernetes.io/component'");
    // An aggregation label on every object would add the operator's ClusterRole to Kubernetes' admin role.
    assertRejected(values("commonLabels.rbac\\.authorization\\.k8s\\.io/aggregate-to-admin", "true"),
        "invalid propertyName 'rbac.authorization.k8s.io/aggregate-to-admin'");
  }

  @Test
  void withoutLeaderElectionTheOldOperatorStopsBeforeTheNewStarts() {
    assertThat(render().get(Deployment.class, "-operator").getSpec().getStrategy()).isNull();
    assertThat(render(values("operator.leaderElection", false)).get(Deployment.class, "-operator").getSpec().getStrategy().getType())
        .isEqualTo("Recreate");
  }

  @Test
  void operatorRunsNonRootReadOnlyWithoutCapabilities() {
    Deployment d = render().get(Deployment.class, "-operator");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getHostNetwork()).isNull();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    Container c = pod.getContainers().getFirst();
    assertThat(c.getCommand()).containsExactly("portolan-operator");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getPrivileged()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(env(c, "PORTOLAN_LEADER_ELECTION")).isEqualTo("true");
    assertThat(env(c, "PORTOLAN_GUARD")).isEqualTo("/etc/portolan/guard.yaml");
    assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/portolan"));
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/guard");
    // The metrics Service reaches the operator's pods.
    Service svc = render().get(Service.class, "-operator-metrics");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(svc.getSpec().getSelector());

    Deployment ha = render(values("operator.replicas", 3, "operator.resources.requests.cpu", "250m",
        "operator.watchNamespaces", List.of("apps", "web"))).get(Deployment.class, "-operator");
    assertThat(ha.getSpec().getReplicas()).isEqualTo(3);
    Container haC = ha.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(haC.getResources().getRequests().get("cpu").toString()).isEqualTo("250m");
    assertThat(env(haC, "PORTOLAN_WATCH_NAMESPACES")).isEqualTo("apps,web");
    // The agents take part in runs of the same namespaces only, and watch nothing else.
    List<String> agentArgs = render(values("operator.watchNamespaces", List.of("apps", "web"))).get(DaemonSet.class, "-scanner")
        .getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs();
    assertThat(agentArgs).contains("--namespace=apps,web");
    assertThat(render().get(DaemonSet.class, "-scanner").getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
        .noneMatch(a -> a.startsWith("--namespace"));
  }

  @Test
  void theGuardRendersToAFileTheOperatorReadsBack(@TempDir Path dir) throws IOException {
    GuardConfig defaults = guardOf(render(), dir.resolve("default.yaml"));
    // The release's namespace is the platform team's; every other namespace is confined to itself.
    assertThat(defaults).isEqualTo(GuardConfig.defaults().withNamespaces(List.of(
        new NamespaceGrant(RenderedChart.NAMESPACE, GuardConfig.DEFAULT_ALLOWED, List.of("*"), true, null))));
    assertThat(defaults.grantFor("team-a")).isEmpty();

    GuardConfig custom = guardOf(render(values("guard.allowedCidrs", List.of("10.20.0.0/16"),
        "guard.alwaysExcluded", List.of("169.254.0.0/16", "10.20.99.0/24"), "guard.maxRatePerPolicy", 2500,
        "guard.maxRatePerNode", 7000, "guard.platformNamespace", false)), dir.resolve("custom.yaml"));
    assertThat(custom).isEqualTo(new GuardConfig(List.of("10.20.0.0/16"), List.of("169.254.0.0/16", "10.20.99.0/24"), 2500L, 7000L));

    Path file = dir.resolve("values.yaml");
    Files.writeString(file, """
        guard:
          allowedCidrs: [192.168.10.0/24]
          alwaysExcluded: []
          maxRatePerPolicy: 100000000
          maxRatePerNode: 100
          namespaces:
            - name: team-a
              cidrs: [192.168.10.0/25]
              otherNamespaces: [team-b]
              maxRate: 50
            - name: "*"
              nodes: true
        """);
    GuardConfig fromFile = guardOf(RenderedChart.renderWith(file), dir.resolve("file.yaml"));
    assertThat(fromFile).isEqualTo(new GuardConfig(List.of("192.168.10.0/24"), List.of(), 100_000_000L, 100L, List.of(
        new NamespaceGrant("team-a", List.of("192.168.10.0/25"), List.of("team-b"), null, 50L),
        new NamespaceGrant("*", null, null, true, null),
        new NamespaceGrant(RenderedChart.NAMESPACE, List.of("192.168.10.0/24"), List.of("*"), true, null))));

    // A grant of its own for the release's namespace replaces the platform grant.
    GuardConfig own = guardOf(render(values("guard.namespaces[0].name", RenderedChart.NAMESPACE, "guard.namespaces[0].nodes", true)),
        dir.resolve("own.yaml"));
    assertThat(own.namespaces()).containsExactly(new NamespaceGrant(RenderedChart.NAMESPACE, null, null, true, null));
  }

  @Test
  void serviceMonitorsOnlyWhenAsked() {
    assertThat(render().all(ServiceMonitor.class)).isEmpty();
    RenderedChart chart = render(values("metrics.serviceMonitor.enabled", true, "metrics.serviceMonitor.labels.release", "kube-prom"));
    List<ServiceMonitor> monitors = chart.all(ServiceMonitor.class);
    assertThat(monitors).hasSize(2);
    // The operator's per-policy series carry the policy's namespace; the target's own namespace
    // label must not rename it exported_namespace. The agents' series have none to keep.
    assertThat(monitors).filteredOn(m -> m.getMetadata().getName().endsWith("-operator")).singleElement()
        .satisfies(m -> assertThat(m.getSpec().getEndpoints().getFirst().getHonorLabels()).isTrue());
    assertThat(monitors).filteredOn(m -> m.getMetadata().getName().endsWith("-scanner")).singleElement()
        .satisfies(m -> assertThat(m.getSpec().getEndpoints().getFirst().getHonorLabels()).isNull());
    for (ServiceMonitor m : monitors) {
      assertThat(m.getMetadata().getLabels()).containsEntry("release", "kube-prom");
      Map<String, String> selector = m.getSpec().getSelector().getMatchLabels();
      Service target = chart.all(Service.class).stream()
          .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
          .findFirst().orElseThrow(() -> new AssertionError("no Service matches " + selector));
      assertThat(target.getSpec().getPorts()).extracting(p -> p.getName())
          .contains(m.getSpec().getEndpoints().getFirst().getPort());
    }
  }

  @Test
  void notesTellTheNextCommand() {
    // helm template leaves NOTES.txt out; a client-side dry-run install renders it as users see it.
    String notes = new Helm(RenderedChart.CHART).install().withName(RenderedChart.RELEASE)
        .withNamespace(RenderedChart.NAMESPACE).withKubeVersion(RenderedChart.KUBE_VERSION)
        .dryRun().withDryRunOption(com.marcnuri.helm.DryRun.CLIENT).clientOnly()
        .set("guard.allowedCidrs[0]", "10.20.0.0/16").call().getOutput();
    assertThat(notes).contains(
        "kubectl -n portolan-system get pods -l app.kubernetes.io/instance=scan",
        "kubectl label namespace portolan-system pod-security.kubernetes.io/enforce=privileged",
        "kubectl apply -f", "kubectl get scanreports",
        "Policies must stay inside the guard: 10.20.0.0/16",
        "svc/scan-portolan-operator-metrics 8080");
  }

  // Bad values fail at install time with a message that names the value.
  @Test
  void schemaRejectsBadValuesWithClearMessages() {
    assertRejected(values("guard.allowedCidrs", List.of("10.0.0.0/33")), "allowedCidrs");
    assertRejected(values("guard.allowedCidrs", List.of("every-address")), "allowedCidrs");
    assertRejected(values("guard.maxRatePerPolicy", 0), "maxRatePerPolicy");
    assertRejected(values("scanner.healthPort", 70000), "healthPort");
    assertRejected(values("scanner.healthPort", 80), "healthPort");
    assertRejected(values("scanner.statusPatch", "put"), "statusPatch");
    assertRejected(values("scanner.privilegd", true), "privilegd");
    assertRejected(values("operatr.replicas", 1), "operatr");
    assertRejected(values("image.digest", "latest"), "digest");
    assertRejected(values("sourcePods.enabled", true), "namespaces");
    assertRejected(values("scanner.admissionPolicy.enabled", "maybe"), "enabled");
    assertRejected(values("operator.replicas", 2, "operator.leaderElection", false), "leaderElection");
    assertRejected(values("operator.resources.requests.memory", "lots"), "memory");
    assertRejected(values("rbac.aggregateToDefaultRoles", "yes"), "aggregateToDefaultRoles");
  }

  private static void assertRejected(Map<String, Object> values, String named) {
    assertThatThrownBy(() -> render(values)).as("values %s", values)
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(named);
  }

  private static GuardConfig guardOf(RenderedChart chart, Path file) throws IOException {
    ConfigMap cm = chart.get(ConfigMap.class, "-guard");
    Files.writeString(file, cm.getData().get("guard.yaml"));
    return GuardConfig.parse(Files.readString(file), file.toString());
  }

  static Container operatorContainer(RenderedChart chart) {
    return chart.get(Deployment.class, "-operator").getSpec().getTemplate().getSpec().getContainers().getFirst();
  }

  static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().map(EnvVar::getValue).orElse(null);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** "group/resource:verbs" with sorted verbs, one per resource of every rule. */
  private static List<String> grants(HasMetadata role) {
    List<PolicyRule> rules = role instanceof ClusterRole cr ? cr.getRules() : ((Role) role).getRules();
    return rules.stream().flatMap(r -> r.getApiGroups().stream().flatMap(g -> r.getResources().stream()
        .map(res -> g + "/" + res + ":" + String.join(",", new TreeSet<>(r.getVerbs())))))
        .toList();
  }

  private static void assertNoDangerousGrant(List<PolicyRule> rules) {
    for (PolicyRule r : rules) {
      assertThat(r.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate");
      assertThat(r.getResources()).doesNotContain("*", "secrets", "pods/exec", "pods/attach", "pods/portforward",
          "roles", "rolebindings", "clusterroles", "clusterrolebindings", "serviceaccounts/token");
      assertThat(r.getApiGroups()).doesNotContain("*", "rbac.authorization.k8s.io");
      assertThat(r.getNonResourceURLs()).isNullOrEmpty();
    }
  }
}
