/**
 * Validation: what runs on an open port. Connects to each endpoint (virtual threads, bounded per
 * host and overall, every connection bounded in time and bytes), listens for a greeting, sends the
 * probes most likely for the port, then the others by rarity, wraps them in TLS where the port or
 * the replies suggest it, and matches the replies against the probe database ({@code probes.yaml}:
 * our own probes and rules, as data, extensible from user files). Also the TLS inspection (the
 * JDK's stack set to accept anything, for inspection only) and the OS hint from SYN-ACK fields.
 *
 * <p>Depends on {@code engine} (the SYN-ACK fingerprint) and {@code target}; knows nothing of
 * output formats, the CLI or Kubernetes.
 */
package dev.portolan.scanner.probe;
