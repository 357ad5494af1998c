package dev.portolan.crds.v1alpha1;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reading the RFC 3339 timestamps of these resources (and of the Kubernetes objects beside them).
 * Compare what this returns, never the text: {@code Instant.toString()} drops a zero fraction, so
 * "...:00Z" sorts after "...:00.250Z" as a string.
 */
public final class Timestamps {
  private Timestamps() {}

  /** The instant {@code text} names; empty when it is absent or not a timestamp (a hand-edited status, say). */
  public static Optional<Instant> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** As {@link #parse}, null when absent or unreadable. */
  public static Instant orNull(String text) {
    return parse(text).orElse(null);
  }
}
