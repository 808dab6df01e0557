package dev.bkv.cli;

import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.EvidenceFacts;
import dev.bkv.evidence.EvidenceVerifier;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.evidence.PublicFolder;
import dev.bkv.net.WitnessHttpClient;
import dev.bkv.node.FleetDeployment;
import dev.bkv.net.WitnessUnreachableException;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.NoteKeys;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import dev.bkv.witness.BundleReceipt;
import dev.bkv.witness.BundleSubmission;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bkv fleet publish}: builds the bundle of a fleet for the next epoch, has the witness
 * log and sign it, checks the receipt against the pinned witness keys, countersigns the
 * witness signature with the operator HSM and writes the witnessed bundle.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Log the current fleet's validation bundle with a witness, countersign it with the operator HSM, "
        + "write DIR/bundles/<epoch>.witnessed, and refresh the public folder auditors read (nothing secret in it).")
final class FleetPublishCommand implements Callable<Integer> {
  static final String BUNDLE_SUFFIX = ".bundle";
  static final String WITNESSED_SUFFIX = ".witnessed";
  static final long VALIDITY_DAYS_MAX = ValidationBundle.VALIDITY_SECONDS_MAX / 86_400;
  static final long VALIDITY_DAYS_DEFAULT = 90;
  /** Highest epoch a publish makes: far beyond any real rotation count, and far from overflow when incremented. */
  static final long EPOCH_MAX = 1L << 31;
  /** Latest window start accepted, 9999-12-31T23:59:59Z: the window's end then stays far from overflow. */
  static final long NOT_BEFORE_SECONDS_MAX = 253_402_300_799L;
  /** The default window opens this long before now, so clients whose clocks lag still accept a fresh bundle. */
  static final long CLOCK_SKEW_SECONDS = 3_600;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Workspace made by 'bkv fleet init'.")
  Path dir;

  @Option(names = "--witness", required = true, description = "Witness base URL, e.g. http://127.0.0.1:7380.")
  String witness;

  @Option(names = "--public", paramLabel = "DIR", description = "Folder refreshed with what auditors read: witnessed "
      + "bundles, evidence, vendor root, jar hashes, witness keys; never a secret (default: DIR/public).")
  Path publicDir;

  @Option(names = "--witness-vkeys", description = "The witness's public keys (as 'bkv witness init' prints them); "
      + "pinned in DIR/witness.vkeys at the first publish and required to match afterwards.")
  Path witnessVkeys;

  @Option(names = "--epoch", description = "Epoch of the bundle, 1 to 2^31 (default: one more than the last published, 1 at first).")
  Long epoch;

  @Option(names = "--validity-days", description = "Validity window in days, 1 to 400 (default: 90).")
  Long validityDays;

  @Option(names = "--not-before", description = "Start of the validity window, UTC seconds up to 253402300799 "
      + "(default: an hour ago, for clients whose clocks lag).")
  Long notBefore;

  @Option(names = "--fleet-id", description = "The fleet to publish (default: the current fleet).")
  String fleetId;

  /** The witness keys a publish trusts: bundle key for the bundle signature, log key for the checkpoint. */
  record WitnessKeys(Ed25519Note.Verifier bundleKey, Ed25519Note.Verifier logKey, String text, boolean pinNow) {}

  /** Set when this run wrote a new pending bundle (undone if the witness cannot be reached at all). */
  private boolean wroteNewBundle;

