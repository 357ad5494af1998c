package dev.portolan.scanner.cli;

import dev.portolan.control.UsageException;
import dev.portolan.crds.v1alpha1.Defaults;
import dev.portolan.scanner.probe.ProbeDatabase;
import dev.portolan.scanner.probe.ValidationConfig;
import dev.portolan.scanner.probe.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The validation probes' options, shared by {@code scan} and {@code validate}. */
final class ValidationOptions {
  private static final double MAX_TIMEOUT_SECONDS = 120;

  @Option(names = "--rules", paramLabel = "FILE", description = "More probes and match rules (YAML, the format of the built-in probes.yaml); tried before the built-in rules. Repeatable.")
  List<Path> rules = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "SECS", defaultValue = "3", description = "Validation: longest wait for a connect or a reply (default ${DEFAULT-VALUE}); unlikely probes wait less. Each port gets at most max(10, 4 x SECS) seconds.")
  double timeoutSeconds;

  @Option(names = "--intensity", paramLabel = "0-9", defaultValue = Defaults.VALIDATION_INTENSITY_TEXT, description = "Validation: how many of the less likely probes to try, as in nmap (default ${DEFAULT-VALUE}).")
  int intensity;

  @Option(names = "--max-host-connections", paramLabel = "N", defaultValue = "8", description = "Validation: connections open at once to one address (default ${DEFAULT-VALUE}).")
  int maxHostConnections;

  /** The validator these options ask for; {@code maxConnections} bounds connections overall. */
  Validator validator(int maxConnections) {
    if (!(timeoutSeconds > 0) || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
      throw new UsageException("--timeout must be above 0 and at most " + (int) MAX_TIMEOUT_SECONDS + " seconds (for example 3)");
    }
    if (intensity < 0 || intensity > 9) {
      throw new UsageException("--intensity must be 0 to 9");
    }
    if (maxConnections < 1 || maxConnections > 65536 || maxHostConnections < 1 || maxHostConnections > 1024) {
      throw new UsageException("--max-connections must be 1 to 65536 and --max-host-connections 1 to 1024");
    }
    Duration t = Duration.ofMillis(Math.max(1, Math.round(timeoutSeconds * 1000)));
    Duration budget = t.multipliedBy(4).compareTo(Duration.ofSeconds(10)) > 0 ? t.multipliedBy(4) : Duration.ofSeconds(10);
    ValidationConfig config = ValidationConfig.DEFAULTS
        .withConnectTimeout(t)
        .withReadTimeout(t)
        .withPortBudget(budget)
        .withIntensity(intensity)
        .withConcurrency(maxConnections, maxHostConnections);
    ProbeDatabase db = ProbeDatabase.builtIn();
    for (Path f : rules) {
      db = db.withUserFile(f);
    }
    return new Validator(config, db);
  }
}
