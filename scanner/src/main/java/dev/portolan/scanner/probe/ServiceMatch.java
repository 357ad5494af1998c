package dev.portolan.scanner.probe;

import java.util.List;

/**
 * A rule that matched a reply, with its templates filled from the reply: the service and what the
 * reply disclosed. Empty strings where nothing was disclosed.
 */
public record ServiceMatch(
    MatchRule rule,
    String product,
    String version,
    String info,
    String hostname,
    String os,
    String device,
    List<String> cpe) {

  public String service() {
    return rule.service();
  }

  public boolean soft() {
    return rule.soft();
  }
}
