package dev.portolan.scanner.link;

import java.io.IOException;

/** A system call on the packet path failed; the message names the call and the kernel's reason. */
public final class LinkException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int errno;

  LinkException(String what, int errno) {
    super(what + ": " + Libc.strerror(errno));
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }

  /** Whether the failure means "no CAP_NET_RAW" rather than a broken setup. */
  public boolean isPermissionDenied() {
    return errno == Libc.EPERM || errno == Libc.EACCES;
  }
}
