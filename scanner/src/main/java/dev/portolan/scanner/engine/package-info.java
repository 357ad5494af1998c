/**
 * Discovery: the stateless SYN engine (keyed order, SYN cookies, batched transmit, filtered
 * receive, retries, rate), its connect-scan fallback for hosts without CAP_NET_RAW, the dry run that
 * writes frames to a pcap file, and progress. Uses {@code target}, {@code packet} and {@code link};
 * knows nothing of validation, output formats or Kubernetes.
 */
package dev.portolan.scanner.engine;
