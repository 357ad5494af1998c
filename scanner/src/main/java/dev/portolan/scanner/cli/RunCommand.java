package dev.portolan.scanner.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.portolan.control.UsageException;
import dev.portolan.control.aggregate.ReportAggregator;
import dev.portolan.control.guard.Guard;
import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.guard.GuardDecision;
import dev.portolan.control.run.FindingPages;
import dev.portolan.control.run.RunNames;
import dev.portolan.control.run.RunSpecs;
import dev.portolan.control.run.ShardPlanner;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.scanner.agent.ShardRunner;
import dev.portolan.scanner.engine.PathResolver;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.engine.ScannerFactory;
import dev.portolan.scanner.probe.Validator;
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
      "Example: portolan run -f examples/policy.yaml -o report.yaml"
    })
public final class RunCommand implements Callable<Integer> {
  static final int EXIT_VIOLATIONS = 3;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE", description = "The ScanPolicy (YAML, as for kubectl apply).")
  Path policyFile;

  @Option(names = "--guard", paramLabel = "FILE", description = "Scan guard (allowed and excluded ranges, rate caps); default: private ranges and loopback only, link-local and metadata addresses excluded.")
  Path guardFile;

  @Option(names = "--previous", paramLabel = "FILE", description = "An earlier report of the same policy (this command's output): the new report carries the diff.")
  Path previousFile;

