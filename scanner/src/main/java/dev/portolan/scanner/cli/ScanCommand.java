package dev.portolan.scanner.cli;

import dev.portolan.control.UsageException;
import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.ScanSpace;
import dev.portolan.control.target.Scope;
import dev.portolan.control.target.Shard;
import dev.portolan.crds.v1alpha1.Defaults;
import dev.portolan.scanner.engine.ConnectScanner;
import dev.portolan.scanner.engine.PathResolver;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.PortState;
import dev.portolan.scanner.engine.ScanPlan;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.engine.Scanner;
import dev.portolan.scanner.engine.ScannerFactory;
import dev.portolan.scanner.link.Interfaces;
import dev.portolan.scanner.link.KernelRstGuard;
import dev.portolan.scanner.probe.Endpoint;
import dev.portolan.scanner.probe.EndpointQueue;
import dev.portolan.scanner.probe.Validator;
import dev.portolan.scanner.report.Finding;
import dev.portolan.scanner.report.FindingWriter;
import dev.portolan.scanner.report.OutputFormat;
import dev.portolan.scanner.report.TeeWriter;
import dev.portolan.scanner.report.ScanInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code portolan scan}: discovery over addresses and ports, masscan-style flags. */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Find open TCP ports with stateless SYN probes (or TCP connects without CAP_NET_RAW).",
      "Example: portolan scan 198.18.0.0/24 -p 22,80,443 --rate 10000 -o found.ndjson"
    })
