package dev.portolan.scanner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portolan.control.UsageException;
import dev.portolan.control.cluster.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where a local run learns the cluster: a snapshot (YAML streams or {@code kubectl get -o yaml}
 * Lists of Namespaces, Pods, Services, EndpointSlices, Nodes, NetworkPolicies, ReplicaSets, Jobs;
 * other kinds are skipped and counted; an object without a namespace is in "default", as kubectl
 * apply would put it) or a live API server ({@code --kubeconfig}, or the pod's own
 * service account in a cluster). The control logic then resolves the run against it exactly as the
 * operator does against its informers.
 */
final class ClusterSources {
  private static final Set<String> KINDS = Set.copyOf(ClusterSnapshot.KINDS);
  /** The API version a run reads each kind in; {@link ClusterSnapshot#KINDS} are its keys. */
  private static final Map<String, String> API_VERSIONS = Map.of(
      "Namespace", "v1", "Pod", "v1", "Service", "v1", "Node", "v1", "EndpointSlice", "discovery.k8s.io/v1",
      "NetworkPolicy", "networking.k8s.io/v1", "ReplicaSet", "apps/v1", "Job", "batch/v1");
  private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node");
  private static final String DEFAULT_NAMESPACE = "default";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private ClusterSources() {}

  /** Reads snapshot files ("-" is standard input); a file that is not Kubernetes YAML is exit 2. */
  static ClusterSnapshot fromFiles(List<Path> files, InputStream stdin, Instant now, Consumer<String> notices) {
    List<HasMetadata> objects = new ArrayList<>();
    int skipped = 0;
    java.util.TreeSet<String> skippedKinds = new java.util.TreeSet<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<String> names = new ArrayList<>();
    for (Path file : files) {
      String what = file.toString().equals("-") ? "standard input" : "'" + file + "'";
      names.add(file.toString().equals("-") ? "stdin" : file.getFileName().toString());
      String text;
      try {
        text = file.toString().equals("-")
            ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
            : InputFiles.text(file, "the objects file");
      } catch (IOException e) {
        throw new UsageException("cannot read the objects from " + what + ": " + e.getMessage());
      }
      int count = 0;
      try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(text)) {
        while (docs.hasNext()) {
          JsonNode doc = docs.next();
          if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
            continue;
          }
          List<JsonNode> items = new ArrayList<>();
          if (doc.path("kind").asText().endsWith("List") && doc.has("items")) {
            doc.path("items").forEach(items::add);
          } else {
            items.add(doc);
          }
          for (JsonNode item : items) {
            String kind = item.path("kind").asText("");
            if (kind.isEmpty() || !item.has("apiVersion")) {
              throw new UsageException(what + " holds an object without apiVersion and kind: give Kubernetes objects,"
                  + " as 'kubectl get pods,services,endpointslices,nodes,networkpolicies,namespaces -A -o yaml' prints them");
            }
            String apiVersion = item.path("apiVersion").asText("");
            if (!KINDS.contains(kind) || (!apiVersion.equals(API_VERSIONS.get(kind)) && isCustomGroup(apiVersion))) {
              skipped++; // a kind a run does not use, or a custom resource of the same name (Knative's Service)
              skippedKinds.add(kind + (KINDS.contains(kind) ? " " + apiVersion : ""));
              continue;
            }
            if (!apiVersion.equals(API_VERSIONS.get(kind))) {
              // Dropping it would silently change the result: a NetworkPolicy left out isolates nothing.
              throw new UsageException(what + " holds a " + kind + " of apiVersion '" + apiVersion + "': a run reads "
                  + kind + " objects as " + API_VERSIONS.get(kind) + ", as 'kubectl get -o yaml' prints them");
            }
            if (item.path("metadata").path("name").asText("").isBlank()) {
              throw new UsageException(what + " holds a " + kind + " without metadata.name: every object needs its name");
            }
            if (!CLUSTER_SCOPED.contains(kind) && item.path("metadata").path("namespace").asText("").isBlank()) {
              // A hand-written object without a namespace is where kubectl apply would put it.
              ((ObjectNode) item.get("metadata")).put("namespace", DEFAULT_NAMESPACE);
            }
            objects.add(SERIALIZATION.unmarshal(yaml.writeValueAsString(item), HasMetadata.class));
            count++;
          }
        }
      } catch (IOException | RuntimeException e) {
        if (e instanceof UsageException u) {
          throw u;
        }
        throw new UsageException(what + " is not a YAML stream of Kubernetes objects: " + firstLine(e.getMessage()));
      }
      if (count == 0) {
        notices.accept("no Namespace, Pod, Service, EndpointSlice, Node, NetworkPolicy, ReplicaSet or Job in " + what);
      }
    }
    if (skipped > 0) {
      notices.accept("skipped " + skipped + (skipped == 1 ? " object" : " objects") + " of kinds a run does not use ("
          + String.join(", ", skippedKinds) + ")");
    }
    return ClusterSnapshot.of(objects, now, "snapshot " + String.join(", ", names));
  }

  /** The client for {@code --kubeconfig FILE}, or the in-cluster (or default kubeconfig) one. */
  static KubernetesClient client(Path kubeconfig) {
    if (kubeconfig == null) {
      return new KubernetesClientBuilder().build();
    }
    String text = InputFiles.text(kubeconfig, "the kubeconfig");
    try {
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(text)).build();
    } catch (RuntimeException e) {
      throw new UsageException("'" + kubeconfig + "' is not a usable kubeconfig: " + firstLine(e.getMessage()));
    }
  }

  /** Lists what a run resolves against, in every namespace; a refusal (403) says what may not be listed. */
  static ClusterSnapshot fromCluster(KubernetesClient client, Instant now) {
    List<HasMetadata> objects = new ArrayList<>();
    String what = "namespaces";
    try {
      objects.addAll(client.namespaces().list().getItems());
      what = "pods";
      objects.addAll(client.pods().inAnyNamespace().list().getItems());
      what = "services";
      objects.addAll(client.services().inAnyNamespace().list().getItems());
      what = "endpointslices";
      objects.addAll(client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems());
      what = "nodes";
      objects.addAll(client.nodes().list().getItems());
      what = "networkpolicies";
      objects.addAll(client.network().v1().networkPolicies().inAnyNamespace().list().getItems());
      what = "replicasets";
      objects.addAll(client.apps().replicaSets().inAnyNamespace().list().getItems());
      what = "jobs";
      objects.addAll(client.batch().v1().jobs().inAnyNamespace().list().getItems());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw new UsageException("the API server refused to list " + what + " (" + e.getCode()
            + "): a local run reads namespaces, pods, services, endpointslices, nodes, networkpolicies, replicasets and"
            + " jobs in all namespaces; grant list on them, or give a snapshot with --objects");
      }
      throw new UsageException("cannot read the cluster at " + client.getConfiguration().getMasterUrl() + " (listing "
          + what + "): " + firstLine(e.getMessage()));
    }
    return ClusterSnapshot.of(objects, now, "cluster " + client.getConfiguration().getMasterUrl());
  }

  /** A group of some CRD (knative.dev, cilium.io...), not one of Kubernetes' own (core, apps, *.k8s.io). */
  private static boolean isCustomGroup(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    return group.contains(".") && !group.endsWith(".k8s.io");
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
