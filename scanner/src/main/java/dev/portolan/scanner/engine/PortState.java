package dev.portolan.scanner.engine;

/** What discovery concluded about one (address, port). */
public enum PortState {
  OPEN("syn-ack"),
  CLOSED("reset"),
  FILTERED("no-response");

  private final String defaultReason;

  PortState(String defaultReason) {
    this.defaultReason = defaultReason;
  }

  /** The reason nmap would print for this state when no more specific one is known. */
  public String defaultReason() {
    return defaultReason;
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
