package dev.portolan.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The chart rendered by {@code helm template} (Helm as a library), read into fabric8's model. */
record RenderedChart(String yaml, List<HasMetadata> objects) {
  static final Path CHART = Path.of(System.getProperty("portolan.chart", "portolan")).toAbsolutePath();
  static final String RELEASE = "scan";
  static final String NAMESPACE = "portolan-system";
  /** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion). */
  static final String KUBE_VERSION = "1.27.0";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** Renders with the chart's defaults overridden by {@code values} ({@code --set key=value}). */
  static RenderedChart render(Map<String, Object> values) {
    return render(KUBE_VERSION, values);
  }

  /** As {@link #render(Map)}, for a cluster of that Kubernetes version ({@code --kube-version}). */
  static RenderedChart render(String kubeVersion, Map<String, Object> values) {
    TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(kubeVersion);
    values.forEach(template::set);
    return parse(template.call());
  }

  static RenderedChart render() {
    return render(Map.of());
  }

  /** Renders with a values file, as {@code helm install -f FILE} would. */
  static RenderedChart renderWith(Path valuesFile) {
    return parse(new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION).withValuesFile(valuesFile).call());
  }

  /** {@code --set} pairs; a list value becomes {@code key[0]=..., key[1]=...}. */
  static Map<String, Object> values(Object... keysAndValues) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      String key = (String) keysAndValues[i];
      if (keysAndValues[i + 1] instanceof List<?> list) {
        for (int j = 0; j < list.size(); j++) {
          values.put(key + "[" + j + "]", list.get(j));
        }
      } else {
        values.put(key, keysAndValues[i + 1]);
      }
    }
    return values;
  }

  private static RenderedChart parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        continue;
      }
      objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
    }
    return new RenderedChart(yaml, objects);
  }

  /**
   * The one rendered object of {@code kind} as plain maps and lists, as Helm wrote it: what a
   * consumer other than Kubernetes (Prometheus' rule loader, Grafana) reads, with no model between.
   */
  Map<?, ?> document(String kind) {
    List<Map<?, ?>> found = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.equals("kind: " + kind))) {
        found.add(SERIALIZATION.unmarshal(doc, Map.class));
      }
    }
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " objects of kind " + kind + " in:\n" + yaml);
    }
    return found.getFirst();
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String nameSuffix) {
    return all(type).stream().filter(o -> o.getMetadata().getName().endsWith(nameSuffix)).findFirst();
  }

  <T extends HasMetadata> T get(Class<T> type, String nameSuffix) {
    return find(type, nameSuffix).orElseThrow(
        () -> new AssertionError("no " + type.getSimpleName() + " named *" + nameSuffix + " in:\n" + yaml));
  }
}
