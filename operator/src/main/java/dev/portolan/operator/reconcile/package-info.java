/**
 * The two reconcilers, thin and level-triggered: each reads what exists (informer caches and a few
 * API reads), computes the desired state with the pure packages, and writes only the difference.
 * {@code ScanPolicyReconciler}: guard, runs, history, policy status. {@code ScanReportReconciler}:
 * shard plan when agents appear, the operator's part of a run's status, completion Events.
 */
package dev.portolan.operator.reconcile;
