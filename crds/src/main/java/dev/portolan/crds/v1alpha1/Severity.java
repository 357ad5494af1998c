package dev.portolan.crds.v1alpha1;

/** How bad a violation is, in the words OpenReports and Policy Reporter use. */
public enum Severity {
  info,
  low,
  medium,
  high,
  critical
}
