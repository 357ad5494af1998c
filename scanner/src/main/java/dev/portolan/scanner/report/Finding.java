package dev.portolan.scanner.report;

import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.probe.Validation;

/**
 * What the report says about one port: the discovery result and, when the port was validated,
 * what runs there (null when validation did not run for it).
 */
public record Finding(PortResult result, Validation validation) {
  public Finding {
    if (result == null) {
      throw new IllegalArgumentException("a finding needs a port result");
    }
  }

  public static Finding of(PortResult result) {
    return new Finding(result, null);
  }
}
