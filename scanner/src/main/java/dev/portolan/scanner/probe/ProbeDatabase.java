package dev.portolan.scanner.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portolan.control.UsageException;
import dev.portolan.control.target.PortSet;
import dev.portolan.scanner.engine.SynAckFingerprint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Probes, match rules, details and SYN-ACK signatures, compiled from YAML: the built-in {@code
 * probes.yaml} plus any user files. A user file has the same format; its probes are added (or
 * replace the built-in probe of the same id) and its rules, details and signatures are consulted
 * before the built-in ones, so a user can override a built-in rule without rebuilding. Immutable
 * and safe to share between threads.
 */
public final class ProbeDatabase {
  private static final String BUILT_IN = "probes.yaml";
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  private static volatile ProbeDatabase builtIn;

  private final List<Probe> probes;
  private final Map<String, Probe> byId;
  private final List<MatchRule> rules;
  private final List<DetailRule> details;
  private final List<SynAckSignature> synAck;
  private final Probe banner;
  private final Probe tls;

  /** The probes to try on one port, in order, and what the port makes likely. */
  public record Plan(boolean bannerLikely, boolean tlsLikely, List<Probe> steps) {}

  private ProbeDatabase(List<Probe> probes, List<MatchRule> rules, List<DetailRule> details, List<SynAckSignature> synAck) {
    this.probes = List.copyOf(probes);
    this.byId = new LinkedHashMap<>();
    for (Probe p : probes) {
      byId.put(p.id(), p);
    }
    this.rules = List.copyOf(rules);
    this.details = List.copyOf(details);
    this.synAck = List.copyOf(synAck);
    this.banner = probes.stream().filter(Probe::isBanner).findFirst().orElseThrow(() -> new IllegalArgumentException("the database has no greeting probe (send: '')"));
    this.tls = probes.stream().filter(Probe::tlsHandshake).findFirst().orElseThrow(() -> new IllegalArgumentException("the database has no TLS probe (handshake: tls)"));
    for (MatchRule r : rules) {
      for (String a : r.after()) {
        if (!byId.containsKey(a)) {
          throw new IllegalArgumentException(r.source() + ": rule '" + r.id() + "' reads replies to probe '" + a + "', which does not exist");
        }
      }
    }
  }

