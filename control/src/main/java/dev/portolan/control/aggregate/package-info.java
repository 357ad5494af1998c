/**
 * A run's status built in one place from what is read now: shard progress, findings pages, the
 * previous run. Level-triggered and pure: the same inputs give the same status.
 */
package dev.portolan.control.aggregate;
