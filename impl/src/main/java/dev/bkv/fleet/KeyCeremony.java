package dev.bkv.fleet;

import dev.bkv.base.Check;
import dev.bkv.base.Hex;
import dev.bkv.crypto.EcdhP256;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.hsm.Hsm;
import dev.bkv.hsm.HsmAttestation;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.HsmId;
import dev.bkv.hsm.TransportOffer;
import dev.bkv.hsm.WrappedFleetSecrets;
import dev.bkv.storage.NvramImage;
import dev.bkv.tlog.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key ceremony that turns N fresh HSMs into one fleet (spec/FORMATS.md, "Deployment
 * evidence"). In order, each step recorded in the transcript:
 *
 * <ol>
 *   <li>the plan: placement keeps a quorum after the loss of any one datacenter (G2);
 *   <li>every HSM is genuine (its device certificate chains to the vendor root) and fresh
 *       (its NVRAM shows no vault), checked for all before any secret moves;
 *   <li>every HSM attests its identity and OPAQUE keys;
 *   <li>the transport context is fixed: SHA-256 of the transcript so far;
 *   <li>the HSM with the lowest id is the source: the OPAQUE setup it generated inside
 *       becomes the fleet's. Each other HSM offers a one-time transport key for the
 *       context, the source encrypts the setup to it, the HSM imports it;
 *   <li>every HSM now answers OPAQUE with the source's server key.
 * </ol>
 *
 * The secrets exist in the clear only inside HSMs; this code, on the untrusted host, only
 * carries signed and encrypted messages between them. Any failed check stops the ceremony.
 */
public final class KeyCeremony {
  private KeyCeremony() {}

  /** One HSM brought to the ceremony, where it is placed, and the certificate its vendor shipped with it. */
  public record Participant(Hsm hsm, String datacenter, byte[] deviceCertificate) {
    public Participant {
      deviceCertificate = deviceCertificate.clone();
    }

    @Override
    public byte[] deviceCertificate() {
      return deviceCertificate.clone();
    }
  }

  /** The fleet to make: its names and the datacenters it spans. */
  public record Plan(String namespace, String fleetId, List<String> datacenters) {
    public Plan {
      datacenters = List.copyOf(datacenters);
    }
  }

  /** What the ceremony established, with its transcript so far (evidence adds the statements). */
  public record Result(FleetConfig config, List<MemberKeys> members, List<Participant> participants,
      Map<HsmId, Optional<EcdhP256.PublicKey>> transportKeys, Sha256Digest transportContext, Sha256Digest vaultJar,
      long ceremonyTimeSeconds, CeremonyTranscript transcript) {
    public Result {
      members = List.copyOf(members);
      participants = List.copyOf(participants);
      transportKeys = Map.copyOf(transportKeys);
    }

    public P256Group.Element opaqueServerKey() {
      return members.get(0).opaqueServerKey();
    }
  }

  /**
   * Runs the ceremony.
   *
   * @param vaultJar SHA-256 of the vault jar the HSMs will run, recorded and later signed
   * @throws CeremonyException naming the HSM or datacenter and the failed step; no secret
   *     has left an HSM when a plan or genuineness check fails
   */
  public static Result run(Plan plan, List<Participant> participants, DeviceTrust vendor, Sha256Digest vaultJar,
      long nowSeconds) throws CeremonyException {
    try {
      return runChecked(plan, participants, vendor, vaultJar, nowSeconds);
    } catch (HsmException e) {
      throw new CeremonyException("an HSM refused a ceremony step: " + e.getMessage(), e);
    }
  }

  private static Result runChecked(Plan plan, List<Participant> given, DeviceTrust vendor, Sha256Digest vaultJar,
      long nowSeconds) throws CeremonyException, HsmException {
    // Step 1: the plan. Placement is checked before any HSM is touched.
    if (given.isEmpty() || given.size() > FleetConfig.HSMS_MAX) {
      throw new CeremonyException("a fleet has 1 to " + FleetConfig.HSMS_MAX + " HSMs, not " + given.size());
    }
    if (Placement.check(given.stream().map(Participant::datacenter).toList()) instanceof Placement.Violation v) {
      throw new CeremonyException(v.reason());
    }
    // Step 2: every HSM genuine and fresh, all checked before any secret moves.
    List<Participant> participants = new ArrayList<>(given);
    participants.sort(Comparator.comparing(p -> id(p).toHex()));
    for (Participant p : participants) {
      HsmId id = p.hsm().id();
      Verdict<HsmId> genuine = vendor.checkDevice(p.deviceCertificate(), p.hsm().identityPublicKey(), nowSeconds);
      if (!genuine.isVerified()) {
        throw new CeremonyException("HSM " + id.toHex() + " in " + p.datacenter() + " is not a genuine HSM: "
            + genuine.reasonOrEmpty() + " (ceremony stopped before any secret left an HSM)");
      }
      for (int slot = 0; slot < NvramImage.SLOTS; slot++) {
        if (p.hsm().readNvram(slot).counter() != 0) {
          throw new CeremonyException("HSM " + id.toHex() + " in " + p.datacenter() + " has served a vault (NVRAM slot "
              + slot + "); a ceremony takes fresh HSMs only");
        }
      }
    }
    List<FleetMember> members = participants.stream().map(p -> new FleetMember(id(p), p.datacenter())).toList();
    Optional<String> problem = FleetConfig.problem(plan.namespace(), plan.fleetId(), plan.datacenters(), members);
    if (problem.isPresent()) {
      throw new CeremonyException(problem.get());
    }
    FleetConfig config = new FleetConfig(plan.namespace(), plan.fleetId(), plan.datacenters(), members);
    CeremonyTranscript transcript = CeremonyTranscript.begin();
    transcript.record(CeremonyTranscript.FLEET_CONFIG, config.digest().toHex());
    transcript.record(CeremonyTranscript.VENDOR_ROOT, vendor.rootFingerprint().toHex());
    transcript.record(CeremonyTranscript.VAULT_JAR, vaultJar.toHex());
    transcript.record(CeremonyTranscript.TIME, Long.toString(nowSeconds));
    for (Participant p : participants) {
      transcript.record(CeremonyTranscript.DEVICE, id(p).toHex(), p.datacenter(),
          Sha256Digest.of(p.deviceCertificate()).toHex(), "chain-verified");
    }
    // Step 3: every HSM attests its keys.
    Map<HsmId, HsmAttestation> attestations = new LinkedHashMap<>();
    for (Participant p : participants) {
      HsmAttestation attestation = verifiedAttestation(p);
      attestations.put(attestation.hsmId(), attestation);
      transcript.record(CeremonyTranscript.ATTESTED, attestation.hsmId().toHex(),
          Hex.encode(attestation.identityKey().encodeCompressed()), Hex.encode(attestation.opaqueServerKey().encode()));
    }
    // Step 4: the transport context binds every transfer to this ceremony.
    Sha256Digest context = transcript.contextDigest();
    transcript.record(CeremonyTranscript.TRANSPORT_CONTEXT, context.toHex());
    // Step 5: the source's OPAQUE setup goes to every other HSM, encrypted end to end.
    Participant source = participants.get(0);
    HsmAttestation sourceAttestation = attestations.get(id(source));
    P256Group.Element fleetKey = sourceAttestation.opaqueServerKey();
    transcript.record(CeremonyTranscript.SOURCE, id(source).toHex(), Hex.encode(fleetKey.encode()));
    Map<HsmId, Optional<EcdhP256.PublicKey>> transportKeys = new LinkedHashMap<>();
    transportKeys.put(id(source), Optional.empty());
    for (Participant recipient : participants.subList(1, participants.size())) {
      TransportOffer offer = verifiedOffer(recipient, context);
      transcript.record(CeremonyTranscript.OFFER, offer.hsmId().toHex(), Hex.encode(offer.transportKey().encodeCompressed()),
          Sha256Digest.of(offer.encode()).toHex());
      WrappedFleetSecrets wrapped = source.hsm().exportFleetSecrets(offer);
      transcript.record(CeremonyTranscript.EXPORT, id(source).toHex(), offer.hsmId().toHex(), wrapped.digest().toHex());
      recipient.hsm().importFleetSecrets(wrapped, sourceAttestation);
      P256Group.Element imported = verifiedAttestation(recipient).opaqueServerKey();
      if (!imported.equals(fleetKey)) {
        throw new CeremonyException("HSM " + offer.hsmId().toHex() + " answers OPAQUE with another key after the import");
      }
      transcript.record(CeremonyTranscript.IMPORT, offer.hsmId().toHex(), Hex.encode(imported.encode()));
      transportKeys.put(offer.hsmId(), Optional.of(offer.transportKey()));
    }
    // Step 6: every HSM of the fleet answers OPAQUE with one server key.
    List<MemberKeys> keys = new ArrayList<>();
    for (Participant p : participants) {
      HsmAttestation now = verifiedAttestation(p);
      Check.that(now.opaqueServerKey().equals(fleetKey), "every HSM of a fleet has the fleet's OPAQUE server key");
      keys.add(new MemberKeys(now.hsmId(), p.datacenter(), now.identityKey(), now.opaqueServerKey()));
    }
    return new Result(config, keys, participants, transportKeys, context, vaultJar, nowSeconds, transcript);
  }

  private static HsmId id(Participant p) {
    try {
      return p.hsm().id();
    } catch (HsmException e) {
      throw new IllegalStateException("HSM became unusable during the ceremony: " + e.getMessage(), e);
    }
  }

  private static HsmAttestation verifiedAttestation(Participant p) throws HsmException, CeremonyException {
    HsmAttestation.Verification verification = HsmAttestation.verify(p.hsm().attest().encode());
    if (!(verification instanceof HsmAttestation.Verified verified)) {
      throw new CeremonyException("HSM in " + p.datacenter() + " gave an attestation that does not verify: "
          + ((HsmAttestation.Rejected) verification).reason());
    }
    if (!verified.attestation().hsmId().equals(p.hsm().id())) {
      throw new CeremonyException("HSM " + p.hsm().id().toHex() + " attested as another HSM");
    }
    return verified.attestation();
  }

  private static TransportOffer verifiedOffer(Participant recipient, Sha256Digest context)
      throws HsmException, CeremonyException {
    HsmId id = recipient.hsm().id();
    EcdsaP256.PublicKey identity = recipient.hsm().identityPublicKey();
    Verdict<TransportOffer> verdict = TransportOffer.verify(recipient.hsm().offerTransportKey(context).encode());
    if (!verdict.isVerified()) {
      throw new CeremonyException("HSM " + id.toHex() + " gave a transport offer that does not verify: " + verdict.reasonOrEmpty());
    }
    TransportOffer offer = verdict.value();
    if (!offer.hsmId().equals(id) || !offer.identityKey().equals(identity) || !offer.context().equals(context)) {
      throw new CeremonyException("HSM " + id.toHex() + " gave a transport offer for another HSM or ceremony");
    }
    return offer;
  }
}
