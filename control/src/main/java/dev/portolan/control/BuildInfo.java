package dev.portolan.control;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version stamped into this build, the same for the CLI, the agent and the operator. */
public final class BuildInfo {
  private static final String VERSION = read();

  private BuildInfo() {}

  /** The project version, or "dev" when the build did not stamp one (an IDE's classes). */
  public static String version() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/portolan/control/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String v = p.getProperty("version", "dev");
      return v.startsWith("${") ? "dev" : v;
    } catch (IOException e) {
      return "dev";
    }
  }
}
