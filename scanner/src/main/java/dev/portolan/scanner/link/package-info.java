/**
 * Linux link-layer I/O through the Java FFM API: AF_PACKET sockets with memory-mapped TX and RX
 * rings and a BPF filter, and what the engine must know about the host's network: interfaces,
 * routes, neighbours (with our own ARP resolution). Knows packets only as bytes; nothing above the
 * engine may use it directly.
 */
package dev.portolan.scanner.link;
