/**
 * The control logic of a run, pure and shared by the operator and {@code portolan run}: the scan
 * guard, the resolved scope and workload of a policy, cron schedules, run names, the shard plan,
 * expectation checks, paging of findings and the aggregation of a run's status. Reads and builds
 * the API types of {@code dev.portolan.crds}; performs no I/O, never touches a socket or the API
 * server (see docs/decisions/004-shared-control-logic.md).
 */
package dev.portolan.scanner.control;