  /** The database shipped with Portolan. */
  public static ProbeDatabase builtIn() {
    ProbeDatabase db = builtIn;
    if (db == null) {
      try (InputStream in = ProbeDatabase.class.getResourceAsStream(BUILT_IN)) {
        if (in == null) {
          throw new IllegalStateException(BUILT_IN + " is missing from the build");
        }
        db = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in " + BUILT_IN);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      builtIn = db;
    }
    return db;
  }

  /** A database from YAML text alone (it must define the greeting and TLS probes). */
  public static ProbeDatabase parse(String yaml, String source) {
    ProbeFile f = read(yaml, source);
    return new ProbeDatabase(compileProbes(f, source), compileRules(f, source), compileDetails(f, source), compileSynAck(f, source));
  }

  /**
   * This database with a user's rules file added. A file that cannot be read or is wrong is the
   * user's to fix: {@link UsageException} with the file, the entry and what is wrong.
   */
  public ProbeDatabase withUserFile(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UsageException("rules file '" + file + "' does not exist");
    } catch (IOException e) {
      throw new UsageException("cannot read rules file '" + file + "': " + e.getMessage());
    }
    try {
      return withUserRules(text, file.toString());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** This database with user rules (YAML text) added; {@link IllegalArgumentException} if wrong. */
  public ProbeDatabase withUserRules(String yaml, String source) {
    ProbeFile f = read(yaml, source);
    Map<String, Probe> merged = new LinkedHashMap<>(byId);
    for (Probe p : compileProbes(f, source)) {
      merged.put(p.id(), p);
    }
    List<MatchRule> r = new ArrayList<>(compileRules(f, source));
    r.addAll(rules);
    List<DetailRule> d = new ArrayList<>(compileDetails(f, source));
    d.addAll(details);
    List<SynAckSignature> s = new ArrayList<>(compileSynAck(f, source));
    s.addAll(synAck);
    return new ProbeDatabase(new ArrayList<>(merged.values()), r, d, s);
  }

  public List<Probe> probes() {
    return probes;
  }

  public List<MatchRule> rules() {
    return rules;
  }

  public Optional<Probe> probe(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Probe banner() {
    return banner;
  }

  /** True when TLS is likely on this port (the TLS probe's ports, or any probe's TLS ports). */
  public boolean tlsLikely(int port) {
    if (tls.ports().get(port)) {
      return true;
    }
    for (Probe p : probes) {
      if (p.tlsPorts().get(port)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The probes for {@code port}: first those the port makes likely, then the others no rarer than
   * {@code intensity}, each group by rarity (then file order). Inside TLS, the probes allowed there;
   * the greeting is not a step (it is listened for separately).
   */
  public Plan plan(int port, int intensity, boolean insideTls) {
    List<Probe> likely = new ArrayList<>();
    List<Probe> rest = new ArrayList<>();
    for (Probe p : probes) {
      if (p.isBanner() || insideTls && (p.tlsHandshake() || !p.allowedInTls())) {
        continue;
      }
      boolean isLikely = p.tlsHandshake() ? tlsLikely(port) : p.likelyOn(port, insideTls);
      if (isLikely) {
        likely.add(p);
      } else if (p.rarity() <= intensity) {
        rest.add(p);
      }
    }
    Comparator<Probe> byRarity = Comparator.comparingInt(Probe::rarity);
    likely.sort(byRarity);
    rest.sort(byRarity);
    likely.addAll(rest);
    return new Plan(banner.likelyOn(port, insideTls), tlsLikely(port), List.copyOf(likely));
  }

  /** The first hard rule that matches the reply, else the first soft one. */
  public Optional<ServiceMatch> match(String probeId, int port, byte[] data, int length) {
    String text = new String(data, 0, length, StandardCharsets.ISO_8859_1);
    Optional<ServiceMatch> soft = Optional.empty();
    for (MatchRule r : rules) {
      if (!r.appliesTo(probeId, port) || r.soft() && soft.isPresent()) {
        continue;
      }
      Optional<ServiceMatch> m;
      try {
        m = r.apply(new BoundedText(text, BoundedText.DEFAULT_BUDGET));
      } catch (BoundedText.TooComplex e) {
        continue;
      }
      if (m.isPresent()) {
        if (!r.soft()) {
          return m;
        }
        soft = m;
      }
    }
    return soft;
  }

  /** The details for {@code service} found in the reply, as "label value; label value". */
  public String details(String service, byte[] data, int length) {
    String text = new String(data, 0, length, StandardCharsets.ISO_8859_1);
    StringJoiner j = new StringJoiner("; ");
    Set<String> labels = new HashSet<>();
    for (DetailRule d : details) {
      if (d.service().equals(service) && !labels.contains(d.label())) {
        try {
          d.apply(new BoundedText(text, BoundedText.DEFAULT_BUDGET))
              .ifPresent(
                  v -> {
                    labels.add(d.label());
                    j.add(v);
                  });
        } catch (BoundedText.TooComplex e) {
          // a detail is optional
        }
      }
    }
    return j.toString();
  }

  /** The OS family the SYN-ACK suggests, or null when no signature fits (or there is none). */
  public OsHint osFromSynAck(SynAckFingerprint f) {
    if (f == null) {
      return null;
    }
    for (SynAckSignature s : synAck) {
      if (s.fits(f)) {
        return new OsHint(s.family(), s.confidence(), s.describe(f));
      }
    }
    return null;
  }

  private static ProbeFile read(String yaml, String source) {
    try {
      ProbeFile f = YAML.readValue(yaml, ProbeFile.class);
      if (f == null) {
        throw new IllegalArgumentException(source + ": the file is empty");
      }
      return f;
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(
          source + where(e) + ": unknown key '" + e.getPropertyName() + "' (the keys here are " + new TreeSet<>(e.getKnownPropertyIds().stream().map(String::valueOf).toList()) + ")");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + where(e) + ": " + e.getOriginalMessage().lines().findFirst().orElse("invalid YAML"));
    }
  }

  private static String where(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (near line " + e.getLocation().getLineNr() + ")";
  }

  private static List<Probe> compileProbes(ProbeFile f, String source) {
    List<Probe> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (ProbeFile.ProbeEntry e : nonNull(f.probes())) {
      String where = source + ": probe '" + e.id() + "'";
      require(e.id() != null && e.id().matches("[a-z0-9][a-z0-9-]*"), source + ": every probe needs an id of lowercase letters, digits and '-' (got '" + e.id() + "')");
      require(ids.add(e.id()), where + " is defined twice");
      boolean handshake = e.handshake() != null;
      require(!handshake || "tls".equals(e.handshake()), where + ": handshake can only be 'tls'");
      require(handshake || e.send() != null, where + ": needs 'send' (use '' for the greeting probe that only listens)");
      require(!handshake || e.send() == null, where + ": a handshake probe sends nothing else");
      int rarity = e.rarity() == null ? 5 : e.rarity();
      require(rarity >= 1 && rarity <= 9, where + ": rarity must be 1-9");
      byte[] payload;
      try {
        payload = handshake ? new byte[0] : Payloads.decode(e.send());
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException(where + ": " + x.getMessage());
      }
      out.add(
          new Probe(
              e.id(),
              payload,
              ports(e.ports(), where),
              ports(e.tlsPorts(), where),
              rarity,
              Set.copyOf(nonNull(e.services())),
              Boolean.TRUE.equals(e.untilClose()),
              !handshake && !Boolean.FALSE.equals(e.tls()),
              handshake,
              source));
    }
    return out;
  }

  private static List<MatchRule> compileRules(ProbeFile f, String source) {
    List<MatchRule> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (ProbeFile.RuleEntry e : nonNull(f.rules())) {
      String where = source + ": rule '" + e.id() + "'";
      require(e.id() != null && !e.id().isBlank(), source + ": every rule needs an id");
      require(ids.add(e.id()), where + " is defined twice");
      require(e.service() != null && e.service().matches("[a-z0-9][a-z0-9._-]*"), where + ": needs a service name in lowercase (like http or ssh)");
      Pattern p = pattern(e.pattern(), where);
      List<String> cpes = nonNull(e.cpe());
      for (String c : cpes) {
        require(c.startsWith("cpe:2.3:") && c.split(":", -1).length == Templates.CPE_COMPONENTS, where + ": '" + c + "' is not a CPE 2.3 name (cpe:2.3:part:vendor:product:version and 8 more fields)");
        checkTemplate(c, p, where);
      }
      for (String t : new String[] {e.product(), e.version(), e.info(), e.hostname(), e.os(), e.device()}) {
        if (t != null) {
          checkTemplate(t, p, where);
        }
      }
      int confidence = e.confidence() == null ? (Boolean.TRUE.equals(e.soft()) ? 8 : 10) : e.confidence();
      require(confidence >= 1 && confidence <= 10, where + ": confidence must be 1-10");
      out.add(
          new MatchRule(
              e.id(),
              e.service(),
              Boolean.TRUE.equals(e.soft()),
              Set.copyOf(nonNull(e.after())),
              ports(e.ports(), where),
              p,
              orEmpty(e.product()),
              orEmpty(e.version()),
              orEmpty(e.info()),
              orEmpty(e.hostname()),
              orEmpty(e.os()),
              orEmpty(e.device()),
              cpes,
              confidence,
              orEmpty(e.note()),
              source));
    }
    return out;
  }

  private static List<DetailRule> compileDetails(ProbeFile f, String source) {
    List<DetailRule> out = new ArrayList<>();
    for (ProbeFile.DetailEntry e : nonNull(f.details())) {
      String where = source + ": detail '" + e.label() + "'";
      require(e.service() != null && e.label() != null, where + ": needs service and label");
      Pattern p = pattern(e.pattern(), where);
      String value = e.value() == null ? "$1" : e.value();
      checkTemplate(value, p, where);
      out.add(new DetailRule(e.service(), e.label(), p, value, source));
    }
    return out;
  }

  private static List<SynAckSignature> compileSynAck(ProbeFile f, String source) {
    List<SynAckSignature> out = new ArrayList<>();
    for (ProbeFile.SynAckEntry e : nonNull(f.synack())) {
      String where = source + ": SYN-ACK signature for '" + e.family() + "'";
      require(e.family() != null && !e.family().isBlank(), source + ": every SYN-ACK signature needs a family");
      require(e.ttl() != null && (e.ttl() == 32 || e.ttl() == 64 || e.ttl() == 128 || e.ttl() == 255), where + ": ttl must be an initial TTL: 32, 64, 128 or 255");
      int confidence = e.confidence() == null ? 50 : e.confidence();
      require(confidence >= 1 && confidence <= 100, where + ": confidence must be 1-100");
      out.add(new SynAckSignature(e.ttl(), orEmpty(e.options()), Set.copyOf(nonNull(e.windows())), e.family(), confidence));
    }
    return out;
  }

  private static Pattern pattern(String regex, String where) {
    require(regex != null && !regex.isEmpty(), where + ": needs a pattern");
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(where + ": bad pattern: " + e.getDescription() + " near index " + e.getIndex());
    }
  }

  private static void checkTemplate(String template, Pattern p, String where) {
    String problem = Templates.check(template, p);
    require(problem == null, where + ": " + problem);
  }

  private static BitSet ports(String list, String where) {
    BitSet set = new BitSet(65536);
    if (list == null || list.isBlank()) {
      return set;
    }
    try {
      for (int port : PortSet.parse(list).toArray()) {
        set.set(port);
      }
    } catch (UsageException e) {
      throw new IllegalArgumentException(where + ": ports: " + e.getMessage());
    }
    return set;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
