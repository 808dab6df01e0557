package dev.bkv.cli;

import dev.bkv.base.Hex;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.JarHash;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.node.FleetDeployment;
import dev.bkv.node.FrontendConfig;
import dev.bkv.node.NodeConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code bkv fleet}: create fleets, publish their bundles, roll epochs (wiring only; logic in fleet, evidence, bundle). */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    description = "Create HSM fleets (key ceremony and deployment evidence) and publish their validation bundles.",
    subcommands = {
      FleetCommand.Init.class,
      FleetCommand.Rotate.class,
      FleetPublishCommand.class,
      FleetAnchorsCommand.class,
      FleetMigrateCommand.class,
      FleetCommand.Status.class,
      FleetCommand.SubmitterKey.class,
      CommandLine.HelpCommand.class
    })
public final class FleetCommand implements Runnable {
  static final String DEFAULT_NAMESPACE = "backup.example.com/bkv";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }


  static long nowSeconds() {
    return Instant.now().getEpochSecond();
  }

  static void summarize(PrintWriter out, DeploymentEvidence evidence) {
    FleetConfig config = evidence.config();
    out.println("fleet " + config.fleetId() + " in " + config.namespace() + ": " + config.members().size() + " HSMs over "
        + config.datacenters().size() + " datacenters, quorum " + config.quorum());
    for (var member : config.members()) {
      out.println("  hsm " + member.hsmId().toHex() + " in " + member.datacenter());
    }
    out.println("opaque server key " + Hex.encode(evidence.hsms().get(0).statement().opaqueServerKey().encode()));
    out.println("vault jar sha256  " + evidence.vaultJar().toHex());
    out.println("evidence sha256   " + evidence.digest().toHex());
  }

  static void checkBasePort(int basePort, int hsms) {
    Inputs.range("--base-port", basePort, 1, Inputs.PORT_MAX - hsms);
  }

  /**
   * Writes the fleet's node and frontend configs, and says where they are. The node configs name
   * the workspace's trust anchors for rotation when it has them (written by the first publish),
   * so this fleet can later export its users; a first fleet gets them by {@code --migration-anchors}.
   */
  static void deploy(PrintWriter out, OperatorWorkspace workspace, String fleetId, int basePort) throws Exception {
    Path fleetDir = workspace.dir().resolve("fleets").resolve(fleetId);
    boolean anchored = Files.isRegularFile(workspace.dir().resolve(FleetDeployment.WORKSPACE_ANCHORS_FILE));
    FleetDeployment.Written written = FleetDeployment.write(fleetDir, workspace.config(fleetId), basePort,
        NodeConfig.Timing.DEFAULTS, FleetDeployment.DEFAULT_WITNESS,
        anchored ? Optional.of(FleetDeployment.NODE_ANCHORS_PATH) : Optional.empty(), new SecureRandom());
    out.println("frontend on port " + basePort + " (" + written.frontend() + "), nodes on ports " + (basePort + 1) + ".."
        + (basePort + written.nodes().size()) + " (" + fleetDir.resolve(FleetDeployment.NODES_DIR) + ")");
  }

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Create an operator workspace: a simulated HSM vendor, the operator HSM, and a first fleet of N HSMs "
          + "over D datacenters (key ceremony and deployment evidence).")
  static final class Init implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, description = "Workspace directory to create (must not exist, or be empty).")
    Path dir;

    @Option(names = "--hsms", required = true, description = "Number of HSMs in the fleet (1 to 64).")
    int hsms;

    @Option(names = "--datacenters", required = true,
        description = "Number of datacenters, dc-1..dc-D; HSMs are dealt round-robin. Losing any one must leave a majority.")
    int datacenters;

    @Option(names = "--namespace", defaultValue = DEFAULT_NAMESPACE, description = "Namespace of the deployment (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--fleet-id", defaultValue = "fleet-1", description = "Id of the first fleet (default: ${DEFAULT-VALUE}).")
    String fleetId;

    @Option(names = "--jar", description = "The vault jar the HSMs run, whose SHA-256 the evidence names (default: the running jar).")
    Path jar;

    @Option(names = "--base-port", defaultValue = "" + FleetDeployment.DEFAULT_BASE_PORT,
        description = "Port of the fleet's frontend; node i listens on base + i (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        OperatorWorkspace.FleetShape shape = new OperatorWorkspace.FleetShape(fleetId, hsms, datacenters);
        Optional<String> problem = shape.problem();
        if (problem.isPresent()) {
          throw new IllegalArgumentException(problem.get());
        }
        Sha256Digest jarHash = JarHash.of(JarHash.locate(Optional.ofNullable(jar)));
        checkBasePort(basePort, hsms);
        OperatorWorkspace workspace = OperatorWorkspace.initialize(dir, namespace, shape, jarHash, nowSeconds(),
            new SecureRandom());
        PrintWriter out = spec.commandLine().getOut();
        out.println("created operator workspace " + workspace.dir());
        out.println("vendor root sha256 " + workspace.vendor().root().rootFingerprint().toHex()
            + " (" + workspace.dir().resolve("vendor/root.crt") + ")");
        out.println("operator key " + Hex.encode(workspace.operator().identityPublicKey().encodeCompressed()));
        out.println("submission key " + workspace.submissionKey().verifier().vkey()
            + " (register it with 'bkv witness add-operator')");
        summarize(out, DeploymentEvidence.parse(workspace.evidence(fleetId)));
        deploy(out, workspace, fleetId, basePort);
        out.flush();
        return 0;
      });
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Create the next fleet in a workspace (new HSMs, key ceremony, evidence) and make it current; "
          + "'bkv fleet publish' then logs its bundle, linked to the previous one.")
  static final class Rotate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, description = "Workspace made by 'bkv fleet init'.")
    Path dir;

    @Option(names = "--hsms", description = "Number of HSMs (default: as the current fleet).")
    Integer hsms;

    @Option(names = "--datacenters", description = "Number of datacenters (default: as the current fleet).")
    Integer datacenters;

    @Option(names = "--fleet-id", description = "Id of the new fleet (default: fleet-<number of fleets + 1>).")
    String fleetId;

    @Option(names = "--jar", description = "The vault jar the HSMs run (default: the running jar).")
    Path jar;

    @Option(names = "--base-port", description = "Port of the new fleet's frontend; node i listens on base + i "
        + "(default: the next block of " + FleetDeployment.PORT_BLOCK + " above every fleet's frontend port).")
    Integer basePort;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        OperatorWorkspace workspace = OperatorWorkspace.open(dir, new SecureRandom());
        FleetConfig current = workspace.config(workspace.currentFleetId());
        String id = fleetId != null ? fleetId : "fleet-" + (workspace.fleetIds().size() + 1);
        OperatorWorkspace.FleetShape shape = new OperatorWorkspace.FleetShape(id,
            hsms != null ? hsms : current.members().size(), datacenters != null ? datacenters : current.datacenters().size());
        Sha256Digest jarHash = JarHash.of(JarHash.locate(Optional.ofNullable(jar)));
        int base = basePort != null ? basePort : FleetDeployment.nextBasePort(workspace.dir().resolve("fleets"));
        checkBasePort(base, shape.hsms());
        DeploymentEvidence evidence = workspace.createFleet(shape, jarHash, nowSeconds(), new SecureRandom());
        PrintWriter out = spec.commandLine().getOut();
        out.println("created fleet " + id + " (replaces " + current.fleetId() + " once published)");
        summarize(out, evidence);
        deploy(out, workspace, id, base);
        out.flush();
        return 0;
      });
    }
  }

  @Command(name = "submitter-key", mixinStandardHelpOptions = true,
      description = "Print the vkey of the workspace's submission key (the key 'bkv fleet publish' signs add-bundle "
          + "requests with), for 'bkv witness add-operator --vkey'. Creates the key if the workspace predates it.")
  static final class SubmitterKey implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, description = "Workspace made by 'bkv fleet init'.")
    Path dir;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        SecureRandom random = new SecureRandom();
        OperatorWorkspace workspace = OperatorWorkspace.open(dir, random);
        if (workspace.ensureSubmissionKey(random)) {
          spec.commandLine().getErr().println("created a submission key in " + dir.resolve("operator"));
          spec.commandLine().getErr().flush();
        }
        // Only the vkey on stdout, so a script can pass it straight to 'bkv witness add-operator'.
        spec.commandLine().getOut().println(workspace.submissionKey().verifier().vkey());
        spec.commandLine().getOut().flush();
        return 0;
      });
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "List a workspace's fleets and published bundles.")
  static final class Status implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, description = "Workspace made by 'bkv fleet init'.")
    Path dir;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        OperatorWorkspace workspace = OperatorWorkspace.open(dir, new SecureRandom());
        PrintWriter out = spec.commandLine().getOut();
        String current = workspace.currentFleetId();
        out.println("namespace " + workspace.namespace());
        for (String id : workspace.fleetIds()) {
          FleetConfig config = workspace.config(id);
          out.println((id.equals(current) ? "* " : "  ") + "fleet " + id + ": " + config.members().size() + " HSMs over "
              + config.datacenters().size() + " datacenters, evidence " + Sha256Digest.of(workspace.evidence(id)).toHex());
          Path fleetDir = workspace.dir().resolve("fleets").resolve(id);
          Path frontend = fleetDir.resolve(FleetDeployment.FRONTEND_FILE);
          if (java.nio.file.Files.isRegularFile(frontend)) {
            FrontendConfig f = FrontendConfig.load(frontend);
            out.println("    frontend http://" + f.listenHost() + ":" + f.listenPort() + " (" + frontend + ")");
            for (int i = 1; i <= config.members().size(); i++) {
              Path node = fleetDir.resolve(FleetDeployment.NODES_DIR).resolve(FleetDeployment.nodeFileName(i));
              if (java.nio.file.Files.isRegularFile(node)) {
                NodeConfig n = NodeConfig.load(node);
                out.println("    node hsm-" + i + ": member " + n.member() + " in " + n.datacenter() + ", http://"
                    + n.listenHost() + ":" + n.listenPort() + " (" + node + ")");
              }
            }
          }
        }
        Map<Long, Path> witnessed = workspace.files(FleetPublishCommand.WITNESSED_SUFFIX);
        for (Map.Entry<Long, Path> entry : witnessed.entrySet()) {
          WitnessedBundle bundle = WitnessedBundle.parse(OperatorWorkspace.readBytes(entry.getValue(),
              WitnessedBundle.WITNESSED_BYTES_MAX));
          out.println("  epoch " + entry.getKey() + ": fleet " + bundle.bundle().fleetId() + ", log index "
              + bundle.proof().index() + ", valid " + Instant.ofEpochSecond(bundle.bundle().notBeforeSeconds()) + " to "
              + Instant.ofEpochSecond(bundle.bundle().notAfterSeconds()) + ", bundle " + bundle.bundleDigest().toHex());
        }
        for (Long epoch : workspace.files(FleetPublishCommand.BUNDLE_SUFFIX).keySet()) {
          if (!witnessed.containsKey(epoch)) {
            out.println("  epoch " + epoch + ": submitted, not yet witnessed (run 'bkv fleet publish' again)");
          }
        }
        out.flush();
        return 0;
      });
    }
  }
}
