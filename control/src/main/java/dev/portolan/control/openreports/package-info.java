/** A finished run's results as OpenReports Reports, for Policy Reporter and the tools that read them. */
package dev.portolan.control.openreports;
