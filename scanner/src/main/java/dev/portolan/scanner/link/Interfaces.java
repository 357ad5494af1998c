package dev.portolan.scanner.link;

import dev.portolan.control.UsageException;
import dev.portolan.control.target.Ipv4;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Facts about this host's (this network namespace's) interfaces. */
public final class Interfaces {
  /** ARPHRD_ETHER and ARPHRD_LOOPBACK: the link types whose frames carry an Ethernet header. */
  static final int ARPHRD_ETHER = 1;

  static final int ARPHRD_LOOPBACK = 772;

  private Interfaces() {}

  static int index(String name) throws LinkException {
    int index = Libc.ifNameToIndex(name);
    if (index == 0) {
      throw new LinkException("interface " + name, Libc.errno());
    }
    return index;
  }

  /** The named interface, or a usage error listing the ones that exist. */
  public static NetworkInterface require(String name) {
    try {
      NetworkInterface nif = NetworkInterface.getByName(name);
      if (nif == null) {
        throw new UsageException(
            "no interface '" + name + "' here; choose one of: " + String.join(", ", names()));
      }
      return nif;
    } catch (SocketException e) {
      throw new UsageException("cannot read interface '" + name + "': " + e.getMessage());
    }
  }

  public static List<String> names() {
    try {
      List<String> names = new ArrayList<>();
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        names.add(nif.getName());
      }
      Collections.sort(names);
      return names;
    } catch (SocketException e) {
      return List.of();
    }
  }

  /** The link type from sysfs (1 Ethernet, 772 loopback, 65534 none), or -1 when unknown. */
  public static int linkType(String name) {
    try {
      return Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "type")).strip());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  public static boolean isLoopback(String name) {
    return linkType(name) == ARPHRD_LOOPBACK;
  }

  /** Whether frames on this interface start with an Ethernet header (what the engine writes). */
  public static boolean hasEthernetHeader(String name) {
    int type = linkType(name);
    return type == ARPHRD_ETHER || type == ARPHRD_LOOPBACK;
  }

  /** The interface's MAC as 48 bits, 0 for loopback. */
  public static long mac(String name) {
    try {
      byte[] hw = require(name).getHardwareAddress();
      if (hw == null || hw.length != 6) {
        return 0;
      }
      long mac = 0;
      for (byte b : hw) {
        mac = (mac << 8) | (b & 0xff);
      }
      return mac;
    } catch (SocketException e) {
      return 0;
    }
  }

  /** The interface's first IPv4 address, or empty when it has none. */
  public static java.util.OptionalInt ipv4(String name) {
    for (InterfaceAddress a : require(name).getInterfaceAddresses()) {
      if (a.getAddress() instanceof Inet4Address v4) {
        return java.util.OptionalInt.of(toInt(v4));
      }
    }
    return java.util.OptionalInt.empty();
  }

  /** Every IPv4 address of this host (of this network namespace). */
  public static java.util.Set<Integer> ownAddresses() {
    java.util.Set<Integer> own = new java.util.HashSet<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InterfaceAddress a : nif.getInterfaceAddresses()) {
          if (a.getAddress() instanceof Inet4Address v4) {
            own.add(toInt(v4));
          }
        }
      }
    } catch (SocketException e) {
      return own;
    }
    return own;
  }

  /** The interface holding {@code address}, if it is one of this host's own. */
  public static java.util.Optional<String> owning(int address) {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InterfaceAddress a : nif.getInterfaceAddresses()) {
          if (a.getAddress() instanceof Inet4Address v4 && toInt(v4) == address) {
            return java.util.Optional.of(nif.getName());
          }
        }
      }
    } catch (SocketException e) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.empty();
  }

  /** The loopback interface's name (normally {@code lo}). */
  public static String loopbackName() {
    for (String n : names()) {
      if (isLoopback(n)) {
        return n;
      }
    }
    return "lo";
  }

  static int toInt(Inet4Address a) {
    byte[] b = a.getAddress();
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  public static String formatMac(long mac) {
    StringBuilder s = new StringBuilder();
    for (int i = 5; i >= 0; i--) {
      s.append(String.format("%02x", (mac >>> (8 * i)) & 0xff));
      if (i > 0) {
        s.append(':');
      }
    }
    return s.toString();
  }

  public static long parseMac(String text) {
    String[] parts = text.strip().split("[:-]");
    if (parts.length != 6) {
      throw new UsageException("'" + text + "' is not a MAC address (write six hex pairs like 02:00:00:00:00:01)");
    }
    long mac = 0;
    for (String p : parts) {
      if (!p.matches("[0-9a-fA-F]{1,2}")) {
        throw new UsageException("'" + text + "' is not a MAC address (write six hex pairs like 02:00:00:00:00:01)");
      }
      mac = (mac << 8) | Integer.parseInt(p, 16);
    }
    return mac;
  }

  static String describe(int address) {
    return Ipv4.format(address);
  }
}
