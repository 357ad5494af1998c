package dev.portolan.crds.v1alpha1;

/** The text shapes the API accepts, checked by the API server (schema and CEL) at apply time. */
public final class Patterns {
  private Patterns() {}

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final String ADDRESS = "(" + OCTET + "\\.){3}" + OCTET;

  /**
   * An IPv4 address, CIDR or range (198.18.0.1, 198.18.0.0/16, 198.18.0.1-198.18.0.9), checked
   * per list item by the schema's {@code pattern} (a CEL rule over the list would exceed the API
   * server's cost budget; the real API server tier caught that).
   */
  public static final String TARGET =
      "^" + ADDRESS + "(/(3[0-2]|[12]?[0-9])|-" + ADDRESS + ")?$";

  /** The longest target text: two dotted quads and a dash. */
  public static final int TARGET_MAX_LENGTH = 31;

  /** A port number, 1-65535, without leading zeros. */
  private static final String PORT =
      "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})";

  /**
   * Ports and port ranges: 22,80,443,8000-9000, every number 1-65535. A reversed range (9000-8000)
   * is refused by the CEL rule {@link #PORTS_ORDERED}.
   */
  public static final String PORTS = "^ *" + PORT + "( *- *" + PORT + ")?( *, *" + PORT + "( *- *" + PORT + ")?)* *$";

  /** The longest port list the API takes (about 600 ranges). */
  public static final int PORTS_MAX_LENGTH = 8192;

  /**
   * The longest port list of one expectation (about 40 ranges): the CEL rule that checks range
   * order is costed per rule and list item, and the API server caps the schema's total.
   */
  public static final int RULE_PORTS_MAX_LENGTH = 512;

  /** CEL on an object with {@code ports}: every range in its (pattern-checked) port list runs upwards. */
  public static final String PORTS_ORDERED =
      "self.ports.replace(' ', '').split(',').all(r, !r.contains('-') || int(r.split('-')[0]) <= int(r.split('-')[1]))";

  // Cron fields, each built as constants (annotations take only constant expressions): an item is
  // *, ? or a value or range, with an optional step; a field is a comma-separated list of items.
  private static final String STEP = "(/[1-9][0-9]?)?";
  private static final String MINUTE = "([1-5][0-9]|0?[0-9])";
  private static final String MINUTE_ITEM = "(\\*|" + MINUTE + "(-" + MINUTE + ")?)" + STEP;
  private static final String HOUR = "(1[0-9]|2[0-3]|0?[0-9])";
  private static final String HOUR_ITEM = "(\\*|" + HOUR + "(-" + HOUR + ")?)" + STEP;
  private static final String DAY = "(3[01]|[12][0-9]|0?[1-9])";
  private static final String DAY_ITEM = "(\\*|\\?|" + DAY + "(-" + DAY + ")?)" + STEP;
  private static final String MONTH = "(1[0-2]|0?[1-9]|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))";
  private static final String MONTH_ITEM = "(\\*|" + MONTH + "(-" + MONTH + ")?)" + STEP;
  private static final String WEEKDAY = "([0-7]|(?i:sun|mon|tue|wed|thu|fri|sat))";
  private static final String WEEKDAY_ITEM = "(\\*|\\?|" + WEEKDAY + "(-" + WEEKDAY + ")?)" + STEP;

  /**
   * A five-field cron expression (minute 0-59, hour 0-23, day 1-31, month 1-12 or JAN-DEC, weekday
   * 0-7 or SUN-SAT; lists, ranges, steps), or a macro such as @daily: what CronJob accepts.
   */
  public static final String CRON = "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|"
      + MINUTE_ITEM + "(," + MINUTE_ITEM + ")* +"
      + HOUR_ITEM + "(," + HOUR_ITEM + ")* +"
      + DAY_ITEM + "(," + DAY_ITEM + ")* +"
      + MONTH_ITEM + "(," + MONTH_ITEM + ")* +"
      + WEEKDAY_ITEM + "(," + WEEKDAY_ITEM + ")*)$";

  /** A namespace name (a DNS-1123 label), or "*" for every namespace. */
  public static final String NAMESPACE_OR_ALL = "^(\\*|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$";

  /** A namespace name (a DNS-1123 label). */
  public static final String NAMESPACE = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

  /** An object name (a DNS-1123 subdomain, as Services and Pods have). */
  public static final String NAME = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

  /** An IANA time zone name as CronJob's timeZone takes it: UTC, Europe/Berlin, America/Argentina/Salta. */
  public static final String TIME_ZONE = "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$";
}
