/**
 * The Portolan operator: {@link dev.portolan.operator.OperatorMain} reads the configuration and
 * {@link dev.portolan.operator.PortolanOperator} wires the two reconcilers (ScanPolicy -> runs,
 * ScanReport -> status), leader election and the metrics endpoint. The decisions themselves live
 * in the shared control module ({@code dev.portolan.control}: guard, cron, run names, shard
 * plan, aggregation) and in this module's small packages: {@code cluster} (what the cluster holds),
 * {@code schedule} (when a run is due), {@code plan} (what a run is, and which runs to keep),
 * {@code reconcile} (reading, deciding, writing) and {@code metrics}. The operator never touches a
 * socket: it does not depend on the scanner module at all, and OperatorLayeringTest fails the build
 * if a package uses anything outside its allow-list.
 */
package dev.portolan.operator;
