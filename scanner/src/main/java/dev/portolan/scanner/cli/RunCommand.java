package dev.portolan.scanner.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.portolan.control.UsageException;
import dev.portolan.control.aggregate.ReportAggregator;
import dev.portolan.control.aggregate.RunIndex;
import dev.portolan.control.cluster.ClusterSnapshot;
import dev.portolan.control.cluster.SelectorTargets;
import dev.portolan.control.cluster.TargetLabels;
import dev.portolan.control.guard.Guard;
import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.guard.GuardDecision;
import dev.portolan.control.run.FindingPages;
import dev.portolan.control.run.RunNames;
import dev.portolan.control.run.RunResolution;
import dev.portolan.control.run.RunSpecs;
import dev.portolan.control.run.ShardPlanner;
import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportSpec.Vantage;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.crds.v1alpha1.SourceSpec;
import dev.portolan.scanner.agent.FindingMapper;
import dev.portolan.scanner.agent.ShardRunner;
import dev.portolan.scanner.engine.PathResolver;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.engine.ScannerFactory;
import dev.portolan.scanner.probe.Validator;
import dev.portolan.scanner.report.FindingWriter;
import dev.portolan.scanner.report.OutputFormat;
import dev.portolan.scanner.report.OwnerName;
import dev.portolan.scanner.report.ScanInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code portolan run -f policy.yaml}: a ScanPolicy executed on this machine by the same code path
 * as in a cluster (guard, shard plan with one local shard, engine, validation, paging,
 * aggregation), printing the resulting ScanReports as YAML.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run a ScanPolicy here, without a cluster, and print its ScanReport(s) as YAML.",
      "With --objects (a snapshot) or --kubeconfig (a live cluster), every finding names the workload that owns its"
          + " address, cluster selectors and workload expectations resolve, and NetworkPolicies can be tested.",
      "Example: portolan run -f examples/policy.yaml -o report.yaml",
      "         portolan run -f segmentation.yaml --objects cluster.yaml --fail-on-violation"
    })
public final class RunCommand implements Callable<Integer> {
  static final int EXIT_VIOLATIONS = 3;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE", description = "The ScanPolicy (YAML, as for kubectl apply).")
  Path policyFile;

  @Option(names = "--objects", paramLabel = "FILE", description = "A cluster snapshot to resolve the run against: YAML streams or"
      + " 'kubectl get -o yaml' Lists of Namespaces, Pods, Services, EndpointSlices, Nodes, NetworkPolicies (ReplicaSets and"
      + " Jobs name Deployments and CronJobs); repeatable; - reads standard input.")
  List<Path> objects = new ArrayList<>();

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Resolve the run against the live cluster this kubeconfig names.")
  Path kubeconfig;

  @Option(names = "--in-cluster", description = "Resolve the run against the cluster this pod runs in (its service account).")
  boolean inCluster;

  @Option(names = "--label-keys", split = ",", paramLabel = "KEY", description = "Label keys a finding's target may carry"
      + " (default app.kubernetes.io/name,app.kubernetes.io/instance,app); never all labels.")
  List<String> labelKeys;

  @Option(names = "--guard", paramLabel = "FILE", description = "Scan guard (allowed and excluded ranges, rate caps); default: private ranges and loopback only, link-local and metadata addresses excluded.")
  Path guardFile;

  @Option(names = "--previous", paramLabel = "FILE", description = "An earlier report of the same policy (this command's output): the new report carries the diff.")
  Path previousFile;

  @Option(names = "-o", paramLabel = "FILE", description = "Write the report(s) here (default: standard output).")
  Path output;

  @Option(names = "-oJ", paramLabel = "FILE", description = "Also write the findings as NDJSON, each with its target.")
  Path outputJson;

  @Option(names = "-oX", paramLabel = "FILE", description = "Also write nmap XML (targets as host names), for DefectDojo, Metasploit and ndiff.")
  Path outputXml;

  @Option(names = "-oL", paramLabel = "FILE", description = "Also write masscan's list format.")
  Path outputList;

  @Option(names = "--fail-on-violation", description = "Exit with code 3 when any open port violates the policy's expectations.")
  boolean failOnViolation;

