package dev.portolan.control.openreports;

import dev.portolan.control.aggregate.ReportAggregator.Evaluation;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec.Vantage;
import dev.portolan.crds.v1alpha1.ScanReportStatus.BrokenPath;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Violation;
import dev.portolan.crds.v1alpha1.Severity;
import dev.portolan.crds.v1alpha1.Timestamps;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A finished run's results as OpenReports ({@code openreports.io/v1alpha1 Report}), the format
 * Policy Reporter and its UI, alerts and exporters read. One Report per namespace the results are
 * about, named after the policy, so each team sees the findings about its own workloads next to
 * its other policy results: a violation is a {@code fail}, a path the NetworkPolicies allow but
 * that did not answer a {@code warn}, an allowed exposure a {@code pass} (only when asked), a run
 * that scanned only part of its scope an {@code error}. Results about no namespaced object (nodes,
 * addresses nothing in the cluster owns) go to the policy's own namespace, whose Report exists
 * after every run, so "nothing found" is visible too. A result's rule is the expectation that came
 * nearest to allowing it, else the kind of failure. Pure: the operator writes what this returns.
 */
public final class OpenReports {
  public static final String API_VERSION = "openreports.io/v1alpha1";
  public static final String KIND = "Report";
  public static final String SOURCE = "portolan";

  /** Results kept in one Report: about 500 bytes each, far below etcd's object size limit. */
  public static final int MAX_RESULTS = 500;

  /** Labels every Report carries: which policy and run wrote it. */
  public static final String POLICY_LABEL = ScanReport.POLICY_LABEL;
  public static final String POLICY_NAMESPACE_LABEL = "portolan.dev/policy-namespace";
  public static final String RUN_LABEL = ScanReport.RUN_LABEL;
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "portolan";

  /** When the run that wrote a Report was created: an older run never replaces a newer one's Reports. */
  public static final String RUN_CREATED_ANNOTATION = "portolan.dev/run-created";

  /** How many results did not fit ({@link #MAX_RESULTS}); the summary still counts them. */
  public static final String DROPPED_ANNOTATION = "portolan.dev/results-dropped";

  static final String EXPOSURE = "Network exposure";
  static final String SEGMENTATION = "Network segmentation";

  private OpenReports() {}

  /**
   * The Reports for {@code run}, one per namespace, sorted by namespace.
   *
   * @param run the run's ScanReport (spec and metadata; its status phase says whether it saw its whole scope)
   * @param evaluation every finding, violation and broken path of the run
   * @param passes whether allowed exposures are listed as pass results
   * @param completed when the run ended: the time of results without a probe time of their own
   */
  public static List<GenericKubernetesResource> of(ScanReport run, Evaluation evaluation, boolean passes, Instant completed) {
    String policyNamespace = run.getMetadata().getNamespace();
    String policy = run.getSpec().policy();
    String runName = run.getMetadata().getName();
    Vantage vantage = run.getSpec().scope() == null ? null : run.getSpec().scope().vantage();
    Map<String, List<Result>> byNamespace = new TreeMap<>();
    byNamespace.put(policyNamespace, new ArrayList<>());

    Map<String, Finding> violating = new LinkedHashMap<>();
    for (Violation v : evaluation.violations()) {
      Finding f = find(evaluation.open(), v.ip(), v.port());
      violating.put(v.ip() + ":" + v.port(), f);
      add(byNamespace, namespaceOf(v.target(), policyNamespace), violation(v, f, vantage, runName, time(f, completed)));
    }
    for (BrokenPath b : evaluation.brokenPaths()) {
      add(byNamespace, namespaceOf(b.target(), policyNamespace), broken(b, runName, completed));
    }
    if (passes) {
      for (Finding f : evaluation.open()) {
        if (!violating.containsKey(f.key())) {
          add(byNamespace, namespaceOf(f.target(), policyNamespace), pass(f, vantage, runName, time(f, completed)));
        }
      }
    }
    RunPhase phase = run.getStatus() == null ? null : run.getStatus().phase();
    if (phase == RunPhase.PartiallySucceeded || phase == RunPhase.Failed) {
      String why = run.getStatus().message() == null ? "" : ": " + run.getStatus().message();
      add(byNamespace, policyNamespace, new Result("error", "scope-scanned", EXPOSURE, null, completed,
          "Run " + runName + " ended " + phase + ": part of the scope was not scanned, so these results are incomplete" + why,
          List.of(), Map.of("run", runName)));
    }

    String created = run.getMetadata().getCreationTimestamp() != null
        ? run.getMetadata().getCreationTimestamp()
        : run.getSpec().audit() == null ? null : run.getSpec().audit().createdAt();
    List<GenericKubernetesResource> out = new ArrayList<>();
    for (Map.Entry<String, List<Result>> e : byNamespace.entrySet()) {
      if (e.getValue().isEmpty() && !e.getKey().equals(policyNamespace)) {
        continue;
      }
      out.add(report(e.getKey(), policyNamespace, policy, runName, created, ownerOf(run, e.getKey()), e.getValue()));
    }
    return out;
  }

