package dev.portolan.scanner.report;

import dev.portolan.control.target.PortSet;
import java.time.Instant;

/** What a report's header states about the run: who ran what, how, over which ports, when, and {@code hosts}, the hosts in the scope scanned (-1: unknown, and reports count the hosts they list). */
public record ScanInfo(String commandLine, String method, PortSet ports, Instant started, String version, long hosts) {
  /** Without the scope's host count (unknown: reports count the hosts they list). */
  public ScanInfo(String commandLine, String method, PortSet ports, Instant started, String version) {
    this(commandLine, method, ports, started, version, -1);
  }
}
