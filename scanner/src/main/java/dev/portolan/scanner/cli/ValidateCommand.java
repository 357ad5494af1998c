package dev.portolan.scanner.cli;

import dev.portolan.control.UsageException;
import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.PortState;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.probe.Endpoint;
import dev.portolan.scanner.probe.Validation;
import dev.portolan.scanner.probe.Validator;
import dev.portolan.scanner.report.Finding;
import dev.portolan.scanner.report.FindingWriter;
import dev.portolan.scanner.report.OutputFormat;
import dev.portolan.scanner.report.ScanInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portolan validate}: identifies what runs on endpoints given directly, without discovery
 * (the issue's {@code --validate-only}). Endpoints the user names are probed as given.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Identify the service, product and version on each HOST:PORT (TLS details and an OS guess too).",
      "Example: portolan validate 198.18.0.20:80,443 198.18.0.21:22 --format ndjson"
    })
public final class ValidateCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "HOST:PORT", description = "An IPv4 address and port(s): 198.18.0.20:80 or 198.18.0.20:80,443,8000-8010.")
  List<String> endpoints = new ArrayList<>();

  @Option(names = "-o", paramLabel = "FILE", description = "Write results to FILE (default: standard output).")
  Path output;

  @Option(names = "--format", paramLabel = "FORMAT", description = "ndjson, list, xml (nmap) or grepable (nmap -oG). Default: from the -o file name (.xml, .json, .gnmap), else list.")
  String format;

  @Option(names = "--max-connections", paramLabel = "N", defaultValue = "256", description = "Connections open at once, overall (default ${DEFAULT-VALUE}).")
  int maxConnections;

  @picocli.CommandLine.Mixin ValidationOptions validation = new ValidationOptions();

  @Option(names = {"-q", "--quiet"}, description = "No summary on standard error.")
  boolean quiet;

  private final PrintStream err = System.err;

  @Override
  public Integer call() throws IOException {
    List<Endpoint> targets = parseEndpoints();
    Validator validator = validation.validator(maxConnections);
    OutputFormat fmt = Outputs.choose(format, null, output);
    Instant started = Instant.now();
    AtomicLong open = new AtomicLong();
    AtomicLong closed = new AtomicLong();
    AtomicLong filtered = new AtomicLong();
    AtomicLong identified = new AtomicLong();
    try (OutputStream sink = Outputs.open(output);
        FindingWriter writer = fmt.open(sink)) {
      writer.begin(new ScanInfo(commandLine(), "validate", ports(targets), started, Main.version()));
      validator
          .validate(
              targets,
              v -> {
                PortResult r = result(v);
                switch (r.state()) {
                  case OPEN -> open.incrementAndGet();
                  case CLOSED -> closed.incrementAndGet();
                  case FILTERED -> filtered.incrementAndGet();
                }
                if (v.identified()) {
                  identified.incrementAndGet();
                }
                try {
                  writer.write(new Finding(r, v));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      Instant finished = Instant.now();
      boolean completed = !Thread.currentThread().isInterrupted();
      writer.end(
          new ScanSummary(
              "validate", started, finished, targets.size(), open.get(), closed.get(), filtered.get(), targets.size(),
              targets.size(), completed, 0, 0, Duration.between(started, finished)));
      if (!quiet) {
        err.printf(
            Locale.ROOT,
            "portolan: validated %d endpoints in %.1f s: %d identified, %d open without a match, %d closed, %d unreachable%n",
            targets.size(),
            Duration.between(started, finished).toMillis() / 1000.0,
            identified.get(),
            open.get() - identified.get(),
            closed.get(),
            filtered.get());
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return 0;
  }

  /** What a direct connect says about the port, in discovery's terms. */
  private static PortResult result(Validation v) {
    Endpoint e = v.endpoint();
    long now = System.currentTimeMillis();
    return switch (v.reachability()) {
      case CONNECTED -> new PortResult(e.address(), e.port(), PortState.OPEN, "syn-ack", e.fingerprint(), now);
      case REFUSED -> new PortResult(e.address(), e.port(), PortState.CLOSED, "conn-refused", null, now);
      case TIMED_OUT -> new PortResult(e.address(), e.port(), PortState.FILTERED, "no-response", null, now);
      case UNREACHABLE -> new PortResult(e.address(), e.port(), PortState.FILTERED, "host-unreach", null, now);
    };
  }

  private List<Endpoint> parseEndpoints() {
    Set<Endpoint> out = new LinkedHashSet<>();
    for (String arg : endpoints) {
      for (String item : arg.split("\\s+")) {
        if (item.isEmpty()) {
          continue;
        }
        int colon = item.lastIndexOf(':');
        if (colon <= 0 || colon == item.length() - 1 || item.indexOf(':') != colon) {
          throw new UsageException("'" + item + "' is not HOST:PORT (write an IPv4 address and a port, like 198.18.0.20:80)");
        }
        int address = Ipv4.parse(item.substring(0, colon));
        PortSet ports = PortSet.parse(item.substring(colon + 1));
        if (ports.size() > 4096) {
          throw new UsageException("'" + item + "' names " + ports.size() + " ports; validate at most 4096 per address (discover open ports with portolan scan first)");
        }
        for (int p : ports.toArray()) {
          out.add(new Endpoint(address, p));
        }
      }
    }
    if (out.isEmpty()) {
      throw new UsageException("give at least one HOST:PORT to validate");
    }
    return List.copyOf(out);
  }

  private static PortSet ports(List<Endpoint> targets) {
    Set<Integer> ports = new TreeSet<>();
    for (Endpoint e : targets) {
      ports.add(e.port());
    }
    return PortSet.of(ports.stream().mapToInt(Integer::intValue).toArray());
  }

  private String commandLine() {
    return "portolan validate " + String.join(" ", endpoints);
  }
}