  /**
   * The name of the policy's Report in every namespace: {@code portolan.<policy namespace>.<policy>}
   * (dots cannot occur in a namespace, so two policies never share a name), shortened with a hash
   * when longer than a name may be.
   */
  public static String name(String policyNamespace, String policy) {
    String name = "portolan." + policyNamespace + "." + policy;
    if (name.length() <= 253) {
      return name;
    }
    String hash = sha256(name).substring(0, 10);
    return name.substring(0, 253 - 11).replaceAll("[.-]+$", "") + "-" + hash;
  }

  /** A name as a label value: at most 63 characters, shortened with a hash. */
  public static String labelValue(String name) {
    return name.length() <= 63 ? name : name.substring(0, 52).replaceAll("[.-]+$", "") + "-" + sha256(name).substring(0, 10);
  }

  private static GenericKubernetesResource report(
      String namespace, String policyNamespace, String policy, String run, String created, OwnerReference owner,
      List<Result> results) {
    results.sort(Comparator.comparingInt(Result::rank).thenComparing(Result::sortKey));
    long pass = 0;
    long fail = 0;
    long warn = 0;
    long error = 0;
    for (Result r : results) {
      switch (r.result()) {
        case "pass" -> pass++;
        case "fail" -> fail++;
        case "warn" -> warn++;
        default -> error++;
      }
    }
    List<Result> kept = results.size() <= MAX_RESULTS ? results : results.subList(0, MAX_RESULTS);

    ObjectMeta meta = new ObjectMeta();
    meta.setName(name(policyNamespace, policy));
    meta.setNamespace(namespace);
    Map<String, String> labels = new TreeMap<>();
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    labels.put(POLICY_LABEL, labelValue(policy));
    labels.put(POLICY_NAMESPACE_LABEL, policyNamespace);
    labels.put(RUN_LABEL, labelValue(run));
    meta.setLabels(labels);
    Map<String, String> annotations = new TreeMap<>();
    if (created != null) {
      annotations.put(RUN_CREATED_ANNOTATION, created);
    }
    if (results.size() > kept.size()) {
      annotations.put(DROPPED_ANNOTATION, Long.toString(results.size() - kept.size()));
    }
    meta.setAnnotations(annotations.isEmpty() ? null : annotations);
    if (owner != null) {
      meta.setOwnerReferences(List.of(owner));
    }

    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(API_VERSION);
    r.setKind(KIND);
    r.setMetadata(meta);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("source", SOURCE);
    Map<String, Object> limits = new LinkedHashMap<>();
    limits.put("maxResults", MAX_RESULTS);
    body.put("configuration", Map.of("limits", limits));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("pass", pass);
    summary.put("fail", fail);
    summary.put("warn", warn);
    summary.put("error", error);
    summary.put("skip", 0L);
    body.put("summary", summary);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Result result : kept) {
      list.add(result.toMap(policyNamespace + "/" + policy));
    }
    body.put("results", list);
    r.setAdditionalProperties(body);
    return r;
  }

  /** One result, as the OpenReports API names its fields. */
  record Result(
      String result, String rule, String category, Severity severity, Instant time, String message,
      List<Map<String, Object>> resources, Map<String, String> properties) {
    int rank() {
      int base = switch (result) {
        case "error" -> 0;
        case "fail" -> 1;
        case "warn" -> 2;
        default -> 3;
      };
      return base * 10 + (severity == null ? 9 : 4 - severity.ordinal());
    }

    String sortKey() {
      String ip = properties.getOrDefault("ip", "");
      String port = properties.getOrDefault("port", "");
      return padIp(ip) + ":" + "0".repeat(Math.max(0, 5 - port.length())) + port;
    }

    Map<String, Object> toMap(String policy) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("source", SOURCE);
      m.put("policy", policy);
      m.put("rule", rule);
      m.put("category", category);
      if (severity != null) {
        m.put("severity", severity.name());
      }
      m.put("timestamp", Map.of("seconds", time.getEpochSecond(), "nanos", time.getNano()));
      m.put("result", result);
      m.put("scored", true);
      if (!resources.isEmpty()) {
        m.put("resources", resources);
      }
      m.put("message", message);
      if (!properties.isEmpty()) {
        m.put("properties", new TreeMap<>(properties));
      }
      return m;
    }
  }

  private static Result violation(Violation v, Finding f, Vantage vantage, String run, Instant time) {
    boolean isolated = v.networkPolicies() != null && !v.networkPolicies().isEmpty();
    Map<String, String> props = properties(v.ip(), v.port(), v.service(), f, run);
    if (isolated) {
      props.put("networkPolicies", String.join(",", v.networkPolicies()));
    }
    String message = endpoint(v.ip(), v.port(), v.service()) + describe(v.target()) + " is open to " + vantage(vantage)
        + (v.reason() == null ? "" : ": " + v.reason());
    // The rule is the expectation that came nearest to allowing it, as the policy's author named it;
    // without one, what kind of failure it is.
    String rule = v.rule() != null ? v.rule() : isolated ? "isolated-but-reachable" : "unexpected-exposure";
    return new Result("fail", rule, isolated ? SEGMENTATION : EXPOSURE,
        v.severity() == null ? Severity.medium : v.severity(), time, message, resources(v.target()), props);
  }

  private static Result broken(BrokenPath b, String run, Instant time) {
    Map<String, String> props = properties(b.ip(), b.port(), null, null, run);
    props.put("state", b.state());
    return new Result("warn", "blocked-although-allowed", SEGMENTATION, Severity.low, time,
        endpoint(b.ip(), b.port(), null) + ": " + b.reason(), resources(b.target()), props);
  }

  private static Result pass(Finding f, Vantage vantage, String run, Instant time) {
    return new Result("pass", "expected-exposure", EXPOSURE, Severity.info, time,
        endpoint(f.ip(), f.port(), f.service()) + describe(f.target()) + " is open to " + vantage(vantage) + ", as the expectations allow",
        resources(f.target()), properties(f.ip(), f.port(), f.service(), f, run));
  }

  private static Map<String, String> properties(String ip, Integer port, String service, Finding f, String run) {
    Map<String, String> props = new TreeMap<>();
    props.put("ip", ip);
    props.put("port", String.valueOf(port));
    props.put("protocol", "tcp");
    if (service != null) {
      props.put("service", service);
    }
    if (f != null) {
      if (f.product() != null) {
        props.put("product", f.product());
      }
      if (f.version() != null) {
        props.put("version", f.version());
      }
      if (f.target() != null && Target.UNCERTAIN.equals(f.target().attribution())) {
        props.put("attribution", Target.UNCERTAIN);
      }
    }
    props.put("run", run);
    return props;
  }

  /** The workload first (what a person fixes), then the object that owned the address. */
  private static List<Map<String, Object>> resources(Target t) {
    if (t == null) {
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    if (t.workload() != null) {
      out.add(ref(apiVersionOf(t.workload().kind()), t.workload().kind(), t.namespace(), t.workload().name(), null));
    }
    out.add(ref("v1", t.kind(), t.namespace(), t.name(), t.uid()));
    return out;
  }

  private static Map<String, Object> ref(String apiVersion, String kind, String namespace, String name, String uid) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apiVersion", apiVersion);
    m.put("kind", kind);
    if (namespace != null) {
      m.put("namespace", namespace);
    }
    m.put("name", name);
    if (uid != null) {
      m.put("uid", uid);
    }
    return m;
  }

  static String apiVersionOf(String workloadKind) {
    return switch (workloadKind) {
      case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet" -> "apps/v1";
      case "Job", "CronJob" -> "batch/v1";
      default -> "v1";
    };
  }

  /**
   * A Report in the run's own namespace belongs to the run, and goes with it; owner references
   * cannot cross namespaces, so the operator deletes the others when it prunes the run or deletes
   * the policy.
   */
  private static OwnerReference ownerOf(ScanReport run, String namespace) {
    if (!namespace.equals(run.getMetadata().getNamespace()) || run.getMetadata().getUid() == null) {
      return null;
    }
    return new OwnerReference(ScanPolicy.GROUP + "/" + ScanPolicy.VERSION, null, null, "ScanReport",
        run.getMetadata().getName(), run.getMetadata().getUid());
  }

  private static String namespaceOf(Target t, String fallback) {
    return t == null || t.namespace() == null ? fallback : t.namespace();
  }

  private static void add(Map<String, List<Result>> byNamespace, String namespace, Result r) {
    byNamespace.computeIfAbsent(namespace, k -> new ArrayList<>()).add(r);
  }

  private static Finding find(List<Finding> open, String ip, Integer port) {
    String key = ip + ":" + port;
    for (Finding f : open) {
      if (key.equals(f.key())) {
        return f;
      }
    }
    return null;
  }

  private static Instant time(Finding f, Instant fallback) {
    return f == null ? fallback : Timestamps.parse(f.time()).orElse(fallback);
  }

  private static String endpoint(String ip, Integer port, String service) {
    return ip + ":" + port + "/tcp" + (service == null ? "" : " (" + service + ")");
  }

  private static String describe(Target t) {
    return t == null ? "" : " on " + t.describe();
  }

  private static String vantage(Vantage v) {
    if (v == null || v.kind() == null || Vantage.NODE.equals(v.kind())) {
      return "the scanner agents on the nodes";
    }
    return "pods labelled " + v.labels() + (v.namespace() == null ? "" : " in namespace " + v.namespace());
  }

  private static String padIp(String ip) {
    String[] parts = ip.split("\\.");
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      b.append("0".repeat(Math.max(0, 3 - p.length()))).append(p).append('.');
    }
    return b.toString();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
