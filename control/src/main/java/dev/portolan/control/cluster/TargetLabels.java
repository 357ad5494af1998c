package dev.portolan.control.cluster;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The label keys a finding's target may carry: an allow-list, never all labels (labels can hold
 * what a report should not spread, and they make every report larger).
 */
public record TargetLabels(List<String> keys) {
  public static final List<String> DEFAULT_KEYS = List.of("app.kubernetes.io/name", "app.kubernetes.io/instance", "app");

  public static TargetLabels defaults() {
    return new TargetLabels(DEFAULT_KEYS);
  }

  public TargetLabels {
    keys = List.copyOf(keys);
  }

  /** The allowed keys of {@code labels}, sorted; null when none is present. */
  public Map<String, String> pick(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return null;
    }
    Map<String, String> out = new TreeMap<>();
    for (String k : keys) {
      String v = labels.get(k);
      if (v != null) {
        out.put(k, v);
      }
    }
    return out.isEmpty() ? null : out;
  }
}
