package dev.portolan.scanner.lab;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads Portolan's NDJSON strictly: every line must be one complete JSON object (nested values are summarised). */
final class Ndjson {
  private static final JsonFactory JSON = new JsonFactory();

  private Ndjson() {}

  static List<Map<String, String>> parse(String text) {
    List<Map<String, String>> records = new ArrayList<>();
    for (String line : text.lines().toList()) {
      records.add(parseLine(line));
    }
    return records;
  }

  static Map<String, String> parseLine(String line) {
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new AssertionError("not a JSON object: " + line);
      }
      Map<String, String> m = new LinkedHashMap<>();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        if (t != JsonToken.FIELD_NAME) {
          throw new AssertionError("truncated JSON object: " + line);
        }
        String key = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          p.skipChildren(); // nested values (cpe, tls, os) are read by the tests that need them
          m.put(key, value == JsonToken.START_OBJECT ? "{...}" : "[...]");
        } else {
          m.put(key, p.getValueAsString());
        }
      }
      if (p.nextToken() != null) {
        throw new AssertionError("more than one value on a line: " + line);
      }
      return m;
    } catch (IOException e) {
      throw new AssertionError("invalid JSON line: " + line, e);
    }
  }

  /** "ip:port" of the port records in {@code state}. */
  static Set<String> endpoints(List<Map<String, String>> records, String state) {
    Set<String> out = new TreeSet<>();
    for (Map<String, String> r : records) {
      if ("port".equals(r.get("type")) && state.equals(r.get("state"))) {
        out.add(r.get("ip") + ":" + r.get("port"));
      }
    }
    return out;
  }

  static Map<String, String> summary(List<Map<String, String>> records) {
    Map<String, String> last = records.get(records.size() - 1);
    if (!"summary".equals(last.get("type"))) {
      throw new AssertionError("the last record is not the summary: " + last);
    }
    return last;
  }
}
