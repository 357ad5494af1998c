/**
 * The Portolan API, {@code portolan.dev/v1alpha1}: {@link ScanPolicy} (what to scan, why, how
 * fast, what may be exposed) and {@link ScanReport} (one run: frozen scope, audit record, shard
 * progress, findings, summary, diff, violations). fabric8 custom resource classes; the CRD YAML is
 * generated from them at build time. Knows nothing of the engine, sockets or the operator.
 */
package dev.portolan.crds.v1alpha1;
