/**
 * The API types {@code ScanPolicy} and {@code ScanReport} ({@code portolan.dev/v1alpha1}) as fabric8
 * custom resource classes, and the CRD YAML generated from them. Knows nothing of the engine or of
 * sockets. The types arrive with the operator (issue 5); this module fixes the layout now.
 */
package dev.portolan.crds;
