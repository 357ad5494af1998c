package dev.portolan.e2e;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code helm install} of charts/portolan would run, for processes instead of pods: the chart
 * is rendered (Helm as a library) with e2e's values, and the operator Deployment's and the scanner
 * DaemonSet's commands, arguments and environment become the lab processes' own, started through
 * the image's entry points (docker/bin, laid out as in the image under {@code image/}). Downward-API
 * variables get what the kubelet would give (the pod's namespace, the node's name) and the guard
 * ConfigMap becomes the file its volume would mount.
 */
final class LabChart {
  static final String RELEASE = "portolan";
  private static final String KUBE_VERSION = "1.27.0";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final List<HasMetadata> objects;
  private final Path root;
  private final Path image;
  private final Path guard;

  private LabChart(List<HasMetadata> objects, Path root, Path image, Path guard) {
    this.objects = objects;
    this.root = root;
    this.image = image;
    this.guard = guard;
  }

  /** Renders the chart with {@code values} and {@code sets}, and lays out the image under {@code work}. */
  static LabChart render(Path root, Path values, Map<String, Object> sets, String namespace, Path work, Path agentJar, Path operatorJar)
      throws IOException {
    var template = new Helm(root.resolve("charts/portolan")).template().withName(RELEASE).withNamespace(namespace)
        .withKubeVersion(KUBE_VERSION).withValuesFile(values);
    sets.forEach(template::set);
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : template.call().split("(?m)^---\\s*$")) {
      if (!doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
      }
    }
    Path image = work.resolve("image");
    Path bin = Files.createDirectories(image.resolve("bin"));
    Path lib = Files.createDirectories(image.resolve("lib"));
    try (var scripts = Files.list(root.resolve("docker/bin"))) {
      for (Path script : scripts.toList()) {
        Files.copy(script, bin.resolve(script.getFileName()));
      }
    }
    Files.createSymbolicLink(lib.resolve("portolan.jar"), agentJar);
    Files.createSymbolicLink(lib.resolve("portolan-operator.jar"), operatorJar);
    LabChart chart = new LabChart(objects, root, image, work.resolve("guard"));
    ConfigMap cm = chart.named(ConfigMap.class, "-guard");
    Files.createDirectories(chart.guard);
    for (var e : cm.getData().entrySet()) {
      Files.writeString(chart.guard.resolve(e.getKey()), e.getValue());
    }
    return chart;
  }

  /** The operator Deployment's container as a command line: its {@code command} and {@code args}. */
  List<String> operatorCommand() {
    return commandOf(operator());
  }

  /** Its environment, the downward API answered with {@code namespace}, the guard volume's path mapped here. */
  Map<String, String> operatorEnv(String namespace) {
    Map<String, String> env = envOf(operator(), Map.of("metadata.namespace", namespace));
    env.replaceAll((k, v) -> v.startsWith("/etc/portolan/") ? guard.resolve(v.substring("/etc/portolan/".length())).toString() : v);
    return env;
  }

  /**
   * The DaemonSet's container as a command line on a node: the image's entry point (it sets no
   * command) and its args, with {@code $(VAR)} references to its environment expanded as the kubelet
   * expands them.
   */
  List<String> agentCommand(Map<String, String> env) {
    return commandOf(agent()).stream().map(arg -> expand(arg, env)).toList();
  }

  /** Its environment on {@code node}, whose own address is {@code hostIp}. */
  Map<String, String> agentEnv(String node, String hostIp) {
    return envOf(agent(), Map.of("spec.nodeName", node, "status.hostIP", hostIp));
  }

  private static String expand(String arg, Map<String, String> env) {
    Matcher m = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(arg);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    return m.appendTail(out).toString();
  }

  /** The DaemonSet's health port (readiness probe). */
  int agentHealthPort() {
    return agent().getPorts().getFirst().getContainerPort();
  }

  int operatorMetricsPort() {
    return operator().getPorts().getFirst().getContainerPort();
  }

  /** The identities the chart makes: its service accounts, roles and bindings, as rendered. */
  List<HasMetadata> identities() {
    return objects.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.ServiceAccount
        || o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole || o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding
        || o instanceof io.fabric8.kubernetes.api.model.rbac.Role || o instanceof io.fabric8.kubernetes.api.model.rbac.RoleBinding).toList();
  }

  /** The service account the operator Deployment's pods run as. */
  String operatorAccount() {
    return named(Deployment.class, "-operator").getSpec().getTemplate().getSpec().getServiceAccountName();
  }

  /** The service account the DaemonSet's pods run as. */
  String agentAccount() {
    return named(DaemonSet.class, "-scanner").getSpec().getTemplate().getSpec().getServiceAccountName();
  }

  /** The labels the DaemonSet gives its pods (what the operator selects agents by). */
  java.util.Map<String, String> agentPodLabels() {
    return named(DaemonSet.class, "-scanner").getSpec().getTemplate().getMetadata().getLabels();
  }

  private Container operator() {
    return named(Deployment.class, "-operator").getSpec().getTemplate().getSpec().getContainers().getFirst();
  }

  private Container agent() {
    return named(DaemonSet.class, "-scanner").getSpec().getTemplate().getSpec().getContainers().getFirst();
  }

  private List<String> commandOf(Container c) {
    List<String> cmd = new ArrayList<>();
    List<String> command = c.getCommand() == null || c.getCommand().isEmpty() ? entryPoint() : c.getCommand();
    Path executable = image.resolve("bin").resolve(command.getFirst());
    if (!Files.isExecutable(executable)) {
      throw new IllegalStateException("the chart runs '" + command.getFirst() + "', which the image does not have (docker/bin)");
    }
    cmd.add(executable.toString());
    cmd.addAll(command.subList(1, command.size()));
    if (c.getArgs() != null) {
      cmd.addAll(c.getArgs());
    }
    return cmd;
  }

  /** The Dockerfile's ENTRYPOINT (exec form). */
  private List<String> entryPoint() {
    try {
      Matcher m = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(Files.readString(root.resolve("Dockerfile")));
      if (!m.find()) {
        throw new IllegalStateException("the Dockerfile has no exec-form ENTRYPOINT");
      }
      List<String> parts = new ArrayList<>();
      Matcher s = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
      while (s.find()) {
        parts.add(s.group(1));
      }
      return parts;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Map<String, String> envOf(Container c, Map<String, String> fieldRefs) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PORTOLAN_HOME", image.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    for (EnvVar e : c.getEnv()) {
      if (e.getValueFrom() != null) {
        String path = e.getValueFrom().getFieldRef().getFieldPath();
        String value = fieldRefs.get(path);
        if (value == null) {
          throw new IllegalStateException("the chart sets " + e.getName() + " from " + path + ", which the lab cannot answer");
        }
        env.put(e.getName(), value);
      } else {
        env.put(e.getName(), e.getValue());
      }
    }
    return env;
  }

  private <T extends HasMetadata> T named(Class<T> type, String suffix) {
    return objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> o.getMetadata().getName().endsWith(suffix)).findFirst()
        .orElseThrow(() -> new IllegalStateException("the chart renders no " + type.getSimpleName() + " *" + suffix));
  }
}