  @Option(names = {"-e", "--interface"}, paramLabel = "IF", description = "Send on this interface (default: from the routing table).")
  String ifname;

  @Option(names = "--connect", description = "Use TCP connects instead of raw SYN probes.")
  boolean connect;

  @Option(names = "--progress", description = "Show progress on standard error even when it is not a terminal.")
  boolean progress;

  @Option(names = {"-q", "--quiet"}, description = "No progress and no notices.")
  boolean quiet;

  private final java.io.PrintStream err = System.err;

  static ObjectMapper yaml() {
    return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // "0.6", "10", "true" as text stay text: the CRD schema wants strings there.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS))
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }

  @Override
  public Integer call() throws IOException {
    ScanPolicy policy = readPolicy(policyFile);
    GuardConfig guardConfig = guardFile == null ? GuardConfig.localDefaults()
        : GuardConfig.parse(InputFiles.text(guardFile, "the guard file"), guardFile.toString());
    Optional<ReportAggregator.PreviousRun> previous = previousFile == null ? Optional.empty() : Optional.of(readPrevious(previousFile));
    for (Path p : new Path[] {output, outputJson, outputXml, outputList}) {
      if (p != null && (Files.isDirectory(p) || (p.toAbsolutePath().getParent() != null && !Files.isDirectory(p.toAbsolutePath().getParent())))) {
        throw new UsageException("cannot write '" + p + "': give a file in an existing directory");
      }
    }
    if (!objects.isEmpty() && (kubeconfig != null || inCluster)) {
      throw new UsageException("give the cluster one way: --objects (a snapshot) or --kubeconfig/--in-cluster (a live cluster)");
    }
    if (objects.stream().filter(p -> p.toString().equals("-")).count() > 1) {
      throw new UsageException("--objects - (standard input) can be given once");
    }
    TargetLabels labels = labelKeys == null || labelKeys.isEmpty() ? TargetLabels.defaults()
        : new TargetLabels(labelKeys.stream().map(String::strip).filter(k -> !k.isEmpty()).toList());
    Instant started = Instant.now();
    ClusterSnapshot snapshot = readCluster(started);
    ScanPolicySpec spec = policy.getSpec();
    String namespace = policy.getMetadata().getNamespace();
    if (spec.targets() != null && spec.targets().selectsClusterObjects() && snapshot == null) {
      throw new UsageException("the policy selects nodes, services or pods: give the cluster with --objects FILE (a snapshot)"
          + " or --kubeconfig FILE, or give targets.cidrs to run it without one");
    }
    boolean podSourced = spec.source() != null && spec.source().type() == SourceSpec.Type.Pod;
    if (podSourced && snapshot == null) {
      throw new UsageException("source.type Pod scans from a pod in a cluster; remove spec.source to run it here, or give --objects"
          + " so the NetworkPolicies are evaluated as for that pod");
    }
    if (spec.expectations() != null && spec.expectations().derivedFromNetworkPolicies() && snapshot == null) {
      throw new UsageException("expectations.fromNetworkPolicies needs the cluster's NetworkPolicies: give --objects FILE or --kubeconfig FILE");
    }
    List<String> clusterAddresses = snapshot == null ? List.of() : SelectorTargets.resolve(spec.targets(), namespace, snapshot);
    GuardDecision decision = new Guard(guardConfig).evaluate(spec, namespace, clusterAddresses);
    if (decision instanceof GuardDecision.Rejected r) {
      throw new UsageException("the guard rejects this policy (" + r.reason() + "): " + r.message());
    }
    GuardDecision.Accepted accepted = (GuardDecision.Accepted) decision;
    String run = RunNames.forLocalRun(policy.getMetadata().getName(), started);
    List<ShardAssignment> shards =
        ShardPlanner.plan(List.of("local"), spec.rateOrDefault(), 1, guardConfig.maxRatePerNode());
    Vantage vantage;
    if (podSourced) {
      String ns = spec.source().pod().namespace() == null ? namespace : spec.source().pod().namespace();
      vantage = new Vantage(Vantage.POD, ns, spec.source().pod().labels(), null, null);
      notice("probes leave from this host; the NetworkPolicies are evaluated as for a pod in " + ns + " with labels "
          + spec.source().pod().labels() + ": run this where the network treats this host's traffic as that pod's");
    } else {
      vantage = new Vantage(Vantage.NODE, null, null, null, null);
    }
    RunResolution resolution = snapshot == null ? RunResolution.none(vantage)
        : RunResolution.resolve(spec.expectations(), namespace, accepted.scope().hosts(), accepted.ports(), snapshot, vantage, labels);
    ScanReport main =
        RunSpecs.mainReport(
            policy, run, accepted, guardConfig, shards, new SecureRandom().nextLong() & Long.MAX_VALUE,
            new RunSpecs.Trigger("local", "portolan run (" + System.getProperty("user.name") + ")", Main.version()),
            started, resolution);
    List<ScanReportPage> indexPages = new ArrayList<>();
    List<List<IndexEntry>> indexChunks = FindingPages.splitAny(resolution.entries());
    for (int i = 0; i < indexChunks.size(); i++) {
      indexPages.add(RunSpecs.indexPage(main, i + 1, indexChunks.get(i)));
    }
    RunIndex runIndex = snapshot == null ? RunIndex.none()
        : RunIndex.of(indexPages, resolution.resolvedAt(), resolution.source(), Instant.now(), 0);
    notice(String.format(Locale.ROOT, "policy %s: %s x %s = %s, about %d s at %d probes/s (%s)%s",
        policy.getMetadata().getName(), count(accepted.workload().addresses(), "address", "addresses"),
        count(accepted.workload().ports(), "port", "ports"), count(accepted.workload().probes(), "probe", "probes"),
        accepted.workload().expectedSeconds(), shards.get(0).rate(), spec.purpose(),
        snapshot == null ? "" : "; " + count(resolution.entries().size(), "address", "addresses") + " owned by cluster objects ("
            + resolution.source() + ")"));

    Validator validator = ShardRunner.validatorFor(spec.validation());
    ScannerFactory.Options options =
        new ScannerFactory.Options(
            new PathResolver.Overrides(Optional.ofNullable(ifname), java.util.OptionalInt.empty(), Optional.empty()),
            Optional.empty(), connect, dev.portolan.scanner.engine.ConnectScanner.DEFAULT_CONCURRENCY);
    ShardAssignment shard = shards.get(0);
    ShardRunner runner = new ShardRunner(main.getSpec(), shard, 0, options, validator, "local", this::notice);
    List<dev.portolan.scanner.report.Finding> results = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    Thread interrupt = new Thread(() -> {
      runner.stop();
      try {
        done.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "portolan-interrupt");
    Runtime.getRuntime().addShutdownHook(interrupt);
    try {
      Thread progressThread = startProgress(runner);
      ScanSummary summary;
      try {
        summary = runner.run(results::add);
      } finally {
        progressThread.interrupt();
      }
      ShardStatus status = new ShardStatus(
          "local", summary.completed() ? RunPhase.Succeeded : RunPhase.Failed,
          summary.resumeFrom(), runner.plan().totalPositions(), summary.probesSent(), summary.open(), summary.closed(),
          summary.filtered(), (long) results.size(), null, 1, started.toString(), Instant.now().toString(),
          Instant.now().toString(), summary.completed() ? null : "interrupted; resume index " + summary.resumeFrom(),
          runner.discovery());
      List<dev.portolan.scanner.report.Finding> ordered = sortedCopy(results);
      List<Finding> apiFindings = new ArrayList<>(ordered.size());
      for (dev.portolan.scanner.report.Finding f : ordered) {
        apiFindings.add(FindingMapper.of(f, "local"));
      }
      List<Finding> attributed = ReportAggregator.attribute(apiFindings, runIndex);
      List<List<Finding>> chunks = FindingPages.split(attributed);
      List<ScanReportPage> pages = new ArrayList<>();
      for (int i = 0; i < chunks.size(); i++) {
        pages.add(RunSpecs.page(main, shard.index(), i + 1, chunks.get(i)));
      }
      Map<String, ShardStatus> shardMap = Map.of(Integer.toString(shard.index()), status);
      ScanReportStatus aggregated = ReportAggregator.aggregate(main, shardMap, pages, runIndex, previous, Instant.now());
      main.setStatus(withShards(aggregated, shardMap));
      write(main, indexPages, pages);
      writeOtherFormats(ordered, attributed, summary, started, accepted.ports());
      ScanReportStatus.ReportSummary s = aggregated.summary();
      notice(String.format(Locale.ROOT, "%s: %s", run, aggregated.message()));
      return failOnViolation && s.violations() > 0 ? EXIT_VIOLATIONS : 0;
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(interrupt);
      } catch (IllegalStateException e) {
        // shutting down after Ctrl-C: the hook waits for the report written above
      }
    }
  }

  /** The cluster the run is resolved against: a snapshot, the live cluster, or none. */
  private ClusterSnapshot readCluster(Instant now) {
    if (!objects.isEmpty()) {
      return ClusterSources.fromFiles(objects, System.in, now, this::notice);
    }
    if (kubeconfig != null || inCluster) {
      try (KubernetesClient client = ClusterSources.client(kubeconfig)) {
        return ClusterSources.fromCluster(client, now);
      }
    }
    return null;
  }

  /** -oJ, -oX, -oL: the same findings, each with what owned its address. */
  private void writeOtherFormats(
      List<dev.portolan.scanner.report.Finding> results, List<Finding> attributed, ScanSummary summary, Instant started,
      PortSet ports) throws IOException {
    Map<String, OwnerName> owners = new java.util.HashMap<>();
    for (Finding f : attributed) {
      if (f.target() != null) {
        owners.put(f.key(), Owners.of(f.target()));
      }
    }
    ScanInfo info = new ScanInfo(commandLine(), summary.method(), ports, started, Main.version());
    for (var out : List.of(Map.entry(OutputFormat.NDJSON, Optional.ofNullable(outputJson)),
        Map.entry(OutputFormat.XML, Optional.ofNullable(outputXml)), Map.entry(OutputFormat.LIST, Optional.ofNullable(outputList)))) {
      if (out.getValue().isEmpty()) {
        continue;
      }
      try (FindingWriter w = out.getKey().open(Outputs.open(out.getValue().get()))) {
        w.begin(info);
        for (dev.portolan.scanner.report.Finding f : results) {
          if (f.result().state() != dev.portolan.scanner.engine.PortState.OPEN) {
            continue;
          }
          w.write(f.withOwner(owners.get(f.result().addressText() + ":" + f.result().port())));
        }
        w.end(summary);
      }
    }
  }

  private String commandLine() {
    return "portolan run -f " + policyFile + (objects.isEmpty() ? "" : " --objects "
        + String.join(" --objects ", objects.stream().map(Path::toString).toList()));
  }

  private Thread startProgress(ShardRunner runner) {
    boolean on = progress || (!quiet && System.console() != null && System.console().isTerminal());
    return Thread.ofPlatform().daemon(true).start(() -> {
      try {
        while (runner.counters() == null) {
          Thread.sleep(100);
        }
        Progress p = Progress.start(runner.counters(), err, on);
        try {
          Thread.sleep(Long.MAX_VALUE);
        } finally {
          p.close();
        }
      } catch (InterruptedException e) {
        // the run ended
      }
    });
  }

  private static List<dev.portolan.scanner.report.Finding> sortedCopy(List<dev.portolan.scanner.report.Finding> findings) {
    List<dev.portolan.scanner.report.Finding> copy;
    synchronized (findings) {
      copy = new ArrayList<>(findings);
    }
    copy.sort(java.util.Comparator.<dev.portolan.scanner.report.Finding>comparingLong(f -> Ipv4.unsigned(f.result().address()))
        .thenComparingInt(f -> f.result().port()));
    return copy;
  }

  private static ScanReportStatus withShards(ScanReportStatus s, Map<String, ShardStatus> shards) {
    return new ScanReportStatus(s.phase(), s.message(), s.observedGeneration(), s.startTime(), s.completionTime(),
        shards, s.summary(), s.findings(), s.pages(), s.diff(), s.violations(), s.brokenPaths(), s.index(), s.conditions());
  }

  private void write(ScanReport main, List<ScanReportPage> indexPages, List<ScanReportPage> pages) throws IOException {
    ObjectMapper yaml = yaml();
    StringBuilder out = new StringBuilder();
    out.append("---\n").append(yaml.writeValueAsString(main));
    for (ScanReportPage p : indexPages) {
      out.append("---\n").append(yaml.writeValueAsString(p));
    }
    for (ScanReportPage p : pages) {
      out.append("---\n").append(yaml.writeValueAsString(p));
    }
    if (output == null) {
      System.out.print(out);
      System.out.flush();
    } else {
      try (OutputStream o = Files.newOutputStream(output)) {
        o.write(out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }

  static ScanPolicy readPolicy(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UsageException("cannot read the policy '" + file + "': " + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
    }
    ScanPolicy policy;
    try {
      var tree = yaml().readTree(text);
      if (tree == null || !tree.isObject()
          || !"ScanPolicy".equals(tree.path("kind").asText())
          || !(ScanPolicy.GROUP + "/" + ScanPolicy.VERSION).equals(tree.path("apiVersion").asText())) {
        throw new UsageException(file + " is not a ScanPolicy: it needs apiVersion portolan.dev/v1alpha1 and kind ScanPolicy");
      }
      policy = yaml().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true).readValue(text, ScanPolicy.class);
    } catch (IOException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw new UsageException(file + " is not a valid ScanPolicy: " + msg);
    }
    if (policy.getSpec() == null) {
      throw new UsageException(file + " has no spec: give at least spec.purpose, spec.targets.cidrs and spec.ports");
    }
    if (policy.getMetadata() == null || policy.getMetadata().getName() == null || policy.getMetadata().getName().isBlank()) {
      throw new UsageException(file + " has no metadata.name: name the policy");
    }
    if (policy.getMetadata().getNamespace() == null) {
      policy.getMetadata().setNamespace("default");
    }
    if (policy.getMetadata().getGeneration() == null) {
      policy.getMetadata().setGeneration(1L);
    }
    return policy;
  }

  /** An earlier report of the policy (this command's YAML, or kubectl's): its findings, from its pages or inline. */
  private static ReportAggregator.PreviousRun readPrevious(Path file) {
    String text = InputFiles.text(file, "the previous report");
    try {
      ObjectMapper yaml = yaml().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
      String name = null;
      List<Finding> inline = new ArrayList<>();
      List<ScanReportPage> pages = new ArrayList<>();
      try (var parser = yaml.getFactory().createParser(text)) {
        var it = yaml.readValues(parser, com.fasterxml.jackson.databind.JsonNode.class);
        while (it.hasNext()) {
          var doc = it.next();
          if (doc == null || !doc.isObject()) {
            continue;
          }
          List<com.fasterxml.jackson.databind.JsonNode> items = new ArrayList<>();
          if ("List".equals(doc.path("kind").asText())) {
            doc.path("items").forEach(items::add);
          } else {
            items.add(doc);
          }
          for (var item : items) {
            switch (item.path("kind").asText()) {
              case "ScanReport" -> {
                ScanReport r = yaml.treeToValue(item, ScanReport.class);
                name = name == null ? r.getMetadata().getName() : name;
                if (r.getStatus() != null && r.getStatus().findings() != null) {
                  inline.addAll(r.getStatus().findings());
                }
              }
              case "ScanReportPage" -> pages.add(yaml.treeToValue(item, ScanReportPage.class));
              default -> { }
            }
          }
        }
      }
      if (name == null) {
        throw new UsageException("'" + file + "' holds no ScanReport: give the output of an earlier portolan run of this policy");
      }
      return pages.isEmpty() ? ReportAggregator.PreviousRun.ofInline(name, inline) : ReportAggregator.PreviousRun.of(name, pages);
    } catch (IOException | RuntimeException e) {
      if (e instanceof UsageException u) {
        throw u;
      }
      throw new UsageException("cannot read the previous report '" + file + "': " + (e.getMessage() == null ? e : e.getMessage().lines().findFirst().orElse("")));
    }
  }

  private void notice(String message) {
    if (!quiet) {
      err.println("portolan: " + message);
    }
  }

  private static String count(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
