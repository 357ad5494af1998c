package dev.portolan.charts;

import static dev.portolan.charts.RenderedChart.render;
import static dev.portolan.charts.RenderedChart.values;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chart's monitoring objects as their consumers read them: the PrometheusRule's groups as a
 * Prometheus rule file, and the metric names its queries use.
 */
final class Monitoring {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Monitoring() {}

  /** The chart with its ServiceMonitors and alerts on. */
  static RenderedChart enabled() {
    return render(values("metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true));
  }

  /** The PrometheusRule's {@code spec.groups} as a rule file ({@code groups:}), as the Prometheus Operator hands them over. */
  static String ruleFile(RenderedChart chart) {
    return SERIALIZATION.asYaml(Map.of("groups", groups(chart)));
  }

  static List<Map<String, Object>> rules(RenderedChart chart) {
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Object group : groups(chart)) {
      for (Object rule : (List<?>) map(group).get("rules")) {
        rules.add(map(rule));
      }
    }
    return rules;
  }

  private static List<?> groups(RenderedChart chart) {
    return (List<?>) map(map(chart.document("PrometheusRule")).get("spec")).get("groups");
  }

  /** A JSON or YAML object as read: string keys. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object parsed) {
    if (!(parsed instanceof Map<?, ?>)) {
      throw new AssertionError("not an object: " + parsed);
    }
    return (Map<String, Object>) parsed;
  }

  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^\\]]*]");
  private static final Pattern LABEL_LISTS = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(?!\\s*\\()");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool", "by", "without", "on",
      "ignoring", "group_left", "group_right", "inf", "nan");

  /**
   * The metric names a PromQL query reads:
   * what is left once strings, label matchers, ranges, label lists, functions, keywords and
   * numbers are taken out.
   */
  static Set<String> metricNames(String query) {
    String q = STRINGS.matcher(query).replaceAll(" ");
    q = MATCHERS.matcher(q).replaceAll(" ");
    q = RANGES.matcher(q).replaceAll(" ");
    q = LABEL_LISTS.matcher(q).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(q);
    while (m.find()) {
      String name = m.group(1);
      if (!KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        names.add(name);
      }
    }
    return names;
  }
}
