package dev.portolan.scanner.lab.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the installed Debian packages say about themselves, so tests compare against the machine
 * they run on instead of hard-coded versions. A Debian version is {@code [epoch:]upstream[-revision]}.
 */
public final class Dpkg {
  private Dpkg() {}

  /** The installed version of {@code pkg}, as dpkg writes it ({@code 1:9.2p1-2+deb12u3}). */
  public static String version(String pkg) {
    try {
      Process p =
          new ProcessBuilder("dpkg-query", "-W", "-f", "${Version}", pkg).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
        throw new IllegalStateException(pkg + " is not installed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("dpkg-query failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The upstream part: {@code 1:9.2p1-2+deb12u3} gives {@code 9.2p1}. */
  public static String upstream(String version) {
    String v = version.contains(":") ? version.substring(version.indexOf(':') + 1) : version;
    int dash = v.lastIndexOf('-');
    return dash > 0 ? v.substring(0, dash) : v;
  }

  /** The Debian revision: {@code 1:9.2p1-2+deb12u3} gives {@code 2+deb12u3} ("" for native packages). */
  public static String revision(String version) {
    int dash = version.lastIndexOf('-');
    return dash > 0 ? version.substring(dash + 1) : "";
  }
}