public final class ScanCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "TARGETS", description = "Addresses, CIDRs or ranges (198.18.0.1-198.18.0.9), comma-separated or separate; - reads them from standard input.")
  List<String> targets = new ArrayList<>();

  @Option(names = {"-p", "--ports"}, paramLabel = "PORTS", description = "Ports: 22,80,443 or 1-1024 or - for all (required, except with --validate-only).")
  String ports;

  @Option(names = "--rate", paramLabel = "PPS", defaultValue = Defaults.RATE_TEXT, description = "Probes per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = {"-iL", "--include-file"}, paramLabel = "FILE", description = "Targets from a file (nmap's -iL, masscan's --include-file): one or more per line, # comments; - for standard input.")
  List<Path> targetFiles = new ArrayList<>();

  @Option(names = "--exclude", paramLabel = "TARGETS", description = "Never probe these (they always win over targets).")
  List<String> excludes = new ArrayList<>();

  @Option(names = {"--exclude-file", "--excludefile"}, paramLabel = "FILE", description = "Excludes from a file: one address, CIDR or range per line, # comments.")
  List<Path> excludeFiles = new ArrayList<>();

  @Option(names = "--shard", paramLabel = "K/N", description = "Scan only shard K of N (1-based), like masscan.")
  String shard;

  @Option(names = "--seed", paramLabel = "SEED", description = "Seed of the probe order (the same seed gives the same order; needed to resume).")
  Long seed;

  @Option(names = "--resume-index", paramLabel = "N", defaultValue = "0", description = "Resume an interrupted scan from this index (printed on Ctrl-C).")
  long resumeIndex;

  @Option(names = "--retries", defaultValue = Defaults.RETRIES_TEXT, description = "Extra probes for targets that have not answered (default ${DEFAULT-VALUE}).")
  int retries;

  @Option(names = "--wait", paramLabel = "SECS", defaultValue = Defaults.WAIT_SECONDS_TEXT, description = "Seconds to wait for late replies after the last probe (default ${DEFAULT-VALUE}).")
  double waitSeconds;

  @Option(names = {"-e", "--interface", "--adapter"}, paramLabel = "IF", description = "Send on this interface (default: from the routing table).")
  String ifname;

  @Option(names = {"--source-ip", "--adapter-ip"}, paramLabel = "IP", description = "Source address (default: the interface's).")
  String sourceIp;

  @Option(names = "--source-port", paramLabel = "RANGE", defaultValue = ScanPlan.DEFAULT_SOURCE_PORT_LOW + "-" + ScanPlan.DEFAULT_SOURCE_PORT_HIGH, description = "Source ports of probes (default ${DEFAULT-VALUE}, outside the kernel's ephemeral range).")
  String sourcePorts;

  @Option(names = "--router-mac", paramLabel = "MAC", description = "The next hop's MAC, when ARP cannot find it.")
  String routerMac;

  @Option(names = "-o", paramLabel = "FILE", description = "Write results to FILE (default: standard output).")
  Path output;

  @Option(names = {"-oJ"}, paramLabel = "FILE", description = "Shorthand for -o FILE --format ndjson.")
  Path outputJson;

  @Option(names = {"-oL"}, paramLabel = "FILE", description = "Shorthand for -o FILE --format list.")
  Path outputList;

  @Option(names = {"-oX"}, paramLabel = "FILE", description = "Shorthand for -o FILE --format xml.")
  Path outputXml;

  @Option(names = {"-oG"}, paramLabel = "FILE", description = "Shorthand for -o FILE --format grepable (nmap's grepable lines).")
  Path outputGrepable;

  @Option(names = {"-oA"}, paramLabel = "BASENAME", description = "Every format at once, as nmap's -oA: BASENAME.xml, .gnmap, .json (NDJSON) and .list (masscan's).")
  String outputAll;

  @Option(names = "--format", paramLabel = "FORMAT", description = "ndjson, list, xml (nmap) or grepable (nmap -oG). Default: from the -o file name (.xml, .json, .gnmap), else list.")
  String format;

  @Option(names = "--show", paramLabel = "STATES", split = ",", description = "Which results to report: open (default), closed, filtered.")
  List<String> show = new ArrayList<>();

  @Option(names = "--open", description = "Only open ports in the output (nmap's --open; the default unless --show asks for more).")
  boolean onlyOpen;

  @Option(names = "--no-validate", description = "Discovery only: do not run validation probes on the open ports found.")
  boolean noValidate;

  @Option(names = "--validate-only", description = "Skip discovery: TARGETS are HOST:PORT endpoints to validate (as portolan validate).")
  boolean validateOnly;

  @picocli.CommandLine.Mixin ValidationOptions validation = new ValidationOptions();

  @Option(names = "--connect", description = "Use TCP connects instead of raw SYN probes.")
  boolean connect;

  @Option(names = "--max-connections", defaultValue = "" + ConnectScanner.DEFAULT_CONCURRENCY, description = "Connections in flight at most, for connect scans and validation (default ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(names = "--pcap", paramLabel = "FILE", description = "Dry run: write the probe frames to a pcap file instead of sending them.")
  Path pcap;

  @Option(names = "--drop-kernel-rst", description = "Install (and always remove) an iptables rule that stops this host's kernel from resetting the targets' SYN-ACKs.")
  boolean dropKernelRst;

  @Option(names = "--progress", description = "Show progress on standard error even when it is not a terminal.")
  boolean progress;

  @Option(names = {"-q", "--quiet"}, description = "No progress and no notices.")
  boolean quiet;

  private final PrintStream err = System.err;
  private volatile Thread validating;

  @Override
  public Integer call() throws IOException, InterruptedException {
    targets = allTargets();
    if (validateOnly) {
      return validateOnly();
    }
    if (ports == null) {
      throw new UsageException("no ports given: use -p/--ports with a list such as 22,80,443 or 1-1024");
    }
    ScanPlan plan = plan();
    Path out = outputPath();
    OutputFormat fmt = Outputs.choose(format, shorthandFormat(), out);
    List<java.util.Map.Entry<OutputFormat, Path>> outputs = outputAll == null ? List.of(java.util.Map.entry(fmt, out == null ? Path.of("-") : out))
        : allFormats(out);
    Validator validator = noValidate ? null : validation.validator(maxConnections);
    ScannerFactory.Options options =
        new ScannerFactory.Options(
            new PathResolver.Overrides(
                Optional.ofNullable(ifname).map(n -> {
                  Interfaces.require(n);
                  return n;
                }),
                sourceIp == null ? OptionalInt.empty() : OptionalInt.of(Ipv4.parse(sourceIp)),
                Optional.ofNullable(routerMac).map(Interfaces::parseMac)),
            Optional.ofNullable(pcap),
            connect,
            maxConnections);
    List<FindingWriter> opened = new ArrayList<>();
    for (var o : outputs) {
      opened.add(o.getKey().open(Outputs.open(o.getValue())));
    }
    try (FindingWriter writer = opened.size() == 1 ? opened.getFirst() : new TeeWriter(opened)) {
      Scanner scanner = ScannerFactory.create(plan, options, this::notice);
      KernelRstGuard guard = null;
      if (dropKernelRst && scanner.method().equals("syn")) {
        guard = KernelRstGuard.install(0, plan.sourcePortLow(), plan.sourcePortHigh());
      }
      try {
        return runScan(plan, scanner, writer, validator);
      } finally {
        if (guard != null) {
          guard.close();
        }
      }
    }
  }

  private int validateOnly() throws IOException {
    ValidateCommand v = new ValidateCommand();
    v.endpoints = targets;
    v.output = outputPath();
    v.format = format != null ? format : shorthandFormat() == null ? null : shorthandFormat().name();
    v.validation = validation;
    v.maxConnections = maxConnections;
    v.quiet = quiet;
    return v.call();
  }

  private int runScan(ScanPlan plan, Scanner scanner, FindingWriter writer, Validator validator)
      throws IOException, InterruptedException {
    Instant started = Instant.now();
    writer.begin(new ScanInfo(commandLine(), scanner.method(), plan.space().ports(), started, Main.version(), plan.space().hosts().size()));
    notice(
        String.format(
            Locale.ROOT,
            "scanning %d targets (%d hosts x %d ports) at %s pps, seed %d%s",
            plan.shardLength(),
            plan.space().hosts().size(),
            plan.space().ports().size(),
            formatRate(plan.rate()),
            plan.seed(),
            plan.shard().count() > 1 ? ", shard " + plan.shard() : ""));
    CountDownLatch finished = new CountDownLatch(1);
    Thread interrupt =
        new Thread(
            () -> {
              scanner.stop();
              Thread v = validating;
              if (v != null) {
                v.interrupt(); // stop validating; ports not validated yet are written as found
              }
              try {
                finished.await(plan.replyWait().toMillis() + 15_000, TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "portolan-interrupt");
    Runtime.getRuntime().addShutdownHook(interrupt);
    Progress progressLine = Progress.start(scanner.counters(), err, progress || (!quiet && isTerminal()));
    ScanSummary summary;
    // Open ports go to validation as they are found; the writer is called one result at a time.
    EndpointQueue open = new EndpointQueue();
    Map<String, PortResult> found = new ConcurrentHashMap<>();
    validating =
        validator == null
            ? null
            : Thread.ofPlatform().name("portolan-validate").daemon(true).start(() ->
                validator.validate(open, v -> write(writer, new Finding(found.remove(v.endpoint().toString()), v))));
    try {
      summary =
          scanner.run(
              r -> {
                if (validator != null && r.state() == PortState.OPEN) {
                  Endpoint e = new Endpoint(r.address(), r.port(), r.fingerprint());
                  found.put(e.toString(), r);
                  open.add(e);
                } else {
                  write(writer, Finding.of(r));
                }
              });
      open.close();
      if (validating != null) {
        validating.join();
        // After Ctrl-C: open ports whose validation never ran are still findings.
        for (PortResult r : found.values()) {
          write(writer, Finding.of(r));
        }
      }
      progressLine.close();
      writer.end(summary);
      report(plan, summary);
    } finally {
      progressLine.close();
      // After Ctrl-C the JVM halts as soon as the hook returns: everything is written by now.
      finished.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(interrupt);
    } catch (IllegalStateException e) {
      // shutting down (Ctrl-C): the hook is running and waits for us
    }
    return 0;
  }

  private static void write(FindingWriter writer, Finding f) {
    synchronized (writer) {
      try {
        writer.write(f);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private void report(ScanPlan plan, ScanSummary s) {
    if (!quiet || !s.completed()) {
      err.printf(
          Locale.ROOT,
          "portolan: %s scan %s in %.2f s: %d probes sent in %.2f s (%s pps), %d open, %d closed, %d filtered%s%n",
          s.method(),
          s.completed() ? "done" : "interrupted",
          s.elapsed().toMillis() / 1000.0,
          s.probesSent(),
          s.sendTime().toNanos() / 1e9,
          formatRate(s.probesPerSecond()),
          s.open(),
          s.closed(),
          s.filtered(),
          s.receiveDrops() > 0 ? ", " + s.receiveDrops() + " replies dropped by the receive ring" : "");
    }
    if (!s.completed()) {
      err.println(
          "portolan: to resume, run the same command with --seed "
              + plan.seed()
              + " --resume-index "
              + s.resumeFrom());
    }
  }

  private ScanPlan plan() {
    if (!(rate > 0) || Double.isInfinite(rate) || rate > 100_000_000) {
      throw new UsageException("--rate must be a number of probes per second above 0 (for example 1000), up to 100000000");
    }
    if (retries < 0 || retries > 20) {
      throw new UsageException("--retries must be 0 to 20");
    }
    if (!(waitSeconds >= 0) || waitSeconds > 3600) {
      throw new UsageException("--wait must be 0 to 3600 seconds");
    }
    if (maxConnections < 1 || maxConnections > 65536) {
      throw new UsageException("--max-connections must be 1 to 65536");
    }
    if (resumeIndex < 0) {
      throw new UsageException("--resume-index must be 0 or more (the number printed when a scan was interrupted)");
    }
    AddressSet requested = Scope.parseList(targets);
    AddressSet excluded = Scope.parseList(excludes);
    for (Path f : excludeFiles) {
      excluded = excluded.union(Scope.parseLines(InputFiles.lines(f, "the exclude file"), f.toString()));
    }
    Scope userScope = Scope.of(requested, excluded);
    Scope scope = Scope.of(requested, excluded.union(Scope.UNSCANNABLE));
    if (scope.hosts().size() < userScope.hosts().size()) {
      notice(
          "left out "
              + (userScope.hosts().size() - scope.hosts().size())
              + " unscannable addresses (0.0.0.0/8, multicast, reserved, broadcast)");
    }
    if (scope.hosts().isEmpty()) {
      throw new UsageException(
          "no targets left after excludes: '"
              + String.join(",", targets)
              + "' is entirely excluded; check --exclude and --exclude-file");
    }
    PortSet portSet = PortSet.parse(ports);
    int[] sp = sourcePortRange();
    Shard sh = shard == null ? Shard.WHOLE : Shard.parse(shard);
    long s = seed != null ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
    ScanPlan plan =
        new ScanPlan(
            new ScanSpace(scope.hosts(), portSet),
            s,
            sh,
            resumeIndex,
            retries,
            rate,
            Duration.ofMillis(Math.round(waitSeconds * 1000)),
            sp[0],
            sp[1],
            states());
    if (resumeIndex > 0 && seed == null) {
      throw new UsageException("--resume-index needs the --seed of the interrupted scan (it was printed with the index)");
    }
    if (resumeIndex > plan.totalPositions()) {
      throw new UsageException(
          "--resume-index " + resumeIndex + " is past the end of this scan (" + plan.totalPositions() + "); check the targets, ports and --retries match the interrupted run");
    }
    return plan;
  }

  private int[] sourcePortRange() {
    String[] parts = sourcePorts.strip().split("-", -1);
    try {
      int low = Integer.parseInt(parts[0].strip());
      int high = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : low;
      if (parts.length <= 2 && low >= 1024 && high <= 65535 && low <= high) {
        return new int[] {low, high};
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new UsageException(
        "--source-port must be a port or range within 1024-65535, low to high, like 61000-61999");
  }

  private Set<PortState> states() {
    EnumSet<PortState> set = EnumSet.noneOf(PortState.class);
    for (String s : show) {
      try {
        set.add(PortState.valueOf(s.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--show takes open, closed and/or filtered, not '" + s + "'");
      }
    }
    if (onlyOpen && !set.isEmpty() && !set.equals(EnumSet.of(PortState.OPEN))) {
      throw new UsageException("--open reports open ports only, but --show asks for " + String.join(",", show) + ": give one of them");
    }
    return set.isEmpty() ? EnumSet.of(PortState.OPEN) : set;
  }

  private Path outputPath() {
    List<Path> given = new ArrayList<>();
    for (Path p : new Path[] {output, outputJson, outputList, outputXml, outputGrepable}) {
      if (p != null) {
        given.add(p);
      }
    }
    if (given.size() > 1) {
      throw new UsageException("give one output file (-o, -oJ, -oL, -oX or -oG), not " + given.size());
    }
    return given.isEmpty() ? null : given.get(0);
  }

  /** The format an -oJ/-oL/-oX shorthand implies, if one was used. */
  private OutputFormat shorthandFormat() {
    return outputJson != null ? OutputFormat.NDJSON : outputXml != null ? OutputFormat.XML : outputList != null ? OutputFormat.LIST
        : outputGrepable != null ? OutputFormat.GREPABLE : null;
  }

  private void notice(String message) {
    if (!quiet) {
      err.println("portolan: " + message);
    }
  }

  private static boolean isTerminal() {
    java.io.Console c = System.console();
    return c != null && c.isTerminal();
  }

  private String commandLine() {
    return "portolan scan " + String.join(" ", targets) + " -p " + ports;
  }

  static String formatRate(double pps) {
    if (pps >= 1_000_000) {
      return String.format(Locale.ROOT, "%.2fM", pps / 1e6);
    }
    if (pps >= 10_000) {
      return String.format(Locale.ROOT, "%.1fk", pps / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", pps);
  }

  /** The targets named, with those of -iL files and standard input ("-") added, each file read once. */
  private List<String> allTargets() {
    List<String> all = new ArrayList<>();
    List<Path> files = new ArrayList<>(targetFiles);
    for (String t : targets) {
      if (t.equals("-")) {
        files.add(Path.of("-"));
      } else {
        all.add(t);
      }
    }
    if (files.stream().filter(f -> f.toString().equals("-")).count() > 1) {
      throw new UsageException("standard input (-) can give the targets once");
    }
    for (Path f : files) {
      boolean stdin = f.toString().equals("-");
      String source = stdin ? "standard input" : f.toString();
      List<String> lines;
      try {
        lines = stdin ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList()
            : InputFiles.lines(f, "the target list");
      } catch (IOException e) {
        throw InputFiles.cannotRead(f, "the target list", e);
      }
      if (!validateOnly) {
        Scope.parseLines(lines, source); // one line to say which line is wrong
      }
      for (String line : lines) {
        int hash = line.indexOf('#');
        for (String part : (hash >= 0 ? line.substring(0, hash) : line).strip().split("[,\\s]+")) {
          if (!part.isEmpty()) {
            all.add(part);
          }
        }
      }
    }
    if (all.isEmpty()) {
      throw new UsageException(files.isEmpty()
          ? "no targets given: name addresses, CIDRs or ranges (198.18.0.0/24), or a file of them with -iL FILE (- for standard input)"
          : "no targets in " + String.join(", ", files.stream().map(f -> f.toString().equals("-") ? "standard input" : f.toString()).toList()));
    }
    return all;
  }

  /** -oA BASENAME's files; with another output option it is a usage error (nmap allows one of each, we one in all). */
  private List<java.util.Map.Entry<OutputFormat, Path>> allFormats(Path other) {
    if (other != null || format != null) {
      throw new UsageException("-oA writes every format itself: give it without -o, -oJ, -oL, -oX, -oG or --format");
    }
    if (outputAll.isBlank() || outputAll.equals("-")) {
      throw new UsageException("-oA needs a base name for its files (scan gives scan.xml, scan.gnmap, scan.json, scan.list)");
    }
    return List.of(
        java.util.Map.entry(OutputFormat.XML, Path.of(outputAll + ".xml")),
        java.util.Map.entry(OutputFormat.GREPABLE, Path.of(outputAll + ".gnmap")),
        java.util.Map.entry(OutputFormat.NDJSON, Path.of(outputAll + ".json")),
        java.util.Map.entry(OutputFormat.LIST, Path.of(outputAll + ".list")));
  }
}
