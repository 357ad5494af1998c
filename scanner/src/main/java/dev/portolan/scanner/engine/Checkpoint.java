package dev.portolan.scanner.engine;

/**
 * A resume point and the counts that belong to it: probes sent at positions before it, and closed
 * ports among the targets a scan resumed there will not probe again. Adding a resumed scan's counts
 * to these counts every target once, whatever the scan did past this point before it stopped.
 */
public record Checkpoint(long position, long sent, long closed) {}
