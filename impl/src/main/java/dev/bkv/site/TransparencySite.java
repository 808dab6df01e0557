package dev.bkv.site;

import dev.bkv.audit.AuditReport;
import dev.bkv.audit.Auditor;
import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.DeviceCertificate;
import dev.bkv.evidence.VendorRoot;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The published side of a deployment as one static page: every fleet epoch in a witness's
 * bundle log with its HSMs, keys, vendor certificates and evidence, the checkpoint and its
 * signers, the changes between epochs, and the auditor's verdict for each operator's
 * namespace. What the page shows is gathered here; {@link SitePage} draws it, and the page's
 * script checks the checkpoint's signatures and every inclusion proof in the reader's
 * browser, so the page does not ask to be trusted for those.
 */
public final class TransparencySite {
  private TransparencySite() {}

  /**
   * What the site is built from: the witness's log, its log and bundle keys (and the vkeys
   * text they came from, shown as it is), the operators' published bundles and evidence, the
   * vendor root to check device certificates with (otherwise each evidence's own), and the
   * time the page says it was made.
   */
  public record Inputs(TileFetcher log, NoteVerifier logKey, NoteVerifier bundleKey, String witnessVkeys,
      List<WitnessedBundle> witnessed, List<DeploymentEvidence> evidence, Optional<VendorRoot> vendorRoot,
      long generatedAtSeconds) {
    public Inputs {
      witnessed = List.copyOf(witnessed);
      evidence = List.copyOf(evidence);
      if (witnessed.size() + evidence.size() > Auditor.PUBLISHED_FILES_MAX) {
        throw new IllegalArgumentException("a site reads at most " + Auditor.PUBLISHED_FILES_MAX + " published files");
      }
    }
  }

  /** Everything the page shows. */
  record Site(Inputs inputs, LogCopy log, List<NamespaceAudit> audits, List<EpochView> epochs) {
    boolean auditsPassed() {
      return audits.stream().allMatch(a -> a.report().passed());
    }
  }

  /** The auditor's report over one namespace's bundles (an empty namespace: the log could not be split into any). */
  record NamespaceAudit(String namespace, AuditReport report) {}

  /** One logged bundle with what the page shows beside it. */
  record EpochView(long logIndex, ValidationBundle bundle, Optional<AuditReport.EpochSection> audit, List<HsmView> hsms,
      Optional<DeploymentEvidence> evidence, Optional<WitnessedBundle> witnessed, Verdict<VendorRoot> vendorRoot) {}

  /** An HSM of a bundle, and its vendor certificate chain when the evidence has one for it. */
  record HsmView(MemberKeys member, Optional<byte[]> deviceCertificate, Verdict<DeviceCertificate> chain) {}

  /**
   * Reads the log, audits each namespace in it, and gathers the page's contents.
   *
   * @throws IOException when the log's checkpoint cannot be fetched at all
   */
  static Site build(Inputs in) throws IOException {
    LogCopy log = LogCopy.read(in.log());
    List<EpochView> epochs = new ArrayList<>();
    Set<String> namespaces = new LinkedHashSet<>();
    List<ValidationBundle> bundles = new ArrayList<>();
    List<Long> indexes = new ArrayList<>();
    for (LogCopy.Entry entry : log.entries()) {
      try {
        ValidationBundle bundle = ValidationBundle.parse(entry.bytes());
        bundles.add(bundle);
        indexes.add(entry.index());
        namespaces.add(bundle.namespace());
      } catch (BundleFormatException notABundle) {
        // The audit notes it; the page's log table still lists and proves the entry.
      }
    }
    List<NamespaceAudit> audits = new ArrayList<>();
    if (namespaces.isEmpty()) {
      audits.add(audit(in, Optional.empty()));
    }
    for (String namespace : namespaces) {
      audits.add(audit(in, Optional.of(namespace)));
    }
    for (int i = 0; i < bundles.size(); i++) {
      ValidationBundle bundle = bundles.get(i);
      long index = indexes.get(i);
      Optional<AuditReport.EpochSection> section = audits.stream()
          .filter(a -> a.namespace().equals(bundle.namespace()))
          .flatMap(a -> a.report().epochs().stream())
          .filter(e -> e.logIndex() == index)
          .findFirst();
      Optional<DeploymentEvidence> evidence = in.evidence().stream()
          .filter(e -> e.digest().equals(bundle.evidenceDigest())).findFirst();
      // By the index its receipt names, not by its bytes: the page then checks the witness's
      // signature against the entry as the log serves it, and a changed entry fails there.
      Optional<WitnessedBundle> witnessed = in.witnessed().stream()
          .filter(w -> w.proof().index() == index).findFirst();
      Verdict<VendorRoot> root = vendorRoot(in, evidence);
      epochs.add(new EpochView(index, bundle, section, hsms(bundle, evidence, root), evidence, witnessed, root));
    }
    return new Site(in, log, audits, epochs);
  }

