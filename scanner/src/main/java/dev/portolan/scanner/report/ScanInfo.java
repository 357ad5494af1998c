package dev.portolan.scanner.report;

import dev.portolan.control.target.PortSet;
import java.time.Instant;

/** What a report's header states about the run: who ran what, how, over which ports, when. */
public record ScanInfo(String commandLine, String method, PortSet ports, Instant started, String version) {}
