package dev.portolan.control.guard;

import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.Scope;

/** What the guard made of a policy: a scope it may run, or the reason it may not. */
public sealed interface GuardDecision {

  /** The policy may run over {@code scope} x {@code ports}. */
  record Accepted(Scope scope, PortSet ports, Workload workload) implements GuardDecision {}

  /** The policy may not run; {@code reason} is CamelCase for conditions, {@code message} a sentence. */
  record Rejected(String reason, String message) implements GuardDecision {}
}
