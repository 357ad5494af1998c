package dev.portolan.control.target;

/**
 * The (host, port) index space of a scan: {@code index = hostIndex * ports + portIndex}, so every
 * target has exactly one index and back. Sizes reach 2^32 x 65535 and fit a {@code long}.
 */
public record ScanSpace(AddressSet hosts, PortSet ports) {

  public long size() {
    return hosts.size() * ports.size();
  }

  public int addressAt(long index) {
    return hosts.addressAt(index / ports.size());
  }

  public int portAt(long index) {
    return ports.portAt((int) (index % ports.size()));
  }

  /** The index of (address, port), or -1 when the pair is not in this space. */
  public long indexOf(int address, int port) {
    int p = ports.indexOf(port);
    if (p < 0) {
      return -1;
    }
    long h = hosts.indexOf(address);
    return h < 0 ? -1 : h * ports.size() + p;
  }
}
