package dev.portolan.scanner.report;

import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.probe.Validation;

/**
 * What the report says about one port: the discovery result; when the port was validated, what
 * runs there (null when validation did not run for it); and what owned the address, when the scan
 * knew the cluster (null otherwise).
 */
public record Finding(PortResult result, Validation validation, OwnerName owner) {
  public Finding {
    if (result == null) {
      throw new IllegalArgumentException("a finding needs a port result");
    }
  }

  public Finding(PortResult result, Validation validation) {
    this(result, validation, null);
  }

  public static Finding of(PortResult result) {
    return new Finding(result, null, null);
  }

  public Finding withOwner(OwnerName o) {
    return new Finding(result, validation, o);
  }
}
