package dev.portolan.scanner.probe;

import java.util.List;

/**
 * The probe database file as written (YAML; see {@code probes.yaml} for the documented format),
 * before it is checked and compiled into {@link Probe}s and {@link MatchRule}s. Unknown keys are
 * errors, so a typo in a user's rules file is reported instead of silently ignored.
 */
record ProbeFile(List<ProbeEntry> probes, List<RuleEntry> rules, List<DetailEntry> details, List<SynAckEntry> synack) {

  record ProbeEntry(
      String id,
      String send,
      String handshake,
      String ports,
      String tlsPorts,
      Integer rarity,
      List<String> services,
      Boolean untilClose,
      Boolean tls) {}

  record RuleEntry(
      String id,
      String service,
      Boolean soft,
      List<String> after,
      String ports,
      String pattern,
      String product,
      String version,
      String info,
      String hostname,
      String os,
      String device,
      List<String> cpe,
      Integer confidence,
      String note) {}

  record DetailEntry(String service, String label, String pattern, String value) {}

  record SynAckEntry(Integer ttl, String options, List<Integer> windows, String family, Integer confidence) {}
}
