package dev.portolan.charts;

import static dev.portolan.charts.RenderedChart.render;
import static dev.portolan.charts.RenderedChart.values;

import io.fabric8.kubernetes.api.model.ConfigMap;
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
 * Prometheus rule file, the dashboard as Grafana's JSON, and the metric names their queries use.
 */
final class Monitoring {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Monitoring() {}

  /** The chart with its ServiceMonitors, alerts and dashboard on. */
  static RenderedChart enabled() {
    return render(values("metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true,
        "metrics.dashboard.enabled", true));
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

  /** The dashboard as Grafana reads it from the ConfigMap. */
  static Map<String, Object> dashboard(RenderedChart chart) {
    ConfigMap cm = chart.get(ConfigMap.class, "-dashboard");
    return map(SERIALIZATION.unmarshal(cm.getData().get("portolan.json"), Map.class));
  }

  /** Every panel's queries, rows' panels included. */
  static List<String> dashboardQueries(Map<String, Object> dashboard) {
    List<String> queries = new ArrayList<>();
    for (Map<String, Object> panel : panels(dashboard)) {
      if (panel.get("targets") instanceof List<?> targets) {
        for (Object t : targets) {
          queries.add((String) map(t).get("expr"));
        }
      }
    }
    if (dashboard.get("templating") instanceof Map<?, ?> templating && templating.get("list") instanceof List<?> variables) {
      for (Object v : variables) {
        if (map(v).get("query") instanceof Map<?, ?> query) {
          queries.add((String) query.get("query"));
        }
      }
    }
    return queries;
  }

  static List<Map<String, Object>> panels(Map<String, Object> dashboard) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object p : (List<?>) dashboard.get("panels")) {
      Map<String, Object> panel = map(p);
      out.add(panel);
      if (panel.get("panels") instanceof List<?> nested) {
        nested.forEach(n -> out.add(map(n)));
      }
    }
    return out;
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
   * The metric names a PromQL query (or a Grafana {@code label_values(metric, label)} query) reads:
   * what is left once strings, label matchers, ranges, label lists, functions, keywords and
   * numbers are taken out.
   */
  static Set<String> metricNames(String query) {
    String q = query;
    Matcher labelValues = Pattern.compile("^label_values\\((.*),\\s*\\w+\\)$").matcher(q.strip());
    if (labelValues.matches()) {
      q = labelValues.group(1);
    }
    q = STRINGS.matcher(q).replaceAll(" ");
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
