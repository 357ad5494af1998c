package dev.portolan.scanner.link;

import dev.portolan.control.UsageException;
import dev.portolan.control.target.Ipv4;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The opt-in firewall rule that stops this host's kernel from answering our SYN-ACKs with RST (it
 * owns no socket for them). Discovery does not need it; it halves the packets a scan causes at the
 * targets. The rule matches only RSTs from our source address and port range, is tagged with this
 * process's id, and is removed when the scan ends, also on Ctrl-C (a shutdown hook).
 */
public final class KernelRstGuard implements AutoCloseable {
  private final List<String> rule;
  private final Thread hook;
  private boolean installed;

  private KernelRstGuard(List<String> rule) {
    this.rule = rule;
    this.hook = new Thread(this::remove, "portolan-rst-guard");
  }

  public static KernelRstGuard install(int sourceIp, int portLow, int portHigh) {
    List<String> rule =
        List.of(
            "OUTPUT", "-p", "tcp", "-s", Ipv4.format(sourceIp), "--sport", portLow + ":" + portHigh,
            "--tcp-flags", "RST", "RST", "-m", "comment", "--comment",
            "portolan-" + ProcessHandle.current().pid(), "-j", "DROP");
    KernelRstGuard guard = new KernelRstGuard(rule);
    guard.run("-I");
    guard.installed = true;
    Runtime.getRuntime().addShutdownHook(guard.hook);
    return guard;
  }

  private void run(String action) {
    List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "5", action));
    cmd.addAll(rule);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new UsageException("iptables did not finish in 10 s; run without --drop-kernel-rst");
      }
      if (p.exitValue() != 0) {
        throw new UsageException(
            "iptables " + action + " failed (" + out + "); run as root or without --drop-kernel-rst");
      }
    } catch (IOException e) {
      throw new UsageException("--drop-kernel-rst needs iptables, which is not installed here");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void remove() {
    if (installed) {
      installed = false;
      run("-D");
    }
  }

  @Override
  public void close() {
    remove();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook does the removal
    }
  }
}
