package dev.bkv.cli;

import dev.bkv.base.Folders;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.JarHash;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.net.WitnessHttpServer;
import dev.bkv.node.FleetDeployment;
import dev.bkv.node.NodeConfig;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Everything the demo starts, in one folder and one process: the operator's workspace (a
 * simulated HSM vendor and operator HSM, made by {@code bkv fleet init}'s code), a witness
 * served over loopback HTTP, and the fleets. {@link #close} stops every server and node and
 * removes the folder unless it is to be kept. Wiring only.
 */
final class DemoWorld implements AutoCloseable {
  static final String NAMESPACE = "backup.example.com/bkv";
  static final String WITNESS_NAME = "witness.example.com/w";
  static final String WITNESS_ORIGIN = "witness.example.com/w/bundles";
  /** Node timers for a quick demo: elections within 0.6-1.2 s of a leader's silence (production: 1-2 s). */
  static final NodeConfig.Timing TIMING = new NodeConfig.Timing(600, 1_200, 100, 5_000);
  /** Stands for the vault jar's hash when the demo runs from a classes directory (tests). */
  static final String CLASSES_JAR_STAND_IN = "bkv demo: classes directory, no jar";

  final Path dir;
  private final boolean keep;
  final SecureRandom random;
  final Sha256Digest jarHash;
  private final List<AutoCloseable> running = new ArrayList<>();
  OperatorWorkspace workspace;
  Path witnessVkeys;
  String witnessUrl;

  private DemoWorld(Path dir, boolean keep, Sha256Digest jarHash, SecureRandom random) {
    this.dir = dir;
    this.random = random;
    this.keep = keep;
    this.jarHash = jarHash;
  }

  /** A world in a new temporary folder, or in {@code keepDir} (absent or empty) which then stays. */
  static DemoWorld create(Optional<Path> keepDir, SecureRandom random) throws IOException {
    Path dir;
    if (keepDir.isPresent()) {
      dir = keepDir.get().toAbsolutePath().normalize();
      if (Files.exists(dir) && !(Files.isDirectory(dir) && isEmpty(dir))) {
        throw new IllegalArgumentException("--keep " + keepDir.get() + " exists and is not an empty directory");
      }
      Files.createDirectories(dir);
    } else {
      dir = Files.createTempDirectory("bkv-demo-");
    }
    Optional<Path> jar = JarHash.runningJar();
    Sha256Digest hash = jar.isPresent() ? JarHash.of(jar.get())
        : Sha256Digest.of(CLASSES_JAR_STAND_IN.getBytes(StandardCharsets.US_ASCII));
    return new DemoWorld(dir, keepDir.isPresent(), hash, random);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.findAny().isEmpty();
    }
  }

  /** {@code bkv fleet init}'s work: vendor, operator HSM, and the first fleet's key ceremony and evidence. */
  DeploymentEvidence initWorkspace(OperatorWorkspace.FleetShape shape) throws Exception {
    workspace = OperatorWorkspace.initialize(dir.resolve("operator"), NAMESPACE, shape, jarHash,
        FleetCommand.nowSeconds(), random);
    return DeploymentEvidence.parse(workspace.evidence(shape.fleetId()));
  }

  /** {@code bkv fleet rotate}'s work: a new fleet, its own key ceremony and evidence; it becomes current. */
  DeploymentEvidence rotate(OperatorWorkspace.FleetShape shape) throws Exception {
    return workspace.createFleet(shape, jarHash, FleetCommand.nowSeconds(), random);
  }

  /** A witness with fresh keys that logs the workspace's bundles, served on a free loopback port. */
  WitnessKeys startWitness() throws Exception {
    Path witnessDir = dir.resolve("witness");
    WitnessKeys keys = Witness.init(witnessDir, WITNESS_NAME, WITNESS_ORIGIN, random);
    Witness.knownOperators(witnessDir).add(workspace.submissionKey().verifier().vkey());
    witnessVkeys = Files.writeString(dir.resolve("witness.vkeys"), keys.vkeys());
    Witness witness = Witness.open(witnessDir);
    running.add(witness);
    WitnessHttpServer server = WitnessHttpServer.start(new InetSocketAddress(DemoFleet.HOST, 0), witness.service());
    running.add(server);
    witnessUrl = server.baseUrl();
    return keys;
  }

  /** What one in-process {@code bkv} command printed. */
  record Cli(int exit, String out, String err) {
    String firstErrorLine() {
      return (err + out).lines().findFirst().orElse("(nothing printed)");
    }
  }

  /** Runs {@code bkv args...} in this process, its output captured. */
  static Cli cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int exit = commandLine.execute(args);
    return new Cli(exit, out.toString(), err.toString());
  }

  /** {@code bkv fleet publish}: the current fleet's bundle for the next epoch, logged, countersigned, published. */
  WitnessedBundle publish(long epoch) throws Exception {
    List<String> args = new ArrayList<>(List.of("fleet", "publish", "--dir", workspace.dir().toString(),
        "--witness", witnessUrl));
    if (epoch == 1) {
      args.addAll(List.of("--witness-vkeys", witnessVkeys.toString()));
    }
    Cli run = cli(args.toArray(String[]::new));
    if (run.exit() != 0) {
      throw new DemoException("bkv fleet publish failed: " + run.firstErrorLine());
    }
    return WitnessedBundle.parse(OperatorWorkspace.readBytes(
        workspace.bundleFile(epoch, FleetPublishCommand.WITNESSED_SUFFIX), WitnessedBundle.WITNESSED_BYTES_MAX));
  }

  /**
   * Writes the fleet's node and frontend configs as {@code bkv fleet init/rotate} does, with the
   * demo's short timers and the workspace's anchors (written by the first publish) so that the
   * fleet's HSMs can check a rotation's target; then starts it.
   */
  DemoFleet startFleet(String fleetId) throws Exception {
    Path fleetDir = workspace.dir().resolve("fleets").resolve(fleetId);
    FleetDeployment.Written written = FleetDeployment.write(fleetDir, workspace.config(fleetId),
        FleetDeployment.DEFAULT_BASE_PORT, TIMING, URI.create(witnessUrl),
        Optional.of(FleetDeployment.NODE_ANCHORS_PATH), random);
    DemoFleet fleet = DemoFleet.start(workspace, fleetId, written, URI.create(witnessUrl));
    running.add(fleet);
    return fleet;
  }

  /** {@code bkv audit} over the witness's log and the operator's public folder, with the vendor root pinned. */
  Cli audit() {
    return cli("audit", "--witness", witnessUrl, "--witness-keys", witnessVkeys.toString(),
        "--published", workspace.dir().resolve("public").toString(),
        "--vendor-root", workspace.dir().resolve("vendor").resolve("root.crt").toString());
  }

  /** {@code bkv site} over the witness's log and the operator's public folder, written into {@code out}. */
  Cli site(Path out) {
    return cli("site", "--witness", witnessUrl, "--witness-keys", witnessVkeys.toString(),
        "--evidence", workspace.dir().resolve("public").toString(),
        "--vendor-root", workspace.dir().resolve("vendor").resolve("root.crt").toString(), "--out", out.toString());
  }

  Path phoneDir() throws IOException {
    return Files.createDirectories(dir.resolve("phone"));
  }

  /** Stops everything started, newest first, each even if another fails; then removes the folder unless kept. */
  @Override
  public void close() throws IOException {
    for (int i = running.size() - 1; i >= 0; i--) {
      try {
        running.get(i).close();
      } catch (Exception e) {
        // Closing the rest matters more; the folder goes anyway.
      }
    }
    running.clear();
    if (!keep) {
      Folders.deleteTree(dir);
    }
  }
}
