/**
 * When a policy's next run is due: one run per spec generation without a schedule, one per cron
 * time with one; never while suspended, never two at a time under concurrencyPolicy Forbid. Pure:
 * it reads the policy, the runs that exist and the time, and depends on no API client.
 */
package dev.portolan.operator.schedule;
