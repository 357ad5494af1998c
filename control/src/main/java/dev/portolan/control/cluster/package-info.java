/**
 * The cluster a run is resolved against: a snapshot of its objects, label selectors evaluated as
 * the API server evaluates them, the workload that owns a pod, and the run's address index (what
 * owns each address, over the run's time). Pure: the objects come in; nothing is read.
 */
package dev.portolan.control.cluster;
