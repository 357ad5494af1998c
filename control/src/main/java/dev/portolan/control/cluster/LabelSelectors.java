package dev.portolan.control.cluster;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes label selectors, evaluated as the API server evaluates them: every {@code matchLabels}
 * pair and every {@code matchExpressions} requirement must hold; an empty selector matches
 * everything. The callers decide what a missing (null) selector means, which differs by field
 * (a NetworkPolicy peer without a namespaceSelector means the policy's own namespace).
 */
public final class LabelSelectors {
  private LabelSelectors() {}

  /** Whether {@code labels} satisfy {@code selector}; a null selector is an empty one (everything). */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    return matches(selector.getMatchLabels(), selector.getMatchExpressions(), labels);
  }

  public static boolean matches(
      Map<String, String> matchLabels, List<LabelSelectorRequirement> expressions, Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (matchLabels != null) {
      for (var e : matchLabels.entrySet()) {
        if (!e.getValue().equals(l.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (expressions != null) {
      for (LabelSelectorRequirement r : expressions) {
        if (!holds(r, l)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean holds(LabelSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(r.getKey());
      case "DoesNotExist" -> !labels.containsKey(r.getKey());
      default -> false; // refused by problem(); never matches if it got through
    };
  }

  /** What is wrong with a selector, as the API server would say it, or empty when it is valid. */
  public static Optional<String> problem(LabelSelector selector) {
    if (selector == null || selector.getMatchExpressions() == null) {
      return Optional.empty();
    }
    for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
      Optional<String> p = problem(r);
      if (p.isPresent()) {
        return p;
      }
    }
    return Optional.empty();
  }

  public static Optional<String> problem(LabelSelectorRequirement r) {
    if (r.getKey() == null || r.getKey().isBlank()) {
      return Optional.of("a matchExpressions requirement needs a key");
    }
    String op = r.getOperator();
    int values = r.getValues() == null ? 0 : r.getValues().size();
    if ("In".equals(op) || "NotIn".equals(op)) {
      return values == 0 ? Optional.of("operator " + op + " on '" + r.getKey() + "' needs at least one value") : Optional.empty();
    }
    if ("Exists".equals(op) || "DoesNotExist".equals(op)) {
      return values != 0 ? Optional.of("operator " + op + " on '" + r.getKey() + "' takes no values") : Optional.empty();
    }
    return Optional.of("'" + op + "' is not a selector operator: use In, NotIn, Exists or DoesNotExist");
  }

  /** The selector in kubectl's -l notation, for messages: "app=web,tier in (a,b)". */
  public static String describe(LabelSelector selector) {
    if (selector == null) {
      return "(none)";
    }
    java.util.List<String> parts = new java.util.ArrayList<>();
    if (selector.getMatchLabels() != null) {
      new java.util.TreeMap<>(selector.getMatchLabels()).forEach((k, v) -> parts.add(k + "=" + v));
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        List<String> v = r.getValues() == null ? List.of() : r.getValues();
        parts.add(switch (r.getOperator()) {
          case "In" -> r.getKey() + " in (" + String.join(",", v) + ")";
          case "NotIn" -> r.getKey() + " notin (" + String.join(",", v) + ")";
          case "Exists" -> r.getKey();
          case "DoesNotExist" -> "!" + r.getKey();
          default -> r.getKey() + " " + r.getOperator();
        });
      }
    }
    return parts.isEmpty() ? "{} (everything)" : String.join(",", parts);
  }
}
