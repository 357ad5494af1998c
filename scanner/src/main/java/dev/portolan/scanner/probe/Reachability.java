package dev.portolan.scanner.probe;

/** Whether validation could connect at all; everything but {@link #CONNECTED} ends it early. */
public enum Reachability {
  CONNECTED,
  /** The port answered with a reset: nothing listens (any more). */
  REFUSED,
  /** No answer to the connect within the connect timeout. */
  TIMED_OUT,
  /** The network or host is unreachable from here. */
  UNREACHABLE
}
