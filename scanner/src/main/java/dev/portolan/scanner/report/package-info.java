/**
 * Findings and their output formats: NDJSON (one complete object per line, flushed per record),
 * masscan's list format (with its banner lines), and nmap-compatible XML that validates against
 * nmap's DTD (service elements as nmap -sV writes them). A finding is a discovery result plus,
 * when the port was validated, what runs there. Depends on the engine's and validation's result
 * types; knows nothing of sockets or Kubernetes.
 */
package dev.portolan.scanner.report;
