package dev.portolan.control.target;

import dev.portolan.control.UsageException;
import java.util.ArrayList;
import java.util.List;

/**
 * What may be probed: the requested targets minus every exclude. Excludes always win: an exclude
 * larger than a target, overlapping it, or given twice removes exactly its addresses.
 */
public record Scope(AddressSet requested, AddressSet excluded, AddressSet hosts) {

  /**
   * Addresses no TCP scan can meaningfully reach: "this network", multicast, reserved and the
   * limited broadcast. Always excluded by the CLI, which says so when it changes the scope.
   */
  public static final AddressSet UNSCANNABLE =
      AddressSet.of(AddressRange.parse("0.0.0.0/8"), AddressRange.parse("224.0.0.0/3"));

  public static Scope of(AddressSet requested, AddressSet excluded) {
    return new Scope(requested, excluded, requested.minus(excluded));
  }

  /** Parses targets and excludes as a user typed them: each item may hold comma-separated entries. */
  public static AddressSet parseList(List<String> items) {
    List<AddressRange> ranges = new ArrayList<>();
    for (String item : items) {
      for (String part : item.split(",")) {
        if (!part.isBlank()) {
          ranges.add(AddressRange.parse(part));
        }
      }
    }
    return AddressSet.of(ranges);
  }

  /**
   * Parses the lines of an exclude (or target) file in masscan's format: one address, CIDR or
   * range per line (or several, separated by commas or spaces), {@code #} starts a comment, blank
   * lines ignored. Errors name {@code source} and the line. The caller reads the file.
   */
  public static AddressSet parseLines(List<String> lines, String source) {
    List<AddressRange> ranges = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      for (String part : content.split("[,\\s]+")) {
        if (part.isEmpty()) {
          continue;
        }
        try {
          ranges.add(AddressRange.parse(part));
        } catch (UsageException e) {
          throw new UsageException(source + " line " + (i + 1) + ": " + e.getMessage());
        }
      }
    }
    return AddressSet.of(ranges);
  }
}
