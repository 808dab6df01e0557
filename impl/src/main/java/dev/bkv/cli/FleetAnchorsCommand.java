package dev.bkv.cli;

import dev.bkv.bundle.TrustAnchors;
import dev.bkv.client.ClientAnchors;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.node.FleetDeployment;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.NoteKeys;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.VerifierSet;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bkv fleet anchors}: writes the trust anchors an app compiles in ({@code bkv-client-anchors/1})
 * from a workspace: its namespace, the witness keys pinned at the first publish, the operator
 * HSM's key, and the cosigners the app requires.
 */
@Command(name = "anchors", mixinStandardHelpOptions = true,
    description = "Write the client trust anchors of a workspace (namespace, pinned witness keys, operator key, "
        + "cosigners) for 'bkv client --anchors', and DIR/client-anchors.txt, which its fleets' nodes check a new fleet "
        + "against when users move to it. Needs a first 'bkv fleet publish' (it pins the witness keys).")
final class FleetAnchorsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Workspace made by 'bkv fleet init'.")
  Path dir;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The anchors file to write (replaced atomically).")
  Path out;

  @Option(names = "--cosigner", paramLabel = "VKEY",
      description = "A cosignature/v1 key of an independent witness the app trusts (repeatable).")
  List<String> cosigners = new ArrayList<>();

  @Option(names = "--cosignatures-required", paramLabel = "K", defaultValue = "0",
      description = "How many of the cosigners must cosign a checkpoint (default: ${DEFAULT-VALUE}).")
  int required;

  @Override
  public Integer call() {
    return UserErrors.report(spec, () -> {
      if (cosigners.size() > ClientAnchors.COSIGNERS_MAX) {
        throw new IllegalArgumentException("at most " + ClientAnchors.COSIGNERS_MAX + " --cosigner keys");
      }
      Inputs.range("--cosignatures-required", required, 0, cosigners.size());
      List<NoteVerifier> keys = new ArrayList<>();
      for (String vkey : cosigners) {
        NoteVerifier key;
        try {
          key = NoteKeys.parseVerifierKey(vkey);
        } catch (FormatException e) {
          throw new IllegalArgumentException("--cosigner " + vkey + ": " + e.getMessage());
        }
        if (!(key instanceof CosignatureV1.Verifier)) {
          throw new IllegalArgumentException("--cosigner " + vkey + ": not a cosignature/v1 key");
        }
        keys.add(key);
      }
      OperatorWorkspace workspace = OperatorWorkspace.open(dir, new SecureRandom());
      String pinned = workspace.pinnedWitnessKeys().orElseThrow(() -> new IllegalArgumentException(
          "no witness keys are pinned in " + dir + " yet: run 'bkv fleet publish' once first"));
      FleetPublishCommand.WitnessKeys witness = FleetPublishCommand.parseWitnessKeys(pinned);
      byte[] bytes = anchorsFile(workspace, witness, keys, required);
      Path folder = out.toAbsolutePath().getParent();
      if (folder == null || !Files.isDirectory(folder)) {
        throw new IllegalArgumentException("--out " + out + ": its folder does not exist");
      }
      OperatorWorkspace.write(out, bytes);
      // The workspace's copy is what its fleets' nodes check a rotation's new fleet against.
      OperatorWorkspace.write(dir.resolve(FleetDeployment.WORKSPACE_ANCHORS_FILE), bytes);
      PrintWriter print = spec.commandLine().getOut();
      print.println("wrote client anchors for " + workspace.namespace() + " to " + out + " and "
          + dir.resolve(FleetDeployment.WORKSPACE_ANCHORS_FILE) + " (witness "
          + witness.bundleKey().keyName() + ", " + required + " of " + keys.size() + " cosignatures required)");
      print.flush();
      return 0;
    });
  }

  /** The anchors file of {@code workspace} under the pinned {@code witness} keys. */
  static byte[] anchorsFile(OperatorWorkspace workspace, FleetPublishCommand.WitnessKeys witness, List<NoteVerifier> cosigners,
      int required) throws FormatException, dev.bkv.hsm.HsmException {
    // The log's origin is its key's name, as 'bkv fleet publish' checks receipts.
    TrustAnchors anchors = new TrustAnchors(workspace.namespace(), witness.bundleKey(),
        workspace.operator().identityPublicKey(), witness.logKey().keyName(), witness.logKey(), VerifierSet.of(cosigners),
        required);
    byte[] bytes = ClientAnchors.format(anchors);
    ClientAnchors.parse(bytes); // what we write is what a client accepts
    return bytes;
  }
}
