/**
 * What a run is and which runs are kept: the main report of a new run (built with the shared
 * {@code RunSpecs} and {@code ShardPlanner}), the run history of a policy (active, last, baseline,
 * what to prune). Pure: no API client.
 */
package dev.portolan.operator.plan;
