package dev.portolan.control.guard;

import dev.portolan.crds.v1alpha1.ScanPolicyStatus;

/** The size of a run, known before it starts: addresses, ports, first-pass probes, duration. */
public record Workload(long addresses, long ports, long probes, long expectedSeconds) {

  static Workload of(long addresses, long ports, long rate, int waitSeconds) {
    long probes = addresses * ports;
    return new Workload(addresses, ports, probes, (probes + rate - 1) / rate + waitSeconds);
  }

  public ScanPolicyStatus.Workload toStatus() {
    return new ScanPolicyStatus.Workload(addresses, ports, probes, expectedSeconds);
  }
}
