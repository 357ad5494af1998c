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

  /** Ports and port ranges: 22,80,443,8000-9000 (values 1-65535 are checked by the operator). */
  public static final String PORTS = "^ *[0-9]{1,5}( *- *[0-9]{1,5})?( *, *[0-9]{1,5}( *- *[0-9]{1,5})?)* *$";

  /** A five-field cron expression, or a macro such as @daily. */
  public static final String CRON = "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|([^ ]+ +){4}[^ ]+)$";
}
