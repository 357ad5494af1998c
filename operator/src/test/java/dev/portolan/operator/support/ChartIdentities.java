package dev.portolan.operator.support;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.portolan.testkit.KubeApi;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The operator's and the agents' identities as the Helm chart makes them, on the real API server
 * tier: the chart rendered for a release named after the test's namespace (installed in it), its
 * service accounts, ClusterRoles, Roles and bindings applied, and clients that hold those service
 * accounts' own tokens. Every request the operator or the agent under test makes is then
 * authorised by RBAC against the chart's rules, so a rule the chart lacks fails the test with the
 * API server's 403 (the mock tier's {@code RbacCoverageIT} only compares recorded requests).
 *
 * <p>Every namespace the test makes is one of the chart's {@code sourcePods.namespaces}, as an
 * admin would list the namespaces source pods run in; adding one renders and applies again.
 */
final class ChartIdentities {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private final KubeApi api;
  private final String namespace;
  private final Set<String> sourceNamespaces = new LinkedHashSet<>();

  ChartIdentities(KubeApi api, String namespace) {
    this.api = api;
    this.namespace = namespace;
    sourceNamespaces.add(namespace);
  }

  /** The release's full name: the namespace already contains the chart's name, so Helm keeps it as it is. */
  private String fullname() {
    return namespace;
  }

  String operatorAccount() {
    return fullname() + "-operator";
  }

  String scannerAccount() {
    return fullname() + "-scanner";
  }

  /** Applies the chart's identities (again, with {@code extra} as a source-pod namespace too). */
  synchronized void apply(String... extra) {
    sourceNamespaces.addAll(List.of(extra));
    TemplateCommand template = new Helm(KubeApi.repositoryRoot().resolve("charts/portolan")).template()
        .withName(fullname()).withNamespace(namespace).withKubeVersion("1.29.0")
        .set("sourcePods.enabled", true);
    int i = 0;
    for (String ns : sourceNamespaces) {
      template.set("sourcePods.namespaces[" + i++ + "]", ns);
    }
    KubernetesClient admin = api.admin();
    for (HasMetadata o : parse(template.call())) {
      if (o instanceof ServiceAccount || o instanceof ClusterRole || o instanceof ClusterRoleBinding
          || o instanceof Role || o instanceof RoleBinding) {
        admin.resource(o).forceConflicts().fieldManager("portolan-tests").serverSideApply();
      }
    }
  }

  private static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (!doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
      }
    }
    return objects;
  }
}
