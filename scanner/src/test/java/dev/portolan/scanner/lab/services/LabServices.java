package dev.portolan.scanner.lab.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Real Debian servers for validation tests, each started by the test with its own configuration in
 * a directory of its own, in the foreground, inside a lab's target namespace, bound to chosen lab
 * addresses, never as a system service and never with /etc's configuration. Start-up is awaited
 * (bounded) until every listener is up; {@link #close} stops every daemon, also when a test
 * failed (and the lab's teardown kills whatever runs in its namespaces anyway).
 */
public final class LabServices implements AutoCloseable {
  private static final Pattern LAB_ADDRESS = Pattern.compile("^198\\.(18|19)\\.\\d{1,3}\\.\\d{1,3}$");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final String namespace;
  private final Path root;
  private final List<Daemon> daemons = new ArrayList<>();
  private Path certificate;
  private Path key;

  /** Services in {@code namespace} (the lab's target side), with files under {@code work}. */
  public LabServices(String namespace, Path work) throws IOException {
    this.namespace = namespace;
    this.root = Files.createDirectories(work.resolve("services"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** nginx serving a page with a title over HTTP on {@code httpPort} and over TLS on {@code tlsPorts}. */
  public Daemon nginx(String address, int httpPort, int... tlsPorts) throws IOException {
    Path d = dir("nginx");
    Path html = Files.createDirectories(d.resolve("html"));
    Files.writeString(html.resolve("index.html"), "<html><head><title>Portolan lab</title></head><body>ok</body></html>\n");
    readable(html.resolve("index.html"));
    StringBuilder tls = new StringBuilder();
    if (tlsPorts.length > 0) {
      selfSignedCertificate(address);
      tls.append("  server {");
      for (int p : tlsPorts) {
        tls.append(" listen ").append(address).append(':').append(p).append(" ssl;");
      }
      tls.append(" ssl_certificate ").append(certificate).append("; ssl_certificate_key ").append(key)
          .append("; root ").append(html).append("; }\n");
    }
    write(
        d.resolve("nginx.conf"),
        "pid " + d.resolve("nginx.pid") + ";\nerror_log " + d.resolve("error.log") + ";\nworker_processes 1;\nuser www-data;\n"
            + "events { worker_connections 64; }\n"
            + "http {\n  access_log off;\n"
            + "  client_body_temp_path " + d.resolve("cb") + "; proxy_temp_path " + d.resolve("px") + "; fastcgi_temp_path " + d.resolve("fc")
            + "; uwsgi_temp_path " + d.resolve("uw") + "; scgi_temp_path " + d.resolve("sc") + ";\n"
            + "  server { listen " + address + ":" + httpPort + "; root " + html + "; }\n"
            + tls
            + "}\n");
    int[] ports = concat(httpPort, tlsPorts);
    return start("nginx", List.of("nginx", "-c", d.resolve("nginx.conf").toString(), "-g", "daemon off;"), address, ports);
  }

  /** OpenSSH's sshd on each port (for example 22 and 2222). */
  public Daemon sshd(String address, int... ports) throws IOException {
    Path d = dir("sshd");
    Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
    run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", d.resolve("host_ed25519").toString()));
    StringBuilder conf = new StringBuilder();
    for (int p : ports) {
      conf.append("ListenAddress ").append(address).append(':').append(p).append('\n');
    }
    conf.append("HostKey ").append(d.resolve("host_ed25519")).append("\nPidFile ").append(d.resolve("sshd.pid"))
        .append("\nUsePAM no\nStrictModes no\nUseDNS no\n");
    write(d.resolve("sshd_config"), conf.toString());
    return start("sshd", List.of("/usr/sbin/sshd", "-D", "-e", "-f", d.resolve("sshd_config").toString()), address, ports);
  }

  /** redis-server on {@code port}, reachable from the scanner (protected mode off). */
  public Daemon redis(String address, int port) throws IOException {
    Path d = dir("redis-" + port);
    return start(
        "redis-" + port,
        List.of("redis-server", "--bind", address, "--port", Integer.toString(port), "--protected-mode", "no", "--save", "",
            "--appendonly", "no", "--daemonize", "no", "--dir", d.toString()),
        address,
        port);
  }

  public Daemon memcached(String address, int port) throws IOException {
    return start("memcached", List.of("memcached", "-u", "memcache", "-l", address, "-p", Integer.toString(port), "-U", "0"), address, port);
  }

  /** vsftpd with anonymous access (it refuses to greet with neither local nor anonymous users). */
  public Daemon vsftpd(String address, int port) throws IOException {
    Path d = dir("vsftpd");
    Path empty = Files.createDirectories(d.resolve("empty"));
    Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("r-xr-xr-x"));
    write(
        d.resolve("vsftpd.conf"),
        "listen=YES\nlisten_address=" + address + "\nlisten_port=" + port + "\nbackground=NO\nanonymous_enable=YES\nanon_root=" + empty
            + "\nlocal_enable=NO\nsecure_chroot_dir=" + empty + "\npasv_enable=NO\nseccomp_sandbox=NO\n");
    return start("vsftpd", List.of("vsftpd", d.resolve("vsftpd.conf").toString()), address, port);
  }

  /** PostgreSQL: a fresh cluster (initdb as user postgres) in this fixture's directory. */
  public Daemon postgresql(String address, int port) throws IOException {
    Path d = dir("postgresql");
    lookupOwner(d, "postgres");
    Path bin = postgresBin();
    Path log = d.resolve("initdb.log");
    int rc = run(List.of("runuser", "-u", "postgres", "--", bin.resolve("initdb").toString(), "-D", d.resolve("data").toString(), "-A", "trust", "-U", "postgres"), log);
    if (rc != 0) {
      throw new IllegalStateException("initdb failed: " + Files.readString(log));
    }
    return start(
        "postgresql",
        List.of("runuser", "-u", "postgres", "--", bin.resolve("postgres").toString(), "-D", d.resolve("data").toString(),
            "-c", "listen_addresses=" + address, "-c", "port=" + port, "-c", "unix_socket_directories=" + d),
        address,
        port);
  }

  /** Mosquitto allowing anonymous clients (so it tells them its version under $SYS). */
  public Daemon mosquitto(String address, int port) throws IOException {
    Path d = dir("mosquitto");
    write(d.resolve("mosquitto.conf"), "listener " + port + " " + address + "\nallow_anonymous true\npersistence false\nlog_dest stderr\n");
    return start("mosquitto", List.of("mosquitto", "-c", d.resolve("mosquitto.conf").toString()), address, port);
  }

  /** Dovecot with POP3 and IMAP in the clear, and IMAPS/POP3S with the lab certificate when given. */
  public Daemon dovecot(String address, int pop3, int imap, int imaps, int pop3s) throws IOException {
    Path d = dir("dovecot");
    Files.createDirectories(d.resolve("run"));
    Files.createDirectories(d.resolve("home"));
    boolean tls = imaps > 0 || pop3s > 0;
    if (tls) {
      selfSignedCertificate(address);
    }
    write(
        d.resolve("dovecot.conf"),
        "protocols = imap pop3\nlisten = " + address + "\nbase_dir = " + d.resolve("run") + "\nstate_dir = " + d.resolve("state")
            + "\nlog_path = /dev/stderr\n"
            + (tls ? "ssl = yes\nssl_cert = <" + certificate + "\nssl_key = <" + key + "\n" : "ssl = no\n")
            + "disable_plaintext_auth = no\nauth_mechanisms = plain\n"
            + "passdb {\n  driver = static\n  args = nopassword=y\n}\n"
            + "userdb {\n  driver = static\n  args = uid=nobody gid=nogroup home=" + d.resolve("home") + "/%u\n}\n"
            + "mail_location = maildir:~/Maildir\ndefault_internal_user = dovecot\ndefault_login_user = dovenull\n"
            + "service imap-login {\n  inet_listener imap {\n    port = " + imap + "\n  }\n  inet_listener imaps {\n    port = " + imaps + "\n  }\n}\n"
            + "service pop3-login {\n  inet_listener pop3 {\n    port = " + pop3 + "\n  }\n  inet_listener pop3s {\n    port = " + pop3s + "\n  }\n}\n");
    List<Integer> ports = new ArrayList<>(List.of(pop3, imap));
    if (imaps > 0) {
      ports.add(imaps);
    }
    if (pop3s > 0) {
      ports.add(pop3s);
    }
    return start("dovecot", List.of("dovecot", "-F", "-c", d.resolve("dovecot.conf").toString()), address, ports.stream().mapToInt(Integer::intValue).toArray());
  }

  /** A self-signed RSA certificate for the lab (one per fixture), readable by the servers' users. */
  private void selfSignedCertificate(String address) throws IOException {
    if (certificate != null) {
      return;
    }
    Path d = dir("tls");
    certificate = d.resolve("cert.pem");
    key = d.resolve("key.pem");
    int rc =
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", certificate.toString(),
            "-days", "30", "-subj", "/CN=lab.portolan.test/O=Portolan lab", "-addext", "subjectAltName=DNS:lab.portolan.test,IP:" + address));
    if (rc != 0) {
      throw new IllegalStateException("openssl could not make a certificate");
    }
    readable(certificate);
    readable(key);
  }

  private Daemon start(String name, List<String> command, String address, int... ports) throws IOException {
    requireLab(address);
    Path log = root.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    cmd.addAll(command);
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    Daemon daemon = new Daemon(name, p, log);
    daemons.add(daemon);
    awaitListening(daemon, address, ports);
    return daemon;
  }

  /** Waits, bounded, until the daemon listens on every port (or fails with its log). */
  private void awaitListening(Daemon daemon, String address, int... ports) throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String listening = output(List.of("ip", "netns", "exec", namespace, "ss", "-Hltn"));
      boolean all = true;
      for (int p : ports) {
        all &= listening.contains(address + ":" + p + " ");
      }
      if (all) {
        return;
      }
      if (!daemon.alive()) {
        throw new IllegalStateException(daemon.name() + " exited while starting:\n" + daemon.logTail());
      }
      try {
        Thread.sleep(50); // polling a process we do not control; bounded by START_TIMEOUT
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new IllegalStateException(daemon.name() + " did not listen on " + address + " " + java.util.Arrays.toString(ports)
        + " within " + START_TIMEOUT.toSeconds() + " s:\n" + daemon.logTail());
  }

  private Path dir(String name) throws IOException {
    Path d = Files.createDirectories(root.resolve(name));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    return d;
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
    readable(file);
  }

  private static void readable(Path file) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
  }

  private static void lookupOwner(Path dir, String user) throws IOException {
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(dir, users.lookupPrincipalByName(user));
  }

  private static Path postgresBin() throws IOException {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.comparing(Path::toString))
          .orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres)"));
    }
  }

  private int run(List<String> cmd) throws IOException {
    return run(cmd, root.resolve("commands.log"));
  }

  private static int run(List<String> cmd, Path log) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + cmd);
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted: " + cmd, e);
    }
  }

  private static String output(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return "";
    }
  }

  private static int[] concat(int first, int... rest) {
    int[] all = new int[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static void requireLab(String address) {
    if (!LAB_ADDRESS.matcher(address).matches()) {
      throw new IllegalArgumentException(address + " is outside the lab range 198.18.0.0/15");
    }
  }

  /** Stops every daemon, in reverse order of starting. */
  @Override
  public void close() {
    for (int i = daemons.size() - 1; i >= 0; i--) {
      daemons.get(i).close();
    }
    daemons.clear();
  }
}
