package dev.bkv.evidence;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.KeyCeremony;
import dev.bkv.fleet.Placement;
import dev.bkv.hsm.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole fleet creation in memory for tests: a vendor, N fresh SoftHsms dealt round-robin
 * over D datacenters with their device certificates, an operator HSM, the key ceremony and
 * the evidence.
 */
public final class FleetRun {
  public static final long T0 = 1767225600L;
  public static final Sha256Digest JAR = Sha256Digest.of("vault jar".getBytes(StandardCharsets.US_ASCII));
  public static final SecureRandom RANDOM = new SecureRandom();

  public final HsmVendor vendor;
  public final List<KeyCeremony.Participant> participants;
  public final SoftHsm operator;
  public final byte[] operatorCertificate;
  public final KeyCeremony.Plan plan;

  public FleetRun(int hsms, int datacenters) {
    this(hsms, datacenters, HsmVendor.create(BundleFixtures.ecdsaKey("vendor root"), T0 - 60));
  }

  public FleetRun(int hsms, int datacenters, HsmVendor vendor) {
    this.vendor = vendor;
    List<String> dcs = new ArrayList<>();
    for (int d = 1; d <= datacenters; d++) {
      dcs.add("dc-" + d);
    }
    this.plan = new KeyCeremony.Plan(BundleFixtures.NAMESPACE, "fleet-1", dcs);
    List<String> placed = Placement.roundRobin(hsms, dcs);
    participants = new ArrayList<>();
    for (int i = 0; i < hsms; i++) {
      participants.add(manufacture(vendor, placed.get(i)));
    }
    operator = SoftHsm.inMemory(RANDOM);
    operatorCertificate = vendor.issueDeviceCertificate(identity(operator), T0 - 60);
  }

  public static KeyCeremony.Participant manufacture(HsmVendor vendor, String datacenter) {
    SoftHsm hsm = SoftHsm.inMemory(RANDOM);
    return new KeyCeremony.Participant(hsm, datacenter, vendor.issueDeviceCertificate(identity(hsm), T0 - 60));
  }

  private static dev.bkv.crypto.EcdsaP256.PublicKey identity(SoftHsm hsm) {
    try {
      return hsm.identityPublicKey();
    } catch (dev.bkv.hsm.HsmException e) {
      throw new AssertionError(e);
    }
  }

  public KeyCeremony.Result ceremony() throws Exception {
    return KeyCeremony.run(plan, participants, vendor.root(), JAR, T0);
  }

  public DeploymentEvidence evidence() throws Exception {
    return EvidenceBuilder.build(ceremony(), vendor.root(), operator, operatorCertificate);
  }
}
