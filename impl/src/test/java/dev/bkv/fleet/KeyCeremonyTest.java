package dev.bkv.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.opaque.ClientLoginResult;
import dev.bkv.crypto.opaque.ClientLoginStart;
import dev.bkv.crypto.opaque.ClientRegistrationStart;
import dev.bkv.crypto.opaque.CredentialIdentifier;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.OpaqueConfig;
import dev.bkv.crypto.opaque.OpaqueServer;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.evidence.FleetRun;
import dev.bkv.evidence.HsmVendor;
import dev.bkv.hsm.Hsm;
import dev.bkv.hsm.HsmException;
import dev.bkv.storage.NvramImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key ceremony: N genuine, fresh HSMs become one fleet whose every HSM answers OPAQUE
 * with the same server key; a plan that breaks G2, or an HSM that is not genuine or not
 * fresh, stops it before any secret leaves an HSM.
 */
class KeyCeremonyTest {
  private static List<P256Group.Element> opaqueKeys(List<KeyCeremony.Participant> participants) throws HsmException {
    List<P256Group.Element> keys = new ArrayList<>();
    for (KeyCeremony.Participant p : participants) {
      keys.add(p.hsm().opaqueServerSetup().serverPublicKey());
    }
    return keys;
  }

  @Test
  void every_hsm_of_a_fleet_answers_opaque_with_the_same_server_key() throws Exception {
    FleetRun run = new FleetRun(5, 3);
    KeyCeremony.Result result = run.ceremony();
    assertEquals(5, result.members().size());
    assertEquals(3, result.config().quorum());
    for (KeyCeremony.Participant p : run.participants) {
      assertEquals(result.opaqueServerKey(), p.hsm().opaqueServerSetup().serverPublicKey());
    }
    assertEquals(result.members().get(0).hsmId().toHex(), result.transcript().lines().stream()
        .filter(l -> l.startsWith("source ")).findFirst().orElseThrow().split(" ")[1], "the lowest id is the source");
    // A user registered through one HSM logs in through every other: same OPRF seed, same AKE key.
    OpaqueConfig config = OpaqueConfig.builder().ksf(Ksf.identity()).build();
    OpaqueClient client = new OpaqueClient(config);
    CredentialIdentifier user = CredentialIdentifier.utf8("alice");
    Password password = Password.utf8("correct horse");
    ClientRegistrationStart start = client.startRegistration(password, FleetRun.RANDOM);
    OpaqueServer first = new OpaqueServer(config, run.participants.get(0).hsm().opaqueServerSetup());
    RegistrationRecord record = client.finalizeRegistration(start.state(),
        first.createRegistrationResponse(start.request(), user)).record();
    for (KeyCeremony.Participant p : run.participants) {
      OpaqueServer server = new OpaqueServer(config, p.hsm().opaqueServerSetup());
      ClientLoginStart login = client.startLogin(password, FleetRun.RANDOM);
      ClientLoginResult result2 = client.finishLogin(login.state(),
          server.startLogin(record, user, login.ke1(), FleetRun.RANDOM).ke2());
      assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class, result2, "login through " + p.hsm());
    }
  }

  @Test
  void a_placement_that_loses_a_quorum_with_one_datacenter_is_refused_naming_it() throws Exception {
    FleetRun run = new FleetRun(4, 2);
    List<P256Group.Element> before = opaqueKeys(run.participants);
    CeremonyException e = assertThrows(CeremonyException.class, run::ceremony);
    assertTrue(e.getMessage().contains("dc-1") && e.getMessage().contains("G2"), e.getMessage());
    assertEquals(before, opaqueKeys(run.participants), "no HSM changed");
  }

  @Test
  void an_hsm_whose_chain_does_not_verify_never_receives_the_secret() throws Exception {
    FleetRun run = new FleetRun(3, 3);
    HsmVendor rogue = HsmVendor.create(BundleFixtures.ecdsaKey("rogue vendor"), FleetRun.T0 - 60);
    KeyCeremony.Participant impostor = FleetRun.manufacture(rogue, "dc-3");
    List<KeyCeremony.Participant> participants = new ArrayList<>(run.participants.subList(0, 2));
    CountingHsm counting = new CountingHsm(impostor.hsm());
    participants.add(new KeyCeremony.Participant(counting, "dc-3", impostor.deviceCertificate()));
    List<P256Group.Element> before = opaqueKeys(participants);
    CeremonyException e = assertThrows(CeremonyException.class,
        () -> KeyCeremony.run(run.plan, participants, run.vendor.root(), FleetRun.JAR, FleetRun.T0));
    assertTrue(e.getMessage().contains("not a genuine HSM") && e.getMessage().contains(impostor.hsm().id().toHex()),
        e.getMessage());
    assertEquals(before, opaqueKeys(participants), "no HSM received or changed secrets");
    assertEquals(0, counting.offers + counting.imports, "the impostor was never asked to receive anything");
    // A genuine certificate of another HSM does not make the impostor genuine either.
    participants.set(2, new KeyCeremony.Participant(counting, "dc-3", run.participants.get(2).deviceCertificate()));
    assertTrue(assertThrows(CeremonyException.class,
        () -> KeyCeremony.run(run.plan, participants, run.vendor.root(), FleetRun.JAR, FleetRun.T0)).getMessage()
        .contains("another key"));
    assertEquals(0, counting.offers + counting.imports);
  }

  @Test
  void an_hsm_that_has_served_a_vault_is_refused() throws Exception {
    FleetRun run = new FleetRun(3, 3);
    run.participants.get(1).hsm().writeNvram(0, new NvramImage.Cell(1, new byte[] {1}));
    assertTrue(assertThrows(CeremonyException.class, run::ceremony).getMessage().contains("served a vault"));
  }

  @Test
  void the_plan_must_name_every_datacenter_used_and_no_empty_one() throws Exception {
    FleetRun run = new FleetRun(3, 3);
    KeyCeremony.Plan missing = new KeyCeremony.Plan(run.plan.namespace(), "fleet-1", List.of("dc-1", "dc-2"));
    assertTrue(assertThrows(CeremonyException.class,
        () -> KeyCeremony.run(missing, run.participants, run.vendor.root(), FleetRun.JAR, FleetRun.T0)).getMessage()
        .contains("undeclared datacenter dc-3"));
    KeyCeremony.Plan badName = new KeyCeremony.Plan(run.plan.namespace(), "fleet 1", run.plan.datacenters());
    assertTrue(assertThrows(CeremonyException.class,
        () -> KeyCeremony.run(badName, run.participants, run.vendor.root(), FleetRun.JAR, FleetRun.T0)).getMessage()
        .contains("fleet id"));
    assertNotEquals(run.participants.get(0).hsm().opaqueServerSetup().serverPublicKey(),
        run.participants.get(1).hsm().opaqueServerSetup().serverPublicKey(), "still untouched");
  }

  /** Counts the transport calls an HSM receives. */
  private static final class CountingHsm implements Hsm {
    private final Hsm inner;
    int offers;
    int imports;

    CountingHsm(Hsm inner) {
      this.inner = inner;
    }

    @Override public dev.bkv.hsm.HsmId id() throws HsmException { return inner.id(); }
    @Override public dev.bkv.crypto.EcdsaP256.PublicKey identityPublicKey() throws HsmException { return inner.identityPublicKey(); }
    @Override public dev.bkv.crypto.EcdsaP256.Signature signWithIdentity(byte[] m) throws HsmException { return inner.signWithIdentity(m); }
    @Override public byte[] seal(byte[] a, byte[] p) throws HsmException { return inner.seal(a, p); }
    @Override public byte[] unseal(byte[] a, byte[] s) throws HsmException { return inner.unseal(a, s); }
    @Override public NvramImage.Cell readNvram(int slot) throws HsmException { return inner.readNvram(slot); }
    @Override public void writeNvram(int slot, NvramImage.Cell cell) throws HsmException { inner.writeNvram(slot, cell); }
    @Override public dev.bkv.crypto.opaque.ServerSetup opaqueServerSetup() throws HsmException { return inner.opaqueServerSetup(); }
    @Override public java.security.SecureRandom random() { return inner.random(); }
    @Override public void tamper() { inner.tamper(); }
    @Override public boolean isZeroized() { return inner.isZeroized(); }

    @Override
    public dev.bkv.hsm.TransportOffer offerTransportKey(dev.bkv.crypto.Sha256Digest context) throws HsmException {
      offers++;
      return inner.offerTransportKey(context);
    }

    @Override
    public dev.bkv.hsm.WrappedFleetSecrets exportFleetSecrets(dev.bkv.hsm.TransportOffer recipient) throws HsmException {
      return inner.exportFleetSecrets(recipient);
    }

    @Override
    public void importFleetSecrets(dev.bkv.hsm.WrappedFleetSecrets wrapped, dev.bkv.hsm.HsmAttestation sender)
        throws HsmException {
      imports++;
      inner.importFleetSecrets(wrapped, sender);
    }
  }
}
