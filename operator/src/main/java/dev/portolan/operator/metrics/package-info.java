/**
 * Prometheus metrics (Micrometer) and the HTTP endpoint that serves them with /healthz and /readyz.
 * Labels are namespace, policy, controller and result only: never an address or a port.
 */
package dev.portolan.operator.metrics;