  /**
   * Builds the site and writes it into {@code out} (absent, empty, or an earlier site);
   * returns the page to open.
   *
   * @throws IllegalArgumentException when {@code out} is something else
   * @throws IOException when the log cannot be fetched or the folder cannot be written;
   *     nothing half-written is left
   */
  public static Written write(Inputs in, Path out) throws IOException {
    Site site = build(in);
    Path page = SiteFolder.write(out, SitePage.render(site));
    Optional<String> failure = site.audits().stream()
        .flatMap(a -> a.report().firstFailure().map(f -> (a.namespace().isEmpty() ? "" : a.namespace() + ": ") + f).stream())
        .findFirst();
    return new Written(page, failure, site.epochs().size(), site.log().entries().size());
  }

  /**
   * Refuses {@code out} before any work when it is neither absent, nor empty, nor a site
   * written before: what {@link #write} would refuse at the end.
   */
  public static void checkOutput(Path out) throws IOException {
    SiteFolder.checkReplaceable(out.toAbsolutePath().normalize());
  }

  /** Where the page is, the first failed audit step if any, and how many epochs and entries it shows. */
  public record Written(Path page, Optional<String> auditFailure, int epochs, int entries) {}

  private static NamespaceAudit audit(Inputs in, Optional<String> namespace) {
    Auditor.Inputs inputs = new Auditor.Inputs(in.log(), CheckpointPolicy.logOnly(in.logKey().keyName(), in.logKey()),
        in.bundleKey(), namespace, in.witnessed(), in.evidence(), Optional.empty(), in.vendorRoot(), Optional.empty(),
        Optional.empty());
    AuditReport report;
    try {
      report = Auditor.audit(inputs).report();
    } catch (IOException e) {
      report = new AuditReport(in.logKey().keyName());
      report.logStep("read log", false, "the log cannot be fetched: " + e.getMessage());
    }
    return new NamespaceAudit(namespace.orElse(""), report);
  }

  /**
   * The vendor root an epoch's device certificates are checked against: the pinned one, or
   * the one its evidence names (the page says which).
   */
  private static Verdict<VendorRoot> vendorRoot(Inputs in, Optional<DeploymentEvidence> evidence) {
    if (in.vendorRoot().isPresent()) {
      return Verdict.verified(in.vendorRoot().get());
    }
    return evidence.map(e -> VendorRoot.parse(e.vendorRootDer()))
        .orElseGet(() -> Verdict.rejected("no published evidence names this fleet"));
  }

  /**
   * Each member's device certificate from the evidence, checked against {@code root} at the
   * ceremony's time (the time the evidence speaks for): the chain the page draws.
   */
  private static List<HsmView> hsms(ValidationBundle bundle, Optional<DeploymentEvidence> evidence,
      Verdict<VendorRoot> root) {
    List<HsmView> out = new ArrayList<>();
    for (MemberKeys member : bundle.members()) {
      if (evidence.isEmpty()) {
        out.add(new HsmView(member, Optional.empty(), Verdict.rejected("no published evidence names this fleet")));
        continue;
      }
      Optional<DeploymentEvidence.HsmEvidence> hsm = evidence.get().hsms().stream()
          .filter(h -> h.statement().hsmId().equals(member.hsmId())).findFirst();
      if (hsm.isEmpty()) {
        out.add(new HsmView(member, Optional.empty(), Verdict.rejected("the evidence has no statement of this HSM")));
        continue;
      }
      byte[] der = hsm.get().deviceCertificateDer();
      long at = evidence.get().ceremonyTimeSeconds();
      out.add(new HsmView(member, Optional.of(der), root.then(r -> r.verifyDevice(der, member.identityKey(), at))));
    }
    return out;
  }

  /** SHA-256 in hex, the fingerprint the page prints for keys and certificates. */
  static String fingerprint(byte[] bytes) {
    return Sha256Digest.of(bytes).toHex();
  }
}
