/**
 * The control logic of a run, pure and shared by the operator, the agent and {@code portolan run}
 * (docs/decisions/004 and 007): the scope model ({@code target}), cron ({@code schedule}), the scan
 * guard ({@code guard}), expectations ({@code expect}), what a run is ({@code run}) and the
 * aggregation of its status ({@code aggregate}). Reads and builds the API types of
 * {@code dev.portolan.crds}; no sockets, no API client, no files: the edges do I/O.
 * {@link dev.portolan.control.UsageException} is the one way a user's mistake is reported.
 */
package dev.portolan.control;
