package dev.portolan.operator;

import dev.portolan.control.UsageException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's settings: each is a flag with an environment variable as its default (what the
 * chart's Deployment sets) and a built-in default after that. A dozen flags do not need a CLI
 * library; this keeps the operator's jar to what it runs (decision 007). Parsing follows the usual
 * habits: {@code --name value} or {@code --name=value}, {@code --help}, {@code --version}; a
 * mistake is a {@link UsageException} (exit 2, one line).
 */
public final class OperatorFlags {
  /** One setting: its flag, the environment variable it defaults from, its built-in default. */
  public record Flag(String name, String env, String fallback, String description) {}

  public static final List<Flag> FLAGS = List.of(
      new Flag("--watch-namespaces", "PORTOLAN_WATCH_NAMESPACES", "",
          "Namespaces whose policies are reconciled (comma-separated); all when empty."),
      new Flag("--namespace", "POD_NAMESPACE", "",
          "The operator's namespace: scanner agents and the leader lease live there."),
      new Flag("--guard", "PORTOLAN_GUARD", "", "The scan guard file (YAML); safe defaults without it."),
      new Flag("--metrics-port", "PORTOLAN_METRICS_PORT", "8080",
          "Port of /metrics, /healthz and /readyz; -1 turns them off."),
      new Flag("--leader-election", "PORTOLAN_LEADER_ELECTION", "true",
          "Elect a leader with a Lease so replicas are safe (true or false)."),
      new Flag("--lease-name", "PORTOLAN_LEASE_NAME", OperatorConfig.DEFAULT_LEASE, "The leader Lease's name."),
      new Flag("--server-side-apply", "PORTOLAN_SERVER_SIDE_APPLY", "true",
          "Write policy status by server-side apply (true or false)."),
      new Flag("--agent-selector", "PORTOLAN_AGENT_SELECTOR", "app.kubernetes.io/component=scanner",
          "Labels of the scanner agent pods, k=v[,k=v]."),
      new Flag("--agent-nodes", "PORTOLAN_AGENT_NODES", "",
          "Take these nodes' agents as ready without reading pods (comma-separated)."),
      new Flag("--source-pod-image", "PORTOLAN_SOURCE_POD_IMAGE", "", "Image of the scanner pods of Pod-sourced runs."),
      new Flag("--source-pod-args", "PORTOLAN_SOURCE_POD_ARGS", dev.portolan.operator.cluster.SourcePodTemplate.DEFAULT_ARGS,
          "Their arguments; {node}, {namespace}, {run} are replaced."),
      new Flag("--source-pod-service-account", "PORTOLAN_SOURCE_POD_SERVICE_ACCOUNT", "portolan-source",
          "Their service account (in the source namespace)."),
      new Flag("--source-pod-image-pull-secrets", "PORTOLAN_SOURCE_POD_IMAGE_PULL_SECRETS", "",
          "Pull secrets of their image (names, comma-separated, in the pod's namespace)."),
      new Flag("--source-pod-resources", "PORTOLAN_SOURCE_POD_RESOURCES", "",
          "Their resources, as a container's resources in JSON ({\"requests\":{\"cpu\":\"100m\"}}); empty: none."),
      new Flag("--source-pod-tolerations", "PORTOLAN_SOURCE_POD_TOLERATIONS", "",
          "Their tolerations, as a pod's in JSON ([{\"operator\":\"Exists\"}]); empty: none."),
      new Flag("--source-pod-node-selector", "PORTOLAN_SOURCE_POD_NODE_SELECTOR", "",
          "Their node selector, k=v[,k=v]; empty: any node."),
      new Flag("--resync-seconds", "PORTOLAN_RESYNC_SECONDS", "300", "Longest time between two reconciles of a policy."),
      new Flag("--replan-seconds", "PORTOLAN_REPLAN_SECONDS", "30", "How often a run without agents looks for them again."),
      new Flag("--status-seconds", "PORTOLAN_STATUS_SECONDS", "10",
          "How often a running run's status is aggregated from its pages (a shard's start or end at once)."),
      new Flag("--open-reports", "PORTOLAN_OPEN_REPORTS", "true",
          "Write each finished run's results as OpenReports (openreports.io/v1alpha1 Report) where the cluster serves them."),
      new Flag("--target-label-keys", "PORTOLAN_TARGET_LABEL_KEYS", String.join(",", dev.portolan.control.cluster.TargetLabels.DEFAULT_KEYS),
          "Label keys a finding's target may carry (comma-separated; never all labels)."));

  private final Map<String, String> values;

  private OperatorFlags(Map<String, String> values) {
    this.values = values;
  }

  /** What was asked for besides running. */
  public enum Action {
    RUN,
    HELP,
    VERSION
  }

  /** {@link #parse}'s answer: the action and, for RUN, the settings. */
  public record Parsed(Action action, OperatorFlags flags) {}

  /** Flags first, then the environment, then the built-in defaults. */
  public static Parsed parse(String[] args, Map<String, String> env) {
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return new Parsed(Action.HELP, null);
      }
      if (a.equals("--version") || a.equals("-V")) {
        return new Parsed(Action.VERSION, null);
      }
      String name = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      Flag flag = find(name);
      if (flag == null) {
        throw new UsageException(a.startsWith("-")
            ? "unknown option '" + name + "'; see --help"
            : "unexpected argument '" + a + "': every setting is a --flag; see --help");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException(name + " needs a value; see --help");
        }
        value = args[++i];
      }
      given.put(flag.name(), value);
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Flag f : FLAGS) {
      String v = given.get(f.name());
      if (v == null) {
        String e = env.get(f.env());
        v = e == null || e.isEmpty() ? f.fallback() : e;
      }
      values.put(f.name(), v);
    }
    return new Parsed(Action.RUN, new OperatorFlags(values));
  }

  private static Flag find(String name) {
    for (Flag f : FLAGS) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  public String text(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no flag " + name);
    }
    return v;
  }

  public List<String> list(String name) {
    return java.util.Arrays.stream(text(name).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  public long number(String name) {
    String v = text(name).strip();
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a whole number, not '" + v + "'");
    }
  }

  public boolean bool(String name) {
    String v = text(name).strip();
    return switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new UsageException(name + " must be true or false, not '" + v + "'");
    };
  }

  /** The --help text: every flag, its environment variable and its default. */
  public static String help(String version) {
    StringBuilder b = new StringBuilder();
    b.append("Usage: portolan-operator [--FLAG VALUE]...\n")
        .append("Reconciles ScanPolicies into runs (ScanReports) and aggregates what the scanner agents find (")
        .append(version).append(").\n")
        .append("Every flag defaults from its environment variable, then from the value shown.\n\n");
    for (Flag f : FLAGS) {
      b.append(String.format(java.util.Locale.ROOT, "  %-34s %s%n  %-34s env %s%s%n", f.name() + " VALUE", f.description(), "",
          f.env(), f.fallback().isEmpty() ? "" : ", default " + f.fallback()));
    }
    b.append(String.format(java.util.Locale.ROOT, "  %-34s %s%n  %-34s %s%n", "-h, --help", "Show this help and exit.",
        "-V, --version", "Print the version and exit."));
    return b.toString();
  }
}
