/**
 * What the cluster holds, read and written through the Kubernetes API: the addresses that cluster
 * selectors resolve to, the scanner agents that are ready, the source pods of Pod-sourced runs, and
 * Events on policies. Pure functions over API objects are kept apart from the calls that fetch
 * them, so the first are unit-tested without an API server. Knows nothing of reconcilers.
 */
package dev.portolan.operator.cluster;
