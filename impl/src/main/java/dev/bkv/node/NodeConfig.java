package dev.bkv.node;

import dev.bkv.fleet.FleetConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How one HSM runs as a process ({@code bkv-node-config/1}, spec/FORMATS.md "Node and frontend
 * configs"): which fleet and which member of it, where its HSM and its sealed log live, where
 * it listens, its peers, and its timers. Member indexes are positions in the fleet config's
 * member list (the consensus index, as in {@code Bkv-Leader}). Relative paths are resolved
 * against the config file's folder. {@code migrationAnchors}: the trust anchors file
 * ({@code bkv-client-anchors/1}) this HSM checks a rotation's target fleet against; without it
 * the node exports no record.
 */
public record NodeConfig(String fleetId, Path fleetConfig, int member, Path hsmDir, String datacenter, String listenHost,
    int listenPort, Path dataDir, Map<Integer, URI> peers, Timing timing, Optional<Path> migrationAnchors) {
  public static final String FORMAT = "bkv-node-config/1";
  public static final int CONFIG_BYTES_MAX = 16 * 1024;
  public static final int LINES_MAX = 32 + FleetConfig.HSMS_MAX;
  public static final int HOST_CHARS_MAX = ConfigText.HOST_CHARS_MAX;

  /** Real-time timers of a node, in milliseconds. */
  public record Timing(long electionTimeoutMinMillis, long electionTimeoutMaxMillis, long heartbeatMillis,
      long answerTimeoutMillis) {
    public static final long ELECTION_TIMEOUT_MILLIS_MIN = 10;
    public static final long ELECTION_TIMEOUT_MILLIS_MAX = 600_000;
    public static final long ANSWER_TIMEOUT_MILLIS_MAX = 600_000;
    /** What {@code bkv fleet init} writes: elections within 1-2 s of a leader's silence. */
    public static final Timing DEFAULTS = new Timing(1_000, 2_000, 100, 5_000);

    /** Why these timers cannot work, or empty. */
    public Optional<String> problem() {
      if (electionTimeoutMinMillis < ELECTION_TIMEOUT_MILLIS_MIN || electionTimeoutMaxMillis > ELECTION_TIMEOUT_MILLIS_MAX
          || electionTimeoutMinMillis > electionTimeoutMaxMillis) {
        return Optional.of("election timeout must be min <= max within [" + ELECTION_TIMEOUT_MILLIS_MIN + ", "
            + ELECTION_TIMEOUT_MILLIS_MAX + "] ms");
      }
      if (heartbeatMillis < 1 || heartbeatMillis * 2 > electionTimeoutMinMillis) {
        // A follower must hear at least two heartbeats before it may time out.
        return Optional.of("heartbeat must be in [1, election timeout min / 2] ms, got " + heartbeatMillis);
      }
      if (answerTimeoutMillis < 1 || answerTimeoutMillis > ANSWER_TIMEOUT_MILLIS_MAX) {
        return Optional.of("answer timeout must be in [1, " + ANSWER_TIMEOUT_MILLIS_MAX + "] ms");
      }
      return Optional.empty();
    }
  }

  public NodeConfig {
    peers = Collections.unmodifiableMap(new TreeMap<>(peers));
  }

  /** Reads and parses {@code file}; a missing file is named as such. */
  public static NodeConfig load(Path file) throws ConfigException, IOException {
    return parse(file.toString(), ConfigText.read(file, CONFIG_BYTES_MAX), file.toAbsolutePath().getParent());
  }

  public static NodeConfig parse(String source, byte[] bytes, Path base) throws ConfigException {
    ConfigText text = ConfigText.parse(source, bytes, FORMAT, CONFIG_BYTES_MAX, LINES_MAX);
    String fleetId = null;
    Path fleetConfig = null;
    Path hsmDir = null;
    Path dataDir = null;
    String datacenter = null;
    String host = null;
    int port = 0;
    int member = -1;
    long[] election = null;
    long heartbeat = -1;
    long answer = Timing.DEFAULTS.answerTimeoutMillis();
    TreeMap<Integer, URI> peers = new TreeMap<>();
    Optional<Path> migrationAnchors = Optional.empty();
    for (ConfigText.Line line : text.lines()) {
      switch (line.key()) {
        case "fleet":
          fleetId = text.fleetId(line);
          break;
        case "fleet-config":
          text.expect(line, 1, true);
          fleetConfig = ConfigText.path(base, line.value(0));
          break;
        case "member":
          text.expect(line, 1, true);
          member = text.member(line, line.value(0));
          break;
        case "hsm-dir":
          text.expect(line, 1, true);
          hsmDir = ConfigText.path(base, line.value(0));
          break;
        case "datacenter":
          text.expect(line, 1, true);
          datacenter = text.datacenter(line, line.value(0));
          break;
        case "listen":
          host = text.listenHost(line);
          port = text.listenPort(line);
          break;
        case "data-dir":
          text.expect(line, 1, true);
          dataDir = ConfigText.path(base, line.value(0));
          break;
        case "peer":
          text.expect(line, 2, false);
          int index = text.member(line, line.value(0));
          if (peers.put(index, text.url(line, line.value(1))) != null) {
            throw text.error(line, "peer " + index + " given twice");
          }
          break;
        case "election-timeout-ms":
          text.expect(line, 2, true);
          election = new long[] {text.number(line, line.value(0), 0, Timing.ELECTION_TIMEOUT_MILLIS_MAX),
              text.number(line, line.value(1), 0, Timing.ELECTION_TIMEOUT_MILLIS_MAX)};
          break;
        case "heartbeat-ms":
          text.expect(line, 1, true);
          heartbeat = text.number(line, line.value(0), 1, Timing.ELECTION_TIMEOUT_MILLIS_MAX);
          break;
        case "answer-timeout-ms":
          text.expect(line, 1, true);
          answer = text.number(line, line.value(0), 1, Timing.ANSWER_TIMEOUT_MILLIS_MAX);
          break;
        case "migration-anchors":
          text.expect(line, 1, true);
          migrationAnchors = Optional.of(ConfigText.path(base, line.value(0)));
          break;
        default:
          throw text.error(line, "unknown key");
      }
    }
    text.require("fleet", "fleet-config", "member", "hsm-dir", "datacenter", "listen", "data-dir", "election-timeout-ms",
        "heartbeat-ms");
    if (peers.containsKey(member)) {
      throw text.error("peer " + member + " is this node's own member index");
    }
    Timing timing = new Timing(election[0], election[1], heartbeat, answer);
    Optional<String> badTiming = timing.problem();
    if (badTiming.isPresent()) {
      throw text.error(badTiming.get());
    }
    return new NodeConfig(fleetId, fleetConfig, member, hsmDir, datacenter, host, port, dataDir, peers, timing,
        migrationAnchors);
  }

  /** The config's text; paths as given (the caller makes them relative to where the file goes). */
  public String text(String fleetConfigPath, String hsmDirPath, String dataDirPath, Optional<String> migrationAnchorsPath) {
    StringBuilder b = new StringBuilder(FORMAT).append('\n');
    b.append("fleet ").append(fleetId).append('\n');
    b.append("fleet-config ").append(fleetConfigPath).append('\n');
    b.append("member ").append(member).append('\n');
    b.append("hsm-dir ").append(hsmDirPath).append('\n');
    b.append("datacenter ").append(datacenter).append('\n');
    b.append("listen ").append(listenHost).append(' ').append(listenPort).append('\n');
    b.append("data-dir ").append(dataDirPath).append('\n');
    for (Map.Entry<Integer, URI> peer : peers.entrySet()) {
      b.append("peer ").append(peer.getKey()).append(' ').append(peer.getValue()).append('\n');
    }
    b.append("election-timeout-ms ").append(timing.electionTimeoutMinMillis()).append(' ')
        .append(timing.electionTimeoutMaxMillis()).append('\n');
    b.append("heartbeat-ms ").append(timing.heartbeatMillis()).append('\n');
    b.append("answer-timeout-ms ").append(timing.answerTimeoutMillis()).append('\n');
    migrationAnchorsPath.ifPresent(path -> b.append("migration-anchors ").append(path).append('\n'));
    return b.toString();
  }

  public NodeConfig withListen(String host, int port) {
    return new NodeConfig(fleetId, fleetConfig, member, hsmDir, datacenter, host, port, dataDir, peers, timing,
        migrationAnchors);
  }

  public NodeConfig withHsmDir(Path dir) {
    return new NodeConfig(fleetId, fleetConfig, member, dir, datacenter, listenHost, listenPort, dataDir, peers, timing,
        migrationAnchors);
  }

  public NodeConfig withDataDir(Path dir) {
    return new NodeConfig(fleetId, fleetConfig, member, hsmDir, datacenter, listenHost, listenPort, dir, peers, timing,
        migrationAnchors);
  }

  public NodeConfig withMigrationAnchors(Optional<Path> file) {
    return new NodeConfig(fleetId, fleetConfig, member, hsmDir, datacenter, listenHost, listenPort, dataDir, peers, timing,
        file);
  }
}
