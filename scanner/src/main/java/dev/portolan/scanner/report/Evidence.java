package dev.portolan.scanner.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A validation's evidence (the reply's bytes as escaped text: {@code \r\n}, {@code \x00}) as the
 * lines a report shows: one line of the reply to a line, what changes on every run taken out (HTTP
 * dates, cookies and request ids, Redis' uptime and run id, timestamps and dates anywhere), and
 * bounded, so that two runs' reports differ only where the service did and a report stays readable.
 */
final class Evidence {
  static final int MAX_LINES = 24;
  static final int MAX_LINE = 200;
  static final String VARIES = "(varies)";

  /** Keys whose values change from one reply to the next, in "Key: value", "key:value" or "key=value" lines. */
  private static final Pattern VOLATILE_KEY = Pattern.compile(
      "date|expires|age|set-cookie|x-request-id|x-amzn-requestid|x-trace-id|request-id|etag|last-modified"
          + "|uptime.*|.*_time|.*timestamp|run_?id|.*nonce.*|lru_clock|server_time|.*_clock|connected_clients"
          + "|used_memory.*|total_.*|instantaneous_.*|keyspace_.*|expired_keys|evicted_keys|.*_since_.*");
  private static final Pattern FIELD = Pattern.compile("^([A-Za-z0-9_.-]{1,64})(\\s*[:=]\\s*)(.*)$");
  private static final Pattern HTTP_DATE = Pattern.compile(
      "\\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun),? \\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2}( ?[A-Z]{1,5}| ?[+-]\\d{4})?");
  private static final Pattern ISO_TIME = Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})?");
  private static final Pattern CLOCK = Pattern.compile("\\b\\d{1,2}:\\d{2}:\\d{2}\\b");

  private Evidence() {}

  static List<String> lines(String evidence) {
    List<String> out = new ArrayList<>();
    for (String raw : evidence.split("\\\\r\\\\n|\\\\n|\\\\r")) {
      String line = stable(raw.strip());
      if (line.isEmpty()) {
        continue;
      }
      if (out.size() == MAX_LINES) {
        out.add("...");
        break;
      }
      out.add(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "..." : line);
    }
    return out;
  }

  /** The line with its volatile parts replaced. */
  static String stable(String line) {
    var m = FIELD.matcher(line);
    if (m.matches() && VOLATILE_KEY.matcher(m.group(1).toLowerCase(Locale.ROOT)).matches()) {
      return m.group(1) + m.group(2) + VARIES;
    }
    String s = HTTP_DATE.matcher(line).replaceAll(VARIES);
    s = ISO_TIME.matcher(s).replaceAll(VARIES);
    return CLOCK.matcher(s).replaceAll(VARIES);
  }
}
