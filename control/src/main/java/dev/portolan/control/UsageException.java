package dev.portolan.control;

/**
 * A mistake in what the user asked for. The CLI turns it into exit code 2 and this one message,
 * never a stack trace; everything else that escapes is a bug and keeps its trace.
 */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message, null, false, false);
  }
}