  @Override
  public Integer call() {
    return UserErrors.report(spec, () -> {
      checkOptions();
      OperatorWorkspace workspace = OperatorWorkspace.open(dir, new SecureRandom());
      Path folder = publicDir != null ? publicDir : dir.resolve(PublicFolder.DEFAULT_NAME);
      String misplaced = PublicFolder.placeProblem(dir, folder);
      if (misplaced != null) {
        throw new IllegalArgumentException(misplaced);
      }
      if (!workspace.files(WITNESSED_SUFFIX).isEmpty()) {
        // Refreshed before anything new is made too: an unwritable folder stops the publish here, and a
        // refresh that failed after an earlier publish is made good.
        PublicFolder.write(workspace, folder);
      }
      WitnessKeys keys = witnessKeys(workspace);
      String fleet = fleetId != null ? fleetId : workspace.currentFleetId();
      if (!workspace.fleetIds().contains(fleet)) {
        throw new IllegalArgumentException("--fleet-id " + fleet + ": no such fleet in " + dir + " (it has "
            + String.join(", ", workspace.fleetIds()) + ")");
      }
      EvidenceFacts facts = verifiedEvidence(workspace, fleet);
      byte[] bundleBytes = bundleToSubmit(workspace, facts);
      ValidationBundle bundle = ValidationBundle.parse(bundleBytes);
      // Signed for this witness's log only (its origin is the log key's name), by the key the witness admin registered.
      byte[] request = BundleSubmission.sign(bundleBytes, keys.logKey().keyName(), workspace.submissionKey());
      WitnessHttpClient.Reply reply;
      try {
        reply = new WitnessHttpClient(WitnessHttpClient.newHttpClient(), witness).addBundle(request);
      } catch (WitnessUnreachableException e) {
        if (wroteNewBundle) { // nothing was sent, so nothing is pending: leave the workspace as it was
          Path pendingFile = workspace.bundleFile(bundle.epoch(), BUNDLE_SUFFIX);
          Files.deleteIfExists(pendingFile);
          if (bundle.epoch() == 1) {
            try {
              Files.deleteIfExists(pendingFile.getParent()); // made for this bundle, empty again
            } catch (DirectoryNotEmptyException kept) {
              // holds files of its own: it stays
            }
          }
        }
        throw e;
      }
      if (reply.status() != 200) {
        throw new IOException("witness " + witness + " answered " + reply.status() + ": " + firstLine(reply.bodyText()));
      }
      BundleReceipt receipt = BundleReceipt.parse(reply.body());
      Verdict<VerifiedCheckpoint> logged = receipt.verify(bundleBytes, keys.bundleKey(),
          CheckpointPolicy.logOnly(keys.logKey().keyName(), keys.logKey()));
      if (!logged.isVerified()) {
        throw new IOException("the witness receipt does not verify against the pinned witness keys: " + logged.reasonOrEmpty()
            + " (nothing was countersigned)");
      }
      if (keys.pinNow()) {
        workspace.pinWitnessKeys(keys.text());
      }
      // The operator countersigns only a bundle the receipt proves is in the witness's log.
      EcdsaP256.Signature countersignature = OperatorCountersignature.sign(workspace.operator(), receipt.bundleSignature());
      WitnessedBundle witnessed = WitnessedBundle.of(bundle, receipt.bundleSignature(), receipt.proof(), countersignature);
      byte[] bytes = witnessed.toBytes();
      WitnessedBundle.parse(bytes); // the file we publish is one our own parser accepts
      Path file = workspace.bundleFile(bundle.epoch(), WITNESSED_SUFFIX);
      OperatorWorkspace.write(file, bytes);
      PublicFolder.write(workspace, folder);
      Path anchors = dir.resolve(FleetDeployment.WORKSPACE_ANCHORS_FILE);
      if (!Files.exists(anchors)) {
        // The first publish pins the witness keys, so the anchors the nodes need for rotation exist from now
        // on; 'bkv fleet anchors' rewrites them with cosigners.
        OperatorWorkspace.write(anchors, FleetAnchorsCommand.anchorsFile(workspace, keys, List.of(), 0));
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("published epoch " + bundle.epoch() + " of " + bundle.namespace() + ": fleet " + bundle.fleetId()
          + ", log index " + receipt.index() + " of " + logged.value().checkpoint().size());
      out.println("bundle sha256 " + bundle.digest().toHex() + (bundle.previousDigest().isPresent()
          ? " (previous " + bundle.previousDigest().get().toHex() + ")" : " (first epoch)"));
      out.println("wrote " + file + "; auditors read " + folder);
      out.flush();
      return 0;
    });
  }

  private void checkOptions() {
    Inputs.witnessUrl("--witness", witness);
    if (validityDays != null) {
      Inputs.range("--validity-days", validityDays, 1, VALIDITY_DAYS_MAX);
    }
    if (epoch != null) {
      Inputs.range("--epoch", epoch, 1, EPOCH_MAX);
    }
    if (notBefore != null) {
      Inputs.range("--not-before", notBefore, 0, NOT_BEFORE_SECONDS_MAX);
    }
  }

  private EvidenceFacts verifiedEvidence(OperatorWorkspace workspace, String fleet) throws Exception {
    byte[] evidenceBytes = workspace.evidence(fleet);
    DeploymentEvidence evidence = DeploymentEvidence.parse(evidenceBytes);
    Verdict<EvidenceFacts> facts = EvidenceVerifier.verify(evidenceBytes, workspace.vendor().root(), evidence.vaultJar());
    if (!facts.isVerified()) {
      throw new IllegalArgumentException("the evidence of fleet " + fleet + " does not verify: " + facts.reasonOrEmpty());
    }
    if (!facts.value().operatorKey().equals(workspace.operator().identityPublicKey())) {
      throw new IllegalArgumentException("the evidence of fleet " + fleet + " names another operator HSM");
    }
    return facts.value();
  }

  /**
   * The bytes to submit: a bundle submitted before whose receipt never arrived, unchanged (the
   * witness then answers with its existing index), or a new bundle for the next epoch, written
   * to disk before it is sent.
   */
  private byte[] bundleToSubmit(OperatorWorkspace workspace, EvidenceFacts facts) throws Exception {
    TreeMap<Long, Path> witnessed = workspace.files(WITNESSED_SUFFIX);
    long last = witnessed.isEmpty() ? 0 : witnessed.lastKey();
    Map.Entry<Long, Path> pending = workspace.files(BUNDLE_SUFFIX).higherEntry(last);
    if (pending != null) {
      if (epoch != null && epoch.longValue() != pending.getKey()) {
        throw new IllegalArgumentException("epoch " + pending.getKey() + " was submitted but never witnessed; "
            + "publish it first (run again without --epoch)");
      }
      byte[] bytes = OperatorWorkspace.readBytes(pending.getValue(), ValidationBundle.BUNDLE_BYTES_MAX);
      ValidationBundle bundle = ValidationBundle.parse(bytes);
      if (!bundle.evidenceDigest().equals(facts.evidenceDigest())) {
        throw new IllegalArgumentException("epoch " + pending.getKey() + " was submitted for fleet " + bundle.fleetId()
            + " but never witnessed; publish it first (run again without --fleet-id)");
      }
      refuseChangesTo(pending.getKey(), bundle);
      return bytes;
    }
    long next = epoch != null ? epoch : last + 1;
    Inputs.range("the next epoch", next, 1, EPOCH_MAX);
    if (next <= last) {
      throw new IllegalArgumentException("--epoch must be above the last published epoch " + last + ", got " + next);
    }
    if (last == 0 && next != 1) {
      throw new IllegalArgumentException("the first bundle of a namespace has epoch 1, got " + next);
    }
    Optional<Sha256Digest> previous = Optional.empty();
    if (last > 0) {
      previous = Optional.of(WitnessedBundle.parse(OperatorWorkspace.readBytes(witnessed.lastEntry().getValue(),
          WitnessedBundle.WITNESSED_BYTES_MAX)).bundleDigest());
    }
    long start = notBefore != null ? notBefore : FleetCommand.nowSeconds() - CLOCK_SKEW_SECONDS;
    ValidationBundle bundle = ValidationBundle.of(facts.config().namespace(), facts.config().fleetId(), next, start,
        start + days() * 86_400, facts.members(), facts.evidenceDigest(), previous);
    byte[] bytes = bundle.toBytes();
    OperatorWorkspace.write(workspace.bundleFile(next, BUNDLE_SUFFIX), bytes);
    wroteNewBundle = true;
    return bytes;
  }

  private long days() {
    return validityDays != null ? validityDays : VALIDITY_DAYS_DEFAULT;
  }

  /**
   * A pending bundle is resubmitted byte for byte (the witness may have logged it already), so
   * an explicit option that would make it different is refused, never silently ignored.
   */
  private void refuseChangesTo(long pendingEpoch, ValidationBundle bundle) {
    String was = "epoch " + pendingEpoch + " was submitted but never witnessed and is resubmitted unchanged, ";
    long days = (bundle.notAfterSeconds() - bundle.notBeforeSeconds()) / 86_400;
    if (validityDays != null && bundle.notAfterSeconds() - bundle.notBeforeSeconds() != validityDays * 86_400) {
      throw new IllegalArgumentException(was + "with a " + days + "-day window, not " + validityDays
          + " (run again without --validity-days)");
    }
    if (notBefore != null && notBefore != bundle.notBeforeSeconds()) {
      throw new IllegalArgumentException(was + "with not-before " + bundle.notBeforeSeconds() + ", not " + notBefore
          + " (run again without --not-before)");
    }
  }

  private WitnessKeys witnessKeys(OperatorWorkspace workspace) throws IOException, FormatException {
    Optional<String> pinned = workspace.pinnedWitnessKeys();
    if (witnessVkeys == null && pinned.isEmpty()) {
      throw new IllegalArgumentException("give the witness's public keys with --witness-vkeys FILE (the lines "
          + "'bkv witness init' printed, or GET /bkv/vkeys checked out of band); they are pinned at the first publish");
    }
    if (witnessVkeys == null) {
      return parseWitnessKeys(pinned.get());
    }
    WitnessKeys given;
    try {
      given = parseWitnessKeys(Inputs.text(witnessVkeys, AuditCommand.VKEYS_BYTES_MAX));
    } catch (FormatException e) {
      throw new FormatException(witnessVkeys + ": " + e.getMessage());
    }
    if (pinned.isPresent() && !parseWitnessKeys(pinned.get()).text().equals(given.text())) {
      throw new IllegalArgumentException("the witness keys in " + witnessVkeys + " differ from those pinned in "
          + workspace.dir().resolve(OperatorWorkspace.WITNESS_KEYS_FILE) + " at the first publish");
    }
    // Pinned once the first receipt verifies under them, so a failed first publish leaves nothing behind.
    return new WitnessKeys(given.bundleKey(), given.logKey(), given.text(), pinned.isEmpty());
  }

  /** A witness's vkey lines: one cosigner key (type 0x04) named W, its bundle key W/bundle, and one log key. */
  static WitnessKeys parseWitnessKeys(String text) throws FormatException {
    List<NoteVerifier> keys = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (!line.isBlank()) {
        keys.add(NoteKeys.parseVerifierKey(line.strip()));
      }
    }
    List<NoteVerifier> cosigners = keys.stream().filter(k -> k instanceof CosignatureV1.Verifier).toList();
    if (keys.size() != 3 || cosigners.size() != 1) {
      throw new FormatException("witness keys: expected the three vkeys of one witness (log, cosigner, bundle), got "
          + keys.size() + " keys");
    }
    String bundleName = cosigners.get(0).keyName() + "/bundle";
    Ed25519Note.Verifier bundleKey = null;
    Ed25519Note.Verifier logKey = null;
    for (NoteVerifier key : keys) {
      if (key instanceof Ed25519Note.Verifier ed) {
        if (ed.keyName().equals(bundleName)) {
          bundleKey = ed;
        } else {
          logKey = ed;
        }
      }
    }
    if (bundleKey == null || logKey == null) {
      throw new FormatException("witness keys: expected an Ed25519 key named " + bundleName + " and a log key");
    }
    return new WitnessKeys(bundleKey, logKey, logKey.vkey() + "\n" + cosigners.get(0).vkey() + "\n" + bundleKey.vkey() + "\n",
        false);
  }

  private static String firstLine(String text) {
    String line = text.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
