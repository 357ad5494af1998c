package dev.portolan.scanner.engine;

/**
 * Receives results as they are concluded, one at a time, from a single delivery thread (so an
 * implementation may write output without locking). Each (address, port) is delivered once.
 */
@FunctionalInterface
public interface ScanListener {
  void onResult(PortResult result);
}
