package dev.bkv.audit;

import dev.bkv.audit.AuditReport.Step;
import dev.bkv.audit.CheckpointComparison.LargerTreePrefix;
import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.VendorRoot;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The auditor's procedure (issue 4), over a witness's bundle log read through tiles:
 *
 * <ol>
 *   <li>obtain the fleet keys: from each logged bundle, and compare with the pinned fleet
 *       where the app pins one;
 *   <li>fetch the log entry of each bundle, proved against the signed checkpoint, and the
 *       published witnessed bundle for it, whose own checkpoint must agree with the log;
 *   <li>verify the witness signature and the operator countersignature (reported after
 *       step 4, which yields the operator's key);
 *   <li>confirm the fleet configuration against the published deployment evidence;
 *   <li>repeat for every epoch in the log: diff the key sets of consecutive bundles (a key
 *       set changes only with a new epoch), check the previous-bundle chain, and check that
 *       the log extends the checkpoint audited last time.
 * </ol>
 *
 * The outcome is a report that passes only if every step passed, and, when it did, the
 * checkpoint to remember for the next audit.
 */
public final class Auditor {
  /** Published witnessed bundles and evidence files an audit reads. */
  public static final int PUBLISHED_FILES_MAX = 4096;

  private Auditor() {}

  /** What the auditor is given. {@code lastAudited} is the checkpoint a previous audit passed. */
  public record Inputs(
      TileFetcher log,
      CheckpointPolicy logPolicy,
      NoteVerifier witnessBundleKey,
      Optional<String> namespace,
      List<WitnessedBundle> witnessed,
      List<DeploymentEvidence> evidence,
      Optional<ValidationBundle> pinned,
      Optional<VendorRoot> vendorRoot,
      Optional<Sha256Digest> expectedJar,
      Optional<SignedNote> lastAudited) {
    public Inputs {
      witnessed = List.copyOf(witnessed);
      evidence = List.copyOf(evidence);
      if (witnessed.size() + evidence.size() > PUBLISHED_FILES_MAX) {
        throw new IllegalArgumentException("an audit reads at most " + PUBLISHED_FILES_MAX + " published files");
      }
    }
  }

  /** The report, and the checkpoint to store for next time when the audit passed. */
  public record Outcome(AuditReport report, Optional<SignedNote> audited) {}

  /** @throws IOException when the log cannot be fetched at all */
  public static Outcome audit(Inputs in) throws IOException {
    AuditReport report = new AuditReport(in.logPolicy().origin());
    Verdict<LogReader.LogSnapshot> read = LogReader.read(in.log(), in.logPolicy());
    if (!read.isVerified()) {
      report.logStep("read log", false, read.reasonOrEmpty());
      return new Outcome(report, Optional.empty());
    }
    LogReader.LogSnapshot log = read.value();
    Checkpoint head = log.checkpoint().checkpoint();
    report.logStep("read log", true, "checkpoint of size " + head.size() + ", root " + head.rootHash().toBase64()
        + ", every entry proved against it");
    checkAgainstLastAudit(in, log, report);

    List<Logged> bundles = bundlesOf(in, log, report);
    if (bundles.isEmpty()) {
      report.logStep("fleet bundles", false, "the log holds no validation bundle"
          + in.namespace().map(n -> " of namespace " + n).orElse(""));
      return new Outcome(report, Optional.empty());
    }
    report.logStep("fleet bundles", true, bundles.size() + " validation bundles in the log");
    in.pinned().ifPresent(pinned -> checkPinnedLogged(pinned, bundles, report));

    Logged previous = null;
    for (Logged current : bundles) {
      report.epoch(auditEpoch(in, log, current, previous));
      previous = current;
    }
    return new Outcome(report, report.passed() ? Optional.of(log.checkpoint().note().note()) : Optional.empty());
  }

  /** A validation bundle found at {@code index} of the log. */
  private record Logged(long index, byte[] bytes, ValidationBundle bundle) {}

  private static List<Logged> bundlesOf(Inputs in, LogReader.LogSnapshot log, AuditReport report) {
    List<Logged> out = new ArrayList<>();
    for (int i = 0; i < log.entries().size(); i++) {
      byte[] entry = log.entries().get(i);
      ValidationBundle bundle;
      try {
        bundle = ValidationBundle.parse(entry);
      } catch (BundleFormatException e) {
        report.note("log entry " + i + " is not a validation bundle (" + e.getMessage() + ")");
        continue;
      }
      if (in.namespace().isPresent() && !in.namespace().get().equals(bundle.namespace())) {
        report.note("log entry " + i + " is a bundle of another namespace, " + bundle.namespace());
        continue;
      }
      out.add(new Logged(i, entry, bundle));
    }
    return out;
  }

  // Step 5, log part: the log now must extend the checkpoint a previous audit passed.
  private static void checkAgainstLastAudit(Inputs in, LogReader.LogSnapshot log, AuditReport report) throws IOException {
    if (in.lastAudited().isEmpty()) {
      report.logStep("log consistency", true, "no earlier audit to compare with (first audit)");
      return;
    }
    Verdict<VerifiedCheckpoint> last = in.logPolicy().verify(in.lastAudited().get());
    if (!last.isVerified()) {
      report.logStep("log consistency", false, "the checkpoint of the last audit does not verify: " + last.reasonOrEmpty());
      return;
    }
    Optional<String> problem = disagreement(last.value(), log);
    report.logStep("log consistency", problem.isEmpty(), problem.orElse(
        "the log extends the checkpoint of size " + last.value().checkpoint().size() + " audited before"));
  }

  /**
   * Why {@code seen}, a checkpoint of this log that someone was shown, cannot be a view of
   * the log the auditor read (spec action AuditorCheck), or empty when it is one.
   */
  static Optional<String> disagreement(VerifiedCheckpoint seen, LogReader.LogSnapshot log) throws IOException {
    long size = seen.checkpoint().size();
    if (size > log.size()) {
      return Optional.of("the log serves size " + log.size() + " but signed a checkpoint of size " + size
          + " before (rolled back or forked)");
    }
    CheckpointComparison.Outcome outcome =
        CheckpointComparison.compare(seen, log.checkpoint(), LargerTreePrefix.of(log.tiles(), size));
    if (outcome instanceof CheckpointComparison.Consistent) {
      return Optional.empty();
    }
    if (outcome instanceof CheckpointComparison.SplitView split) {
      return Optional.of(split.evidence().describe());
    }
    return Optional.of(((CheckpointComparison.Unresolved) outcome).reason());
  }

  private static void checkPinnedLogged(ValidationBundle pinned, List<Logged> bundles, AuditReport report) {
    Sha256Digest keys = BundleVerifier.keySetDigest(pinned);
    for (Logged b : bundles) {
      if (BundleVerifier.keySetDigest(b.bundle()).equals(keys)) {
        report.logStep("pinned fleet", true, "the pinned key set is the one logged at index " + b.index()
            + " (epoch " + b.bundle().epoch() + ")");
        return;
      }
    }
    report.logStep("pinned fleet", false, "no logged bundle names the pinned key set of fleet " + pinned.fleetId());
  }

  private static AuditReport.EpochSection auditEpoch(Inputs in, LogReader.LogSnapshot log, Logged current, Logged previous)
      throws IOException {
    ValidationBundle bundle = current.bundle();
    List<Step> steps = new ArrayList<>();
    // 1. The fleet keys, from the bundle (and against the pinned ones).
    String keys = bundle.members().size() + " HSMs, quorum " + bundle.quorum() + ", key set "
        + BundleVerifier.keySetDigest(bundle).toHex().substring(0, 16);
    if (in.pinned().isPresent()) {
      boolean same = BundleVerifier.keySetDigest(in.pinned().get()).equals(BundleVerifier.keySetDigest(bundle));
      keys += same ? " (the pinned fleet)" : " (not the pinned fleet)";
    }
    steps.add(new Step("fleet keys", true, keys));
    // 2. The log entry, and the witnessed bundle published for it.
    Optional<WitnessedBundle> witnessed = in.witnessed().stream()
        .filter(w -> Arrays.equals(w.bundleBytes(), current.bytes())).findFirst();
    steps.add(logEntryStep(in, log, current, witnessed));
    // Step 4 is reported before step 3: the operator's countersigning key comes from the
    // evidence, so a bad evidence file is the cause, not the countersignature.
    Verdict<EcdsaP256.PublicKey> operatorKey = evidenceStep(in, bundle);
    steps.add(new Step("evidence", operatorKey.isVerified(), operatorKey.isVerified()
        ? "evidence " + bundle.evidenceDigest().toHex().substring(0, 16) + "... verifies and describes this fleet"
            + (in.vendorRoot().isPresent() ? "" : " (vendor root taken from the evidence)")
            + (in.expectedJar().isPresent() ? "; the fleet runs the rebuilt vault jar" : " (vault jar not compared with a rebuild)")
        : operatorKey.reasonOrEmpty()));
    steps.add(signatureStep(in, current, witnessed, operatorKey));
    // 5. Epochs, chain and key-set changes against the previous bundle.
    List<String> changes = new ArrayList<>();
    steps.add(epochStep(current, previous, changes));
    return new AuditReport.EpochSection(bundle.epoch(), bundle.fleetId(), current.index(), steps, changes);
  }

  private static Step logEntryStep(Inputs in, LogReader.LogSnapshot log, Logged current, Optional<WitnessedBundle> witnessed)
      throws IOException {
    String where = "entry " + current.index() + " proved in the checkpoint of size " + log.size();
    if (witnessed.isEmpty()) {
      return new Step("log entry", false, where + ", but no witnessed bundle was published for it");
    }
    var proof = witnessed.get().proof();
    if (proof.index() != current.index()) {
      return new Step("log entry", false, "the witnessed bundle claims index " + proof.index() + ", the log has it at "
          + current.index());
    }
    Verdict<VerifiedCheckpoint> receipt = proof.verifyEntry(current.bytes(), in.logPolicy());
    if (!receipt.isVerified()) {
      return new Step("log entry", false, "the witnessed bundle's receipt does not verify: " + receipt.reasonOrEmpty());
    }
    Optional<String> problem = disagreement(receipt.value(), log);
    if (problem.isPresent()) {
      return new Step("log entry", false, "the receipt's checkpoint disagrees with the log: " + problem.get());
    }
    return new Step("log entry", true, where + "; the receipt's checkpoint (size " + receipt.value().checkpoint().size()
        + ") is consistent with the log");
  }

  private static Verdict<EcdsaP256.PublicKey> evidenceStep(Inputs in, ValidationBundle bundle) {
    Optional<DeploymentEvidence> evidence = in.evidence().stream()
        .filter(e -> e.digest().equals(bundle.evidenceDigest())).findFirst();
    if (evidence.isEmpty()) {
      return Verdict.rejected("no published evidence has the digest " + bundle.evidenceDigest().toHex() + " the bundle names");
    }
    // Without a pinned root or a rebuilt jar, the evidence's own are used and the report says so.
    Verdict<VendorRoot> root = in.vendorRoot().map(Verdict::verified)
        .orElseGet(() -> VendorRoot.parse(evidence.get().vendorRootDer()));
    if (!root.isVerified()) {
      return Verdict.rejected("the evidence's vendor root: " + root.reasonOrEmpty());
    }
    return EvidenceCheck.check(bundle, evidence.get(), root.value(), in.expectedJar().orElse(evidence.get().vaultJar()));
  }

  private static Step signatureStep(
      Inputs in, Logged current, Optional<WitnessedBundle> witnessed, Verdict<EcdsaP256.PublicKey> operatorKey) {
    if (witnessed.isEmpty()) {
      return new Step("signatures", false, "no witnessed bundle to take the signatures from");
    }
    WitnessedBundle w = witnessed.get();
    if (in.witnessBundleKey().verify(current.bytes(), w.witnessSignature().toBytes()).isEmpty()) {
      return new Step("signatures", false, "the witness signature does not verify under " + in.witnessBundleKey().keyName());
    }
    if (!operatorKey.isVerified()) {
      return new Step("signatures", false, "no verified operator key to check the countersignature with");
    }
    if (!OperatorCountersignature.verify(operatorKey.value(), w.witnessSignature(), w.countersignature())) {
      return new Step("signatures", false, "the operator countersignature does not verify under the evidence's operator key");
    }
    return new Step("signatures", true, "witness signature and operator countersignature verify");
  }

  private static Step epochStep(Logged current, Logged previous, List<String> changes) {
    ValidationBundle now = current.bundle();
    if (previous == null) {
      if (now.epoch() != 1) {
        return new Step("epoch and chain", true, "first bundle in the log is epoch " + now.epoch()
            + "; its previous bundle is not in this log");
      }
      return new Step("epoch and chain", true, "epoch 1, the first of this log");
    }
    ValidationBundle before = previous.bundle();
    FleetDiff diff = FleetDiff.between(before, now);
    changes.addAll(diff.changes());
    if (now.epoch() < before.epoch()) {
      return new Step("epoch and chain", false, "epoch goes back from " + before.epoch() + " to " + now.epoch());
    }
    if (now.epoch() == before.epoch()) {
      if (diff.keysChanged()) {
        return new Step("epoch and chain", false, "the key set changed without a new epoch (still " + now.epoch() + ")");
      }
      boolean sameLink = now.previousDigest().equals(before.previousDigest());
      return new Step("epoch and chain", sameLink, sameLink ? "epoch " + now.epoch() + " re-issued with the same keys"
          : "a re-issue of epoch " + now.epoch() + " names a different previous bundle");
    }
    if (now.previousDigest().isEmpty() || !now.previousDigest().get().equals(before.digest())) {
      return new Step("epoch and chain", false, "epoch " + now.epoch() + " does not name the digest of the previous bundle"
          + " (epoch " + before.epoch() + ", log index " + previous.index() + ")");
    }
    return new Step("epoch and chain", true, "epoch " + before.epoch() + " -> " + now.epoch() + ", chained to the previous bundle"
        + (diff.keysChanged() ? "" : "; key set unchanged"));
  }
}
