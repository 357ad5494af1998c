/**
 * The operator: guard, schedule, shard plan and aggregation of ScanReports (java-operator-sdk).
 * Never touches a socket: scanning is the agents' job. Arrives with issue 5; this module fixes the
 * layout and the dependency direction now.
 */
package dev.portolan.operator;
