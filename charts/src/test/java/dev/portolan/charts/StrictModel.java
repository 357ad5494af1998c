package dev.portolan.charts;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Finds what the Kubernetes schema would not accept in an object read by fabric8's model. The
 * model keeps a field it does not know in {@code additionalProperties} instead of failing, so a
 * typo ({@code securityContxt}) reads fine; this walks every model object and reports each such
 * field with its path. A kind or apiVersion the model does not know reads as a
 * {@link GenericKubernetesResource}, which is reported too.
 */
final class StrictModel {
  private StrictModel() {}

  /** Every problem found, as "Kind/name: path.field"; empty when the object is well-formed. */
  static List<String> problems(HasMetadata object) {
    String where = object.getKind() + "/" + (object.getMetadata() == null ? "?" : object.getMetadata().getName());
    List<String> found = new ArrayList<>();
    if (object instanceof GenericKubernetesResource) {
      found.add(where + ": unknown kind or apiVersion " + object.getApiVersion() + " " + object.getKind());
      return found;
    }
    walk(object, "", where, found, 0);
    return found;
  }

  private static void walk(Object value, String path, String where, List<String> found, int depth) {
    if (value == null || depth > 40) {
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "[" + k + "]", where, found, depth + 1));
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", where, found, depth + 1);
      }
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.")) {
      return; // strings, numbers, booleans
    }
    for (Method m : value.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
        continue;
      }
      String name = m.getName();
      if (!name.startsWith("get") || name.equals("getClass")) {
        continue;
      }
      Object child = invoke(m, value);
      if (name.equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
          for (Object key : extra.keySet()) {
            found.add(where + ": unknown field " + (path.isEmpty() ? "" : path + ".") + key);
          }
        }
        continue;
      }
      String field = Character.toLowerCase(name.charAt(3)) + name.substring(4);
      walk(child, path.isEmpty() ? field : path + "." + field, where, found, depth + 1);
    }
  }

  private static Object invoke(Method m, Object target) {
    try {
      return m.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      return null; // a computed getter that does not apply to this object
    }
  }
}
