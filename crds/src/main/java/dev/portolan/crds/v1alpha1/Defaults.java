package dev.portolan.crds.v1alpha1;

/**
 * The defaults of a scan, in one place: the CRD schema's {@code default}s (the {@code *_TEXT}
 * constants, which annotations need as text), the CLI's option defaults, the agent and
 * {@code portolan run}. Chosen to be safe: a modest rate, one retry, a short wait.
 */
public final class Defaults {
  private Defaults() {}

  /** Probes per second for a whole run (or a {@code portolan scan}). */
  public static final long RATE = 1000;
  public static final String RATE_TEXT = "" + RATE;

  /** Extra probes for targets that have not answered. */
  public static final int RETRIES = 1;
  public static final String RETRIES_TEXT = "" + RETRIES;

  /** Seconds to wait for late replies after the last probe. */
  public static final int WAIT_SECONDS = 3;
  public static final String WAIT_SECONDS_TEXT = "" + WAIT_SECONDS;

  /** Completed runs of a policy kept. */
  public static final int HISTORY_LIMIT = 5;
  public static final String HISTORY_LIMIT_TEXT = "" + HISTORY_LIMIT;

  /** Seconds validation may spend on one open port in all. */
  public static final int VALIDATION_TIMEOUT_SECONDS = 10;
  public static final String VALIDATION_TIMEOUT_SECONDS_TEXT = "" + VALIDATION_TIMEOUT_SECONDS;

  /** How many validation probes to try, 0 (the likely one only) to 9 (all), as nmap's intensity. */
  public static final int VALIDATION_INTENSITY = 7;
  public static final String VALIDATION_INTENSITY_TEXT = "" + VALIDATION_INTENSITY;
}
