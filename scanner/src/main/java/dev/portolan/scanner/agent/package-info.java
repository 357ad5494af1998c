/**
 * Running shards of a run: {@link ShardRunner} drives discovery and validation over one shard and
 * streams findings and safe resume points (no Kubernetes), and {@link Agent} is the DaemonSet
 * process that watches ScanReports for shards assigned to its node, runs them and writes their
 * progress and findings back. The only package of the scanner that talks to the API server.
 */
package dev.portolan.scanner.agent;
