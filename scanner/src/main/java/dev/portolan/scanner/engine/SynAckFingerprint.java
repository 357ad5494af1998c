package dev.portolan.scanner.engine;

/**
 * The fields of a SYN-ACK that betray the target's TCP stack, kept for the OS hint: initial TTL as
 * received, window, MSS and window scale (-1 when absent) and the option order (p0f's notation).
 */
public record SynAckFingerprint(int ttl, int window, int mss, int windowScale, String options) {}
