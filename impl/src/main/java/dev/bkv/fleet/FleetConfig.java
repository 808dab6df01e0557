package dev.bkv.fleet;

import dev.bkv.base.LineCursor;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.hsm.HsmId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a fleet is: its namespace, its id, the datacenters it spans and which HSM sits in which
 * datacenter. Quorums are majorities of the HSMs. A config exists only if it is well formed:
 * names valid, counts within limits, HSMs in increasing id order, every HSM in a declared
 * datacenter, every datacenter hosting an HSM, and the placement keeping a quorum after the
 * loss of any one datacenter (G2). Its canonical text (spec/FORMATS.md, "Deployment
 * evidence") is what the HSMs' deployment statements name by SHA-256:
 *
 * <pre>
 * bkv.dev/fleet-config@v1
 * namespace &lt;namespace&gt;
 * fleet-id &lt;fleet id&gt;
 * datacenter &lt;name&gt;            (one line per datacenter)
 * hsm &lt;32 hex: HSM id&gt; &lt;datacenter&gt; (one line per HSM, increasing id)
 * quorum &lt;floor(N/2)+1&gt; of &lt;N&gt;
 * </pre>
 */
public record FleetConfig(String namespace, String fleetId, List<String> datacenters, List<FleetMember> members) {
  public static final String HEADER = "bkv.dev/fleet-config@v1";
  public static final int HSMS_MAX = 64;
  public static final int DATACENTERS_MAX = 16;
  public static final int LINES_MAX = 4 + DATACENTERS_MAX + HSMS_MAX;
  public static final int TEXT_BYTES_MAX = 16 * 1024;

  public FleetConfig {
    datacenters = List.copyOf(datacenters);
    members = List.copyOf(members);
    Optional<String> problem = problem(namespace, fleetId, datacenters, members);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
  }

  /** Null-free description of why these parts make no fleet, or empty when they do. */
  public static Optional<String> problem(String namespace, String fleetId, List<String> datacenters, List<FleetMember> members) {
    Optional<String> name = FleetNames.namespaceProblem(namespace).or(() -> FleetNames.fleetIdProblem(fleetId));
    if (name.isPresent()) {
      return name;
    }
    if (datacenters.isEmpty() || datacenters.size() > DATACENTERS_MAX) {
      return Optional.of("a fleet spans 1 to " + DATACENTERS_MAX + " datacenters, not " + datacenters.size());
    }
    if (members.isEmpty() || members.size() > HSMS_MAX) {
      return Optional.of("a fleet has 1 to " + HSMS_MAX + " HSMs, not " + members.size());
    }
    Set<String> declared = new HashSet<>();
    for (String datacenter : datacenters) {
      Optional<String> bad = FleetNames.datacenterProblem(datacenter);
      if (bad.isPresent()) {
        return bad;
      }
      if (!declared.add(datacenter)) {
        return Optional.of("datacenter " + datacenter + " is declared twice");
      }
    }
    Set<String> used = new HashSet<>();
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      FleetMember member = members.get(i);
      if (i > 0 && FleetMember.ID_ORDER.compare(members.get(i - 1).hsmId(), member.hsmId()) >= 0) {
        return Optional.of("HSMs must be listed once each in increasing id order (HSM " + member.hsmId().toHex() + ")");
      }
      if (!declared.contains(member.datacenter())) {
        return Optional.of("HSM " + member.hsmId().toHex() + " is in undeclared datacenter " + member.datacenter());
      }
      used.add(member.datacenter());
      placed.add(member.datacenter());
    }
    for (String datacenter : datacenters) {
      if (!used.contains(datacenter)) {
        return Optional.of("datacenter " + datacenter + " hosts no HSM");
      }
    }
    if (Placement.check(placed) instanceof Placement.Violation violation) {
      return Optional.of(violation.reason());
    }
    return Optional.empty();
  }

  public int quorum() {
    return Placement.quorum(members.size());
  }

  public Optional<FleetMember> member(HsmId id) {
    return members.stream().filter(m -> m.hsmId().equals(id)).findFirst();
  }

  public String text() {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    out.append("namespace ").append(namespace).append('\n');
    out.append("fleet-id ").append(fleetId).append('\n');
    for (String datacenter : datacenters) {
      out.append("datacenter ").append(datacenter).append('\n');
    }
    for (FleetMember member : members) {
      out.append("hsm ").append(member.hsmId().toHex()).append(' ').append(member.datacenter()).append('\n');
    }
    out.append("quorum ").append(quorum()).append(" of ").append(members.size()).append('\n');
    return out.toString();
  }

  public byte[] textBytes() {
    return text().getBytes(StandardCharsets.US_ASCII);
  }

  /** SHA-256 of the canonical text: how statements and transcripts name this config. */
  public Sha256Digest digest() {
    return Sha256Digest.of(textBytes());
  }

  /** Parses the canonical text; anything else (even a differently spaced equivalent) is refused. */
  public static FleetConfig parse(byte[] text) throws FleetFormatException {
    if (text.length > TEXT_BYTES_MAX) {
      throw new FleetFormatException("fleet config of " + text.length + " bytes exceeds " + TEXT_BYTES_MAX);
    }
    LineCursor<FleetFormatException> in = LineCursor.open(text, LINES_MAX,
        m -> new FleetFormatException("fleet config: " + m), m -> new FleetFormatException("fleet config: " + m));
    in.expectLine(HEADER);
    String namespace = in.value("namespace");
    String fleetId = in.value("fleet-id");
    List<String> datacenters = new ArrayList<>();
    while (in.peek("datacenter")) {
      datacenters.add(in.value("datacenter"));
    }
    List<FleetMember> members = new ArrayList<>();
    while (in.peek("hsm")) {
      members.add(member(in.lineNumber(), in.value("hsm")));
    }
    String quorum = in.value("quorum");
    in.expectEnd();
    Optional<String> problem = problem(namespace, fleetId, datacenters, members);
    if (problem.isPresent()) {
      throw new FleetFormatException("fleet config: " + problem.get());
    }
    FleetConfig config = new FleetConfig(namespace, fleetId, datacenters, members);
    if (!quorum.equals(config.quorum() + " of " + members.size())) {
      throw new FleetFormatException("fleet config: quorum must read \"" + config.quorum() + " of " + members.size() + "\"");
    }
    return config;
  }

  private static FleetMember member(int line, String value) throws FleetFormatException {
    String[] parts = value.split(" ", -1);
    byte[] id = parts.length == 2 ? LineCursor.lowerHex(parts[0], HsmId.BYTES) : null;
    if (id == null || FleetNames.datacenterProblem(parts[1]).isPresent()) {
      throw new FleetFormatException("fleet config: line " + line + " must be \"hsm <32 lower-case hex> <datacenter>\"");
    }
    return new FleetMember(new HsmId(id), parts[1]);
  }
}
