package dev.bkv.node;

import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.FleetMember;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.HsmId;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.StorageException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes the process configs of a fleet made by the key ceremony, next to its HSM folders:
 * {@code nodes/hsm-<i>.conf} for each {@code hsm-<i>} folder and {@code frontend.conf}, all on
 * one host (127.0.0.1), the frontend on the base port and node i on base + i. Paths in them are
 * relative, so the workspace can move. Member indexes come from the fleet config: the HSM in
 * {@code hsm-<i>} is the member whose id it has.
 */
public final class FleetDeployment {
  public static final String NODES_DIR = "nodes";
  public static final String FRONTEND_FILE = "frontend.conf";
  public static final int DEFAULT_BASE_PORT = 7400;
  /** Ports a fleet's block spans; a rotated fleet takes the next free block. */
  public static final int PORT_BLOCK = 100;
  public static final String LISTEN_HOST = "127.0.0.1";
  /** The witness's default address ({@code bkv witness serve}). */
  public static final URI DEFAULT_WITNESS = URI.create("http://127.0.0.1:7380");

  private FleetDeployment() {}

  /** What was written: the frontend's config and each node's, by hsm folder number. */
  public record Written(Path frontend, Map<Integer, Path> nodes) {}

  public static String nodeFileName(int hsmNumber) {
    return "hsm-" + hsmNumber + ".conf";
  }

  /**
   * The workspace's copy of its trust anchors ({@code bkv fleet anchors} and the first
   * {@code bkv fleet publish} write it): what a fleet's nodes check a rotation's target against.
   */
  public static final String WORKSPACE_ANCHORS_FILE = "client-anchors.txt";
  /** Where a node config ({@code fleets/<id>/nodes/}) finds the workspace's anchors. */
  public static final String NODE_ANCHORS_PATH = "../../../" + WORKSPACE_ANCHORS_FILE;

  /** Writes the configs of the fleet in {@code fleetDir} (its fleet.conf and hsm-1..N folders). */
  public static Written write(Path fleetDir, FleetConfig fleet, int basePort, NodeConfig.Timing timing, URI witness,
      SecureRandom random) throws IOException, HsmException {
    return write(fleetDir, fleet, basePort, timing, witness, Optional.empty(), random);
  }

  /**
   * As above; {@code migrationAnchors}, relative to the nodes' folder, goes into every node
   * config as its {@code migration-anchors} line.
   */
  public static Written write(Path fleetDir, FleetConfig fleet, int basePort, NodeConfig.Timing timing, URI witness,
      Optional<String> migrationAnchors, SecureRandom random) throws IOException, HsmException {
    int n = fleet.members().size();
    if (basePort < 1 || basePort + n > ConfigText.PORT_MAX) {
      throw new IllegalArgumentException("--base-port must leave room for " + n + " nodes below " + ConfigText.PORT_MAX
          + ", got " + basePort);
    }
    int[] memberOf = new int[n + 1];
    for (int i = 1; i <= n; i++) {
      HsmId id = SoftHsm.open(fleetDir.resolve("hsm-" + i), random).id();
      memberOf[i] = indexOf(fleet, id);
    }
    TreeMap<Integer, URI> urls = new TreeMap<>();
    List<FrontendConfig.Node> nodes = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      urls.put(memberOf[i], URI.create("http://" + LISTEN_HOST + ":" + (basePort + i)));
    }
    for (Map.Entry<Integer, URI> u : urls.entrySet()) {
      nodes.add(new FrontendConfig.Node(u.getKey(), fleet.members().get(u.getKey()).datacenter(), u.getValue()));
    }
    Path nodesDir = Files.createDirectories(fleetDir.resolve(NODES_DIR));
    TreeMap<Integer, Path> written = new TreeMap<>();
    for (int i = 1; i <= n; i++) {
      int member = memberOf[i];
      TreeMap<Integer, URI> peers = new TreeMap<>(urls);
      peers.remove(member);
      NodeConfig config = new NodeConfig(fleet.fleetId(), fleetDir.resolve("fleet.conf"), member,
          fleetDir.resolve("hsm-" + i), fleet.members().get(member).datacenter(), LISTEN_HOST, basePort + i,
          nodesDir.resolve("hsm-" + i + ".data"), peers, timing, migrationAnchors.map(a -> nodesDir.resolve(a)));
      Path file = nodesDir.resolve(nodeFileName(i));
      write(file, config.text("../fleet.conf", "../hsm-" + i, "hsm-" + i + ".data", migrationAnchors));
      written.put(i, file);
    }
    FrontendConfig frontend = new FrontendConfig(fleet.fleetId(), LISTEN_HOST, basePort, nodes, Optional.empty(),
        Optional.of(witness));
    Path file = fleetDir.resolve(FRONTEND_FILE);
    write(file, frontend.text(Optional.of("../../bundles")));
    return new Written(file, written);
  }

  /**
   * The base port for a new fleet among {@code fleetsDir}'s: {@link #DEFAULT_BASE_PORT} when no
   * fleet has a frontend config, else the block after the highest frontend port in use.
   */
  public static int nextBasePort(Path fleetsDir) throws IOException {
    int highest = -1;
    if (Files.isDirectory(fleetsDir)) {
      try (Stream<Path> fleets = Files.list(fleetsDir)) {
        for (Path dir : fleets.limit(10_000).toList()) {
          Path file = dir.resolve(FRONTEND_FILE);
          if (Files.isRegularFile(file)) {
            try {
              highest = Math.max(highest, FrontendConfig.load(file).listenPort());
            } catch (ConfigException e) {
              throw new IOException(e.getMessage(), e);
            }
          }
        }
      }
    }
    return highest < 0 ? DEFAULT_BASE_PORT : (highest / PORT_BLOCK + 1) * PORT_BLOCK;
  }

  private static int indexOf(FleetConfig fleet, HsmId id) {
    List<FleetMember> members = fleet.members();
    for (int i = 0; i < members.size(); i++) {
      if (members.get(i).hsmId().equals(id)) {
        return i;
      }
    }
    throw new IllegalArgumentException("HSM " + id.toHex() + " is not a member of fleet " + fleet.fleetId());
  }

  private static void write(Path file, String text) throws IOException {
    try {
      AtomicFile.write(file, text.getBytes(StandardCharsets.US_ASCII));
    } catch (StorageException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