  @Option(names = "-o", paramLabel = "FILE", description = "Write the report(s) here (default: standard output).")
  Path output;

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
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }

  @Override
  public Integer call() throws IOException {
    ScanPolicy policy = readPolicy(policyFile);
    GuardConfig guardConfig = guardFile == null ? GuardConfig.localDefaults() : GuardConfig.parse(InputFiles.text(guardFile, "the guard file"), guardFile.toString());
    Optional<ReportAggregator.PreviousRun> previous = previousFile == null ? Optional.empty() : Optional.of(readPrevious(previousFile));
    if (output != null && (Files.isDirectory(output) || (output.getParent() != null && !Files.isDirectory(output.getParent())))) {
      throw new UsageException("cannot write '" + output + "': give a file in an existing directory");
    }
    var targets = policy.getSpec().targets();
    if (targets != null && (targets.nodes() != null || targets.services() != null || targets.pods() != null)) {
      throw new UsageException("the policy selects nodes, services or pods: those need a cluster; give targets.cidrs to run it here");
    }
    if (policy.getSpec().source() != null && policy.getSpec().source().type() == dev.portolan.crds.v1alpha1.SourceSpec.Type.Pod) {
      throw new UsageException("source.type Pod scans from a pod in a cluster; remove spec.source to run it here");
    }
    GuardDecision decision = new Guard(guardConfig).evaluate(policy.getSpec(), List.of());
    if (decision instanceof GuardDecision.Rejected r) {
      throw new UsageException("the guard rejects this policy (" + r.reason() + "): " + r.message());
    }
    GuardDecision.Accepted accepted = (GuardDecision.Accepted) decision;
    String run = RunNames.forGeneration(policy.getMetadata().getName(), policy.getMetadata().getGeneration());
    List<ShardAssignment> shards =
        ShardPlanner.plan(List.of("local"), policy.getSpec().rateOrDefault(), 1, guardConfig.maxRatePerNode());
    ScanReport main =
        RunSpecs.mainReport(
            policy, run, accepted, guardConfig, shards, new SecureRandom().nextLong() & Long.MAX_VALUE,
            new RunSpecs.Trigger("local", "portolan run (" + System.getProperty("user.name") + ")", Main.version()),
            Instant.now());
    notice(String.format(Locale.ROOT, "policy %s: %d addresses x %d ports = %d probes, about %d s at %d probes/s (%s)",
        policy.getMetadata().getName(), accepted.workload().addresses(), accepted.workload().ports(),
        accepted.workload().probes(), accepted.workload().expectedSeconds(), shards.get(0).rate(), policy.getSpec().purpose()));

    Validator validator = ShardRunner.validatorFor(policy.getSpec().validation());
    ScannerFactory.Options options =
        new ScannerFactory.Options(
            new PathResolver.Overrides(Optional.ofNullable(ifname), java.util.OptionalInt.empty(), Optional.empty()),
            Optional.empty(), connect, dev.portolan.scanner.engine.ConnectScanner.DEFAULT_CONCURRENCY);
    ShardAssignment shard = shards.get(0);
    ShardRunner runner = new ShardRunner(main.getSpec(), shard, 0, options, validator, "local", this::notice);
    List<Finding> findings = Collections.synchronizedList(new ArrayList<>());
    Instant started = Instant.now();
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
        summary = runner.run(findings::add);
      } finally {
        progressThread.interrupt();
      }
      ShardStatus status = new ShardStatus(
          "local", summary.completed() ? RunPhase.Succeeded : RunPhase.Failed,
          summary.resumeFrom(), runner.plan().totalPositions(), summary.probesSent(), summary.open(), summary.closed(),
          summary.filtered(), (long) findings.size(), null, 1, started.toString(), Instant.now().toString(),
          Instant.now().toString(), summary.completed() ? null : "interrupted; resume index " + summary.resumeFrom());
      List<List<Finding>> chunks = FindingPages.split(sortedCopy(findings));
      List<ScanReport> pages = new ArrayList<>();
      for (int i = 0; i < chunks.size(); i++) {
        pages.add(RunSpecs.page(main, shard.index(), i + 1, chunks.get(i)));
      }
      Map<String, ShardStatus> shardMap = Map.of(Integer.toString(shard.index()), status);
      ScanReportStatus aggregated = ReportAggregator.aggregate(main, shardMap, pages, previous, Instant.now());
      main.setStatus(withShards(aggregated, shardMap));
      write(main, pages);
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

  private static List<Finding> sortedCopy(List<Finding> findings) {
    List<Finding> copy;
    synchronized (findings) {
      copy = new ArrayList<>(findings);
    }
    copy.sort(java.util.Comparator.comparing(Finding::ip).thenComparing(Finding::port));
    return copy;
  }

  private static ScanReportStatus withShards(ScanReportStatus s, Map<String, ShardStatus> shards) {
    return new ScanReportStatus(s.phase(), s.message(), s.observedGeneration(), s.startTime(), s.completionTime(),
        shards, s.summary(), s.findings(), s.pages(), s.diff(), s.violations(), s.conditions());
  }

  private void write(ScanReport main, List<ScanReport> pages) throws IOException {
    ObjectMapper yaml = yaml();
    StringBuilder out = new StringBuilder();
    out.append("---\n").append(yaml.writeValueAsString(main));
    for (ScanReport p : pages) {
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

  private static ReportAggregator.PreviousRun readPrevious(Path file) {
    try {
      ObjectMapper yaml = yaml().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
      List<ScanReport> docs = new ArrayList<>();
      try (var parser = yaml.getFactory().createParser(Files.readString(file))) {
        var it = yaml.readValues(parser, ScanReport.class);
        while (it.hasNext()) {
          ScanReport r = it.next();
          if (r != null) {
            docs.add(r);
          }
        }
      }
      String name = docs.stream().filter(r -> !r.isPage()).map(r -> r.getMetadata().getName()).findFirst().orElse(file.toString());
      List<ScanReport> withFindings = new ArrayList<>(docs.stream().filter(ScanReport::isPage).toList());
      if (withFindings.isEmpty()) {
        withFindings.addAll(docs);
      }
      return ReportAggregator.PreviousRun.of(name, withFindings);
    } catch (IOException | RuntimeException e) {
      throw new UsageException("cannot read the previous report '" + file + "': " + (e.getMessage() == null ? e : e.getMessage().lines().findFirst().orElse("")));
    }
  }

  private void notice(String message) {
    if (!quiet) {
      err.println("portolan: " + message);
    }
  }
}
