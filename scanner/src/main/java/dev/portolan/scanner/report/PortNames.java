package dev.portolan.scanner.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The conventional name of a TCP port, from the list shipped as data in {@code port-names.txt}. */
public final class PortNames {
  private static final String[] NAMES = load();

  private PortNames() {}

  /** The name for {@code port}, or "unknown" as nmap writes it. */
  public static String of(int port) {
    String n = port >= 0 && port < NAMES.length ? NAMES[port] : null;
    return n == null ? "unknown" : n;
  }

  private static String[] load() {
    String[] names = new String[65536];
    try (InputStream in = PortNames.class.getResourceAsStream("port-names.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        String[] f = l.split("\\s+");
        names[Integer.parseInt(f[0])] = f[1];
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }
}
