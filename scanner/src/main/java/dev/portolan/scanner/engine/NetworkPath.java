package dev.portolan.scanner.engine;

import dev.portolan.control.target.Ipv4;
import dev.portolan.scanner.link.Interfaces;

/** How probes leave this host: interface, our source address and MAC, and the next hop. */
public record NetworkPath(String ifname, int sourceIp, long sourceMac, NextHop nextHop) {
  public String describe() {
    return ifname
        + " from "
        + Ipv4.format(sourceIp)
        + (sourceMac != 0 ? " (" + Interfaces.formatMac(sourceMac) + ")" : "")
        + " via "
        + nextHop.describe();
  }
}
