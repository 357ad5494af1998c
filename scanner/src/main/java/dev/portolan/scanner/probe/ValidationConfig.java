package dev.portolan.scanner.probe;

import java.time.Duration;

/**
 * How hard validation tries and how much it may hold at once.
 *
 * <ul>
 *   <li>{@code connectTimeout}: one TCP connect.
 *   <li>{@code readTimeout}: the longest wait for a reply, used for the greeting and the probes the
 *       port makes likely; unlikely probes wait less (adapted to the measured connect time), and a
 *       reply that keeps trickling is cut after this long.
 *   <li>{@code portBudget}: all the work on one endpoint, whatever the server does.
 *   <li>{@code intensity}: 0-9 as in nmap; probes rarer than this are tried only where the port
 *       makes them likely.
 *   <li>{@code maxConnections} / {@code maxConnectionsPerHost}: connections open at once.
 *   <li>{@code maxResponseBytes}: what is read of one reply at most.
 * </ul>
 */
public record ValidationConfig(
    Duration connectTimeout,
    Duration readTimeout,
    Duration portBudget,
    int intensity,
    int maxConnections,
    int maxConnectionsPerHost,
    int maxResponseBytes) {

  public static final ValidationConfig DEFAULTS =
      new ValidationConfig(
          Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(10), 7, 256, 8, 16 * 1024);

  public ValidationConfig {
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(readTimeout, "readTimeout");
    requirePositive(portBudget, "portBudget");
    if (intensity < 0 || intensity > 9) {
      throw new IllegalArgumentException("intensity must be 0-9, not " + intensity);
    }
    if (maxConnections < 1 || maxConnectionsPerHost < 1) {
      throw new IllegalArgumentException("connection bounds must be at least 1");
    }
    if (maxResponseBytes < 256 || maxResponseBytes > 1 << 20) {
      throw new IllegalArgumentException("maxResponseBytes must be 256 to 1048576");
    }
  }

  public ValidationConfig withReadTimeout(Duration d) {
    return new ValidationConfig(connectTimeout, d, portBudget, intensity, maxConnections, maxConnectionsPerHost, maxResponseBytes);
  }

  public ValidationConfig withConnectTimeout(Duration d) {
    return new ValidationConfig(d, readTimeout, portBudget, intensity, maxConnections, maxConnectionsPerHost, maxResponseBytes);
  }

  public ValidationConfig withPortBudget(Duration d) {
    return new ValidationConfig(connectTimeout, readTimeout, d, intensity, maxConnections, maxConnectionsPerHost, maxResponseBytes);
  }

  public ValidationConfig withIntensity(int i) {
    return new ValidationConfig(connectTimeout, readTimeout, portBudget, i, maxConnections, maxConnectionsPerHost, maxResponseBytes);
  }

  public ValidationConfig withConcurrency(int overall, int perHost) {
    return new ValidationConfig(connectTimeout, readTimeout, portBudget, intensity, overall, perHost, maxResponseBytes);
  }

  public ValidationConfig withMaxResponseBytes(int bytes) {
    return new ValidationConfig(connectTimeout, readTimeout, portBudget, intensity, maxConnections, maxConnectionsPerHost, bytes);
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }
}
