package dev.bkv.audit;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.EvidenceBuilder;
import dev.bkv.evidence.FleetRun;
import dev.bkv.fleet.KeyCeremony;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.SignedNote;
import dev.bkv.witness.BundleReceipt;
import dev.bkv.witness.CrashPoints;
import dev.bkv.witness.Witness;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A witness, a vendor, an operator HSM and fleets made by real key ceremonies, with what the
 * operator publishes: each bundle logged by the witness, countersigned by the operator HSM,
 * and its deployment evidence. Tests log honest or tampered bundles and audit the result.
 */
public final class AuditWorld implements AutoCloseable {
  public static final long NOT_BEFORE = FleetRun.T0;
  public static final long NOT_AFTER = FleetRun.T0 + 90L * 24 * 60 * 60;

  public final Witness witness;
  public final FleetRun base = new FleetRun(3, 3);
  public final List<WitnessedBundle> witnessed = new ArrayList<>();
  public final List<DeploymentEvidence> evidence = new ArrayList<>();

  /** A fleet from a ceremony, with its evidence already published. */
  public record Fleet(KeyCeremony.Result ceremony, DeploymentEvidence evidence) {}

  public AuditWorld(Path dir) throws Exception {
    Witness.init(dir, "witness.example.com/w1", "witness.example.com/w1/bundles", new SecureRandom());
    witness = Witness.open(dir, () -> NOT_BEFORE, CrashPoints.NONE);
  }

  /** A new fleet of {@code hsms} fresh HSMs over 3 datacenters, by the same vendor and operator. */
  public Fleet fleet(String fleetId, int hsms) throws Exception {
    FleetRun run = new FleetRun(hsms, 3, base.vendor);
    KeyCeremony.Result result = KeyCeremony.run(new KeyCeremony.Plan(BundleFixtures.NAMESPACE, fleetId, run.plan.datacenters()),
        run.participants, base.vendor.root(), FleetRun.JAR, FleetRun.T0);
    DeploymentEvidence published = EvidenceBuilder.build(result, base.vendor.root(), base.operator, base.operatorCertificate);
    evidence.add(published);
    return new Fleet(result, published);
  }

  public static ValidationBundle bundle(Fleet keys, Fleet evidence, long epoch, Optional<Sha256Digest> previous) throws Exception {
    return ValidationBundle.of(BundleFixtures.NAMESPACE, keys.ceremony().config().fleetId(), epoch, NOT_BEFORE, NOT_AFTER,
        keys.ceremony().members(), evidence.evidence().digest(), previous);
  }

  /** Logs {@code bundle} with the witness, countersigns it with the operator HSM, and publishes it. */
  public WitnessedBundle publish(ValidationBundle bundle) throws Exception {
    BundleReceipt receipt = witness.log().append(bundle.toBytes());
    WitnessedBundle w = WitnessedBundle.of(bundle, receipt.bundleSignature(), receipt.proof(),
        OperatorCountersignature.sign(base.operator, receipt.bundleSignature()));
    witnessed.add(w);
    return w;
  }

  CheckpointPolicy policy() {
    return CheckpointPolicy.logOnly(witness.keys().origin(), witness.keys().log().verifier());
  }

  Auditor.Inputs inputs(Optional<ValidationBundle> pinned, Optional<Sha256Digest> jar, Optional<SignedNote> lastAudited) {
    return new Auditor.Inputs(new LogReaderTest.ServiceFetcher(witness.service()), policy(),
        witness.keys().bundle().verifier(), Optional.of(BundleFixtures.NAMESPACE), witnessed, evidence, pinned,
        Optional.of(base.vendor.root()), jar, lastAudited);
  }

  Auditor.Outcome audit() throws Exception {
    return Auditor.audit(inputs(Optional.empty(), Optional.of(FleetRun.JAR), Optional.empty()));
  }

  @Override
  public void close() throws Exception {
    witness.close();
  }
}
