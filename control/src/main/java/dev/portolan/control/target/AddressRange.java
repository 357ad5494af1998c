package dev.portolan.control.target;

import dev.portolan.control.UsageException;

/** An inclusive range of IPv4 addresses, bounds as unsigned values in [0, 2^32). */
public record AddressRange(long first, long last) implements Comparable<AddressRange> {
  public static final long MAX = 0xffffffffL;

  public AddressRange {
    if (first < 0 || last > MAX || first > last) {
      throw new IllegalArgumentException("bad range " + first + "-" + last);
    }
  }

  public static AddressRange single(int address) {
    long a = Ipv4.unsigned(address);
    return new AddressRange(a, a);
  }

  public static AddressRange cidr(int network, int prefix) {
    long mask = prefix == 0 ? 0 : (MAX << (32 - prefix)) & MAX;
    long first = Ipv4.unsigned(network) & mask;
    return new AddressRange(first, first | (~mask & MAX));
  }

  /**
   * Parses {@code 198.18.0.1}, {@code 198.18.0.0/16}, {@code 198.18.0.1-198.18.0.9} or the short
   * form {@code 198.18.0.1-9} (last octet). A CIDR with host bits set means its whole network, as in
   * nmap and masscan.
   */
  public static AddressRange parse(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw new UsageException("empty target: give an address, CIDR or range such as 198.18.0.0/24");
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      String prefixText = s.substring(slash + 1);
      int prefix;
      try {
        prefix = Integer.parseInt(prefixText);
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > 32 || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new UsageException(
            "'" + text + "' has a bad prefix length: write /0 to /32, like 198.18.0.0/16");
      }
      return cidr(Ipv4.parse(s.substring(0, slash)), prefix);
    }
    int dash = s.indexOf('-');
    if (dash >= 0) {
      int from = Ipv4.parse(s.substring(0, dash));
      String toText = s.substring(dash + 1).strip();
      long to;
      if (!toText.contains(".") && !toText.isEmpty() && toText.chars().allMatch(c -> c >= '0' && c <= '9')) {
        int last = Integer.parseInt(toText.length() > 3 ? "999" : toText);
        if (last > 255) {
          throw new UsageException(
              "'" + text + "': the short range end must be 0-255 (the last octet)");
        }
        to = (Ipv4.unsigned(from) & 0xffffff00L) | last;
      } else {
        to = Ipv4.unsigned(Ipv4.parse(toText));
      }
      long first = Ipv4.unsigned(from);
      if (to < first) {
        throw new UsageException(
            "'" + text + "' is reversed: the range must go from the lower address to the higher");
      }
      return new AddressRange(first, to);
    }
    if (!Ipv4.looksLikeAddress(s) && !s.contains(":")) {
      throw new UsageException(
          "'"
              + text
              + "' is not an address, CIDR or range; host names are not resolved (give the"
              + " address, like 198.18.0.1)");
    }
    return single(Ipv4.parse(s));
  }

  public long size() {
    return last - first + 1;
  }

  public boolean contains(long address) {
    return address >= first && address <= last;
  }

  @Override
  public int compareTo(AddressRange o) {
    return first != o.first ? Long.compare(first, o.first) : Long.compare(last, o.last);
  }

  @Override
  public String toString() {
    String a = Ipv4.format((int) first);
    if (first == last) {
      return a;
    }
    long size = size();
    if (Long.bitCount(size) == 1 && (first & (size - 1)) == 0) {
      return a + "/" + (32 - Long.numberOfTrailingZeros(size));
    }
    return a + "-" + Ipv4.format((int) last);
  }
}
