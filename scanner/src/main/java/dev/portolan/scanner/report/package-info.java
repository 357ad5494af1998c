/**
 * Findings and their output formats: NDJSON (one complete object per line, flushed per record),
 * masscan's list format, and nmap-compatible XML that validates against nmap's DTD. Depends on the
 * engine's result types; knows nothing of sockets or Kubernetes.
 */
package dev.portolan.scanner.report;
