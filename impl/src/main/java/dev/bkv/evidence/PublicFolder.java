package dev.bkv.evidence;

import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.WitnessedBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What an operator publishes for auditors, in a folder of its own that holds nothing secret
 * (spec/FORMATS.md, "Published folder"):
 *
 * <pre>
 * PUBLIC/bundles/&lt;epoch&gt;.witnessed   each witnessed bundle, as the witness logged it and the operator countersigned it
 * PUBLIC/evidence/&lt;fleet id&gt;.txt     the deployment evidence of each published fleet
 * PUBLIC/vendor-root.crt             the HSM vendor's root certificate (PEM)
 * PUBLIC/vault-jar.sha256            the vault jar hash each fleet's evidence names: "&lt;hex&gt;  &lt;fleet id&gt;"
 * PUBLIC/witness.vkeys               the witness keys the operator pinned
 * </pre>
 *
 * Every file is copied from a public part of the workspace (never from vendor/root.key, an
 * HSM directory or anything else), so an auditor can be given this folder alone.
 */
public final class PublicFolder {
  /** Default place, inside the workspace: {@code <workspace>/public}. */
  public static final String DEFAULT_NAME = "public";
  public static final String BUNDLES_DIR = "bundles";
  public static final String EVIDENCE_DIR = "evidence";
  public static final String EVIDENCE_SUFFIX = ".txt";
  public static final String WITNESSED_SUFFIX = ".witnessed";
  public static final String VENDOR_ROOT_FILE = "vendor-root.crt";
  public static final String JAR_HASH_FILE = "vault-jar.sha256";
  public static final String WITNESS_KEYS_FILE = "witness.vkeys";
  /** Names a workspace uses for itself: a public folder never takes one of them (nor the workspace itself). */
  private static final Set<String> WORKSPACE_NAMES = Set.of("vendor", "operator", "fleets", OperatorWorkspace.BUNDLES_DIR,
      OperatorWorkspace.NAMESPACE_FILE, OperatorWorkspace.CURRENT_FLEET_FILE, OperatorWorkspace.WITNESS_KEYS_FILE);

  private PublicFolder() {}

  /** The problem with publishing to {@code folder} from {@code workspace} (it would mix public and secret files), or null. */
  public static String placeProblem(Path workspace, Path folder) {
    Path ws = workspace.toAbsolutePath().normalize();
    Path pub = folder.toAbsolutePath().normalize();
    if (ws.startsWith(pub)) {
      return "--public " + folder + " holds the workspace and its secrets; give a folder of its own";
    }
    if (pub.startsWith(ws) && (!pub.getParent().equals(ws) || WORKSPACE_NAMES.contains(pub.getFileName().toString()))) {
      return "--public " + folder + " is inside the workspace's own files; give " + ws.resolve(DEFAULT_NAME)
          + " or a folder outside the workspace";
    }
    return null;
  }

  /**
   * Writes (or refreshes) every public file of {@code workspace} into {@code folder}: all its
   * witnessed bundles, the evidence of each fleet they name, the vendor root, the jar hashes
   * and the pinned witness keys. Each file is replaced atomically.
   */
  public static void write(OperatorWorkspace workspace, Path folder) throws IOException {
    String problem = placeProblem(workspace.dir(), folder);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    TreeMap<Long, Path> witnessed = workspace.files(WITNESSED_SUFFIX);
    Set<String> fleets = new LinkedHashSet<>();
    for (Map.Entry<Long, Path> e : witnessed.entrySet()) {
      byte[] bytes = OperatorWorkspace.readBytes(e.getValue(), WitnessedBundle.WITNESSED_BYTES_MAX);
      try {
        fleets.add(WitnessedBundle.parse(bytes).bundle().fleetId());
      } catch (BundleFormatException ex) {
        throw new IOException(e.getValue() + ": " + ex.getMessage(), ex);
      }
      OperatorWorkspace.write(folder.resolve(BUNDLES_DIR).resolve(e.getKey() + WITNESSED_SUFFIX), bytes);
    }
    StringBuilder jars = new StringBuilder();
    for (String fleet : fleets) {
      byte[] evidence = workspace.evidence(fleet);
      try {
        jars.append(DeploymentEvidence.parse(evidence).vaultJar().toHex()).append("  ").append(fleet).append('\n');
      } catch (EvidenceFormatException ex) {
        throw new IOException("the evidence of fleet " + fleet + ": " + ex.getMessage(), ex);
      }
      OperatorWorkspace.write(folder.resolve(EVIDENCE_DIR).resolve(fleet + EVIDENCE_SUFFIX), evidence);
    }
    OperatorWorkspace.write(folder.resolve(JAR_HASH_FILE), jars.toString().getBytes(StandardCharsets.US_ASCII));
    OperatorWorkspace.write(folder.resolve(VENDOR_ROOT_FILE), Pem.encodeCertificate(workspace.vendor().root().der()));
    if (workspace.pinnedWitnessKeys().isPresent()) {
      OperatorWorkspace.write(folder.resolve(WITNESS_KEYS_FILE),
          workspace.pinnedWitnessKeys().get().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** True when {@code dir} looks like an operator workspace (which holds secrets), not a published folder. */
  public static boolean isWorkspace(Path dir) {
    return Files.exists(dir.resolve(OperatorWorkspace.NAMESPACE_FILE)) || Files.exists(dir.resolve("operator"))
        || Files.exists(dir.resolve("vendor"));
  }
}
