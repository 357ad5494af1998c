package dev.portolan.scanner.probe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the connections to one endpoint saw, gathered from up to two lanes at once (thread-safe):
 * the first full match, the first soft match, signs of TLS, the handshake's details, the first
 * bytes seen and notes on everything that did not match. Turns it all into the {@link Validation}.
 */
final class Observations {
  static final String SSL = "ssl";
  private static final int MAX_NOTES = 16;
  private static final int MAX_NOTE_CHARS = 200;

  private final List<String> notes = new ArrayList<>();
  private Found hard;
  private Found soft;
  private Found sslSign;
  private byte[] firstData;
  private TlsDetails tls;

  /** A reply that a rule matched, with where it came from. */
  private record Found(ServiceMatch match, Connection.Reply reply, Probe probe, boolean insideTls) {
    String probeLabel() {
      return (insideTls ? "tls/" : "") + probe.id();
    }
  }

  /** What a recorded reply means for the work still to do. */
  enum Effect {
    /** Nothing new, or only a soft match or a sign of TLS. */
    NOTHING,
    /** The server answered a probe: it is not waiting to greet. */
    ANSWERED,
    /** A rule identified the service: everything else can stop. */
    IDENTIFIED
  }

  /**
   * Records one reply. {@code quietStop} says a reply ended because we stopped it (another lane's
   * success, a cancelled greeting): such an ending is not worth a note.
   */
  synchronized Effect record(Probe p, Connection.Reply r, boolean insideTls, boolean isGreeting, boolean quietStop) {
    Effect effect = Effect.NOTHING;
    if (r.length() > 0) {
      if (firstData == null) {
        firstData = r.data();
      }
      if (!isGreeting) {
        effect = Effect.ANSWERED;
      }
    }
    ServiceMatch m = r.match();
    if (m != null && !insideTls && sslSign != null && !SSL.equals(m.service())) {
      m = null; // a TLS server's answer to bytes in the clear (an error page, say) is not the service
    }
    if (m != null && SSL.equals(m.service())) {
      if (sslSign == null) {
        sslSign = new Found(m, r, p, insideTls);
      }
    } else if (m != null && !m.soft()) {
      if (hard == null) {
        hard = new Found(m, r, p, insideTls);
      }
      return Effect.IDENTIFIED;
    } else if (m != null) {
      if (soft == null) {
        soft = new Found(m, r, p, insideTls);
      }
      return effect;
    }
    String what = describe(r, isGreeting, quietStop);
    if (what != null) {
      note((insideTls ? "tls/" : "") + p.id() + ": " + what);
    }
    return effect;
  }

  private static String describe(Connection.Reply r, boolean isGreeting, boolean quietStop) {
    int n = r.length();
    return switch (r.end()) {
      case SILENT -> (isGreeting ? "no greeting in " : "no reply in ") + r.elapsedMillis() + " ms";
      case QUIET, MATCHED -> n + " bytes, no rule matched";
      case CLOSED -> n == 0 ? "closed without a reply" : n + " bytes, then closed; no rule matched";
      case TRICKLE -> "still trickling after " + r.elapsedMillis() + " ms (" + n + " bytes): cut off";
      case TOO_LARGE -> "reply larger than " + n + " bytes: stopped reading";
      case RESET -> "reset by the server after " + n + " bytes";
      case STOPPED -> quietStop ? null : "stopped after " + n + " bytes: the port's time budget ran out";
      case ERROR -> "error after " + n + " bytes: " + r.error();
    };
  }

  synchronized void note(String text) {
    if (notes.size() < MAX_NOTES) {
      notes.add(text.length() > MAX_NOTE_CHARS ? text.substring(0, MAX_NOTE_CHARS - 3) + "..." : text);
    }
  }

  synchronized void tls(TlsDetails details) {
    tls = details;
  }

  synchronized TlsDetails tls() {
    return tls;
  }

  /** The service a soft match named (probing narrows to it), or null. */
  synchronized String softService() {
    return soft == null ? null : soft.match().service();
  }

  synchronized boolean sawTlsSign() {
    return sslSign != null;
  }

  /** The result: a full match, else a soft one, else TLS alone, else unknown with what was seen. */
  synchronized Validation toValidation(Endpoint endpoint, OsHint synAckOs, ProbeDatabase db, Duration elapsed) {
    Found f = hard != null ? hard : soft;
    if (f != null) {
      ServiceMatch m = f.match();
      Connection.Reply r = f.reply();
      List<String> out = new ArrayList<>();
      if (!m.rule().note().isEmpty()) {
        out.add(m.rule().note());
      }
      if (f == soft) {
        out.add("soft match: the service is known, the product and version were not disclosed to the probes tried");
        out.addAll(notes);
      }
      return new Validation(
          endpoint, Reachability.CONNECTED, m.service(), m.product(), m.version(), join(m.info(), db.details(m.service(), r.data(), r.length())),
          m.hostname(), m.device(), m.cpe(), m.rule().confidence(), "probed", Evidence.excerpt(r.data(), r.length()), f.probeLabel(),
          m.rule().id(), tls, os(synAckOs, m), out, elapsed);
    }
    boolean ssl = tls != null || sslSign != null;
    byte[] seen = sslSign != null ? sslSign.reply().data() : firstData;
    List<String> out = new ArrayList<>();
    if (tls != null && tls.established()) {
      out.add("TLS handshake completed (" + tls.protocol() + "); nothing inside it matched a rule");
    } else if (sslSign != null) {
      out.add("the replies say this port speaks TLS (rule " + sslSign.match().rule().id() + ")");
    }
    out.addAll(notes);
    return new Validation(
        endpoint, Reachability.CONNECTED, ssl ? SSL : Validation.UNKNOWN, "", "", "", "", "", List.of(), ssl ? 6 : 0, "probed",
        seen == null ? "" : Evidence.excerpt(seen, seen.length), sslSign != null ? sslSign.probeLabel() : "",
        sslSign != null ? sslSign.match().rule().id() : "", tls, synAckOs, out, elapsed);
  }

  /** No connection at all: the port is closed, filtered or unreachable. */
  static Validation unreachable(Endpoint endpoint, Reachability why, String message, OsHint synAckOs, Duration elapsed) {
    return new Validation(
        endpoint, why, Validation.UNKNOWN, "", "", "", "", "", List.of(), 0, "probed", "", "", "", null, synAckOs,
        List.of("connect: " + message), elapsed);
  }

  /** The SYN-ACK's guess and the banner's claim, combined: agreement raises the confidence. */
  private static OsHint os(OsHint synOs, ServiceMatch m) {
    OsHint banner = m.os().isEmpty() ? null : new OsHint(m.os(), 80, "banner (rule " + m.rule().id() + ")");
    if (banner == null) {
      return synOs;
    }
    if (synOs == null) {
      return banner;
    }
    if (synOs.family().equalsIgnoreCase(banner.family())) {
      return new OsHint(banner.family(), Math.min(95, Math.max(synOs.confidence(), banner.confidence()) + 10), banner.basis() + "; " + synOs.basis());
    }
    return banner.confidence() >= synOs.confidence()
        ? new OsHint(banner.family(), banner.confidence() - 20, banner.basis() + "; the SYN-ACK suggests " + synOs.family())
        : synOs;
  }

  private static String join(String a, String b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isEmpty() ? a : a + "; " + b;
  }
}
