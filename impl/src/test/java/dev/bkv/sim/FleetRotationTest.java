package dev.bkv.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.MigrationTrust;
import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultStatus;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.firmware.MigrationExport;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.tlog.VerifierSet;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Phase;
import dev.bkv.vault.UserId;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * G8 end to end on two in-process fleets: a record exported by the old fleet is recovered on
 * the new one with the same key and the guesses it had used, and no export, replay, tampering
 * or untrusted target lets a counter reset or a record live on two fleets.
 */
class FleetRotationTest {
  static final Ksf FAST_KSF = Ksf.argon2id(64, 1, 1);
  static final List<String> DATACENTERS = List.of("dc-1", "dc-2", "dc-3");
  static final int LEADER_TICKS_MAX = 2_000;
  static final Password PASSWORD = Password.utf8("correct horse");

  final SecureRandom random = new SecureRandom();
  LocalFleet oldFleet;
  LocalFleet newFleet;
  BundleFixtures.Log log;
  WitnessedBundle oldBundle;
  WitnessedBundle newBundle;
  UserId alice;
  BackupKey key;

  @BeforeEach
  void twoFleetsAndAliceWithThreeWrongGuesses() throws Exception {
    oldFleet = LocalFleet.create(3, DATACENTERS, 1, random);
    newFleet = LocalFleet.create(3, DATACENTERS, 2, random);
    assertTrue(oldFleet.runUntilLeader(LEADER_TICKS_MAX).isPresent() && newFleet.runUntilLeader(LEADER_TICKS_MAX).isPresent());
    log = new BundleFixtures.Log();
    ValidationBundle first = bundle("old-fleet", 1, oldFleet.opaqueServerKey(), Optional.empty());
    oldBundle = BundleFixtures.witness(log, first);
    newBundle = BundleFixtures.witness(log, bundle("new-fleet", 2, newFleet.opaqueServerKey(), Optional.of(first.digest())));
    oldFleet.trustForMigration(new MigrationTrust(anchors()));

    alice = UserId.ofUtf8("alice");
    key = new BackupKey(random.generateSeed(32));
    VaultClient onOld = client(oldFleet);
    onOld.register(alice, PASSWORD, key, 10);
    for (int i = 0; i < 3; i++) {
      assertInstanceOf(RecoveryResult.NotRecovered.class, onOld.recover(alice, Password.utf8("wrong " + i)));
    }
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 7, 10), onOld.status(alice));
  }

  static ValidationBundle bundle(String fleet, long epoch, P256Group.Element opaque, Optional<Sha256Digest> previous)
      throws Exception {
    List<MemberKeys> members = new ArrayList<>();
    for (MemberKeys m : BundleFixtures.members(fleet, 3, 3)) {
      members.add(new MemberKeys(m.hsmId(), m.datacenter(), m.identityKey(), opaque));
    }
    return ValidationBundle.of(BundleFixtures.NAMESPACE, fleet, epoch, BundleFixtures.NOT_BEFORE,
        BundleFixtures.NOT_AFTER, members, BundleFixtures.evidenceDigest(fleet), previous);
  }

  static TrustAnchors anchors() {
    return new TrustAnchors(BundleFixtures.NAMESPACE, BundleFixtures.bundleKey().verifier(),
        BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN, BundleFixtures.logKey().verifier(),
        VerifierSet.of(), 0);
  }

  /**
   * A phone that trusts {@code fleet}'s bundle, unchanged by the rotation: a recovery takes the
   * server key from the user's envelope (bound to the old fleet's key), so the new fleet must
   * answer under the old fleet's setup for it to succeed.
   */
  VaultClient client(LocalFleet fleet) throws Exception {
    return new VaultClient(fleet.transport(), fleet.opaqueServerKey(), FAST_KSF, random);
  }

  static FirmwareResponse send(LocalFleet fleet, FirmwareRequest request) throws Exception {
    return FirmwareCodec.decodeResponse(fleet.transport().exchange(FirmwareCodec.encode(request)));
  }

  byte[] migrate(WitnessedBundle target) throws Exception {
    FirmwareResponse response = send(oldFleet, new FirmwareRequest.MigrateOut(alice, target.toBytes(), oldBundle.toBytes()));
    return assertInstanceOf(FirmwareResponse.Migrated.class, response, response.toString()).export();
  }

  static void assertRefused(FirmwareResponse.Reason reason, FirmwareResponse response) {
    FirmwareResponse.Refused refused = assertInstanceOf(FirmwareResponse.Refused.class, response);
    assertEquals(reason, refused.reason(), refused.detail());
    assertFalse(refused.detail().isEmpty());
  }

  @Test
  void g8_aMigratedRecordIsRecoveredOnTheNewFleetWithItsGuessesCarried() throws Exception {
    byte[] export = migrate(newBundle);
    assertEquals(new VaultStatus.Registered(Phase.MIGRATED, 7, 10), client(oldFleet).status(alice));

    FirmwareResponse imported = send(newFleet, new FirmwareRequest.MigrateIn(export));
    FirmwareResponse.Imported in = assertInstanceOf(FirmwareResponse.Imported.class, imported, imported.toString());
    assertEquals(alice, in.userId());
    assertEquals(3, in.guessesUsed());

    VaultClient onNew = client(newFleet);
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 7, 10), onNew.status(alice), "max-3 before the recovery");
    RecoveryResult.Recovered recovered = assertInstanceOf(RecoveryResult.Recovered.class, onNew.recover(alice, PASSWORD));
    assertArrayEquals(key.toBytes(), recovered.backupKey().toBytes());
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 10, 10), onNew.status(alice));
  }

  @Test
  void g8_aMigratedRecordAnswersLoginsUnderTheEmptyContextWithTheSourceFleetsKey() throws Exception {
    // Goal: an imported registration's logins bind the context profile they name, as native ones do.
    FirmwareResponse imported = send(newFleet, new FirmwareRequest.MigrateIn(migrate(newBundle)));
    assertInstanceOf(FirmwareResponse.Imported.class, imported, imported.toString());
    VaultClient empty = client(newFleet).withOpaqueContext(dev.bkv.hsm.OpaqueContext.EMPTY);
    assertInstanceOf(RecoveryResult.NotRecovered.class, empty.recover(alice, Password.utf8("wrong under empty")));
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 6, 10), empty.status(alice), "counted like any guess");
    RecoveryResult.Recovered recovered = assertInstanceOf(RecoveryResult.Recovered.class, empty.recover(alice, PASSWORD));
    assertArrayEquals(key.toBytes(), recovered.backupKey().toBytes());
  }

  @Test
  void g8_aReplayedImportIsRefusedAndLeavesTheCountAsGuessedSince() throws Exception {
    byte[] export = migrate(newBundle);
    assertInstanceOf(FirmwareResponse.Imported.class, send(newFleet, new FirmwareRequest.MigrateIn(export)));
    VaultClient onNew = client(newFleet);
    assertInstanceOf(RecoveryResult.NotRecovered.class, onNew.recover(alice, Password.utf8("wrong again")));
    assertRefused(FirmwareResponse.Reason.IMPORT_REFUSED, send(newFleet, new FirmwareRequest.MigrateIn(export)));
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 6, 10), onNew.status(alice));
  }

  @Test
  void g8_aRepeatedExportIsTheSameFrozenRecordAndItsImportIsRefusedOnceOneWasImported() throws Exception {
    byte[] first = migrate(newBundle);
    byte[] second = migrate(newBundle);
    assertEquals(MigrationExport.header(first), MigrationExport.header(second));
    assertInstanceOf(FirmwareResponse.Imported.class, send(newFleet, new FirmwareRequest.MigrateIn(second)));
    assertRefused(FirmwareResponse.Reason.IMPORT_REFUSED, send(newFleet, new FirmwareRequest.MigrateIn(first)));
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 7, 10), client(newFleet).status(alice));
  }

  @Test
  void g8_aTamperedExportIsRefused() throws Exception {
    byte[] export = migrate(newBundle);
    for (int at : new int[] {5, 40, export.length - 1}) { // source digest, target digest, ciphertext tag
      byte[] tampered = export.clone();
      tampered[at] ^= 1;
      assertRefused(FirmwareResponse.Reason.EXPORT_REJECTED, send(newFleet, new FirmwareRequest.MigrateIn(tampered)));
    }
    assertEquals(new VaultStatus.NoRecord(), client(newFleet).status(alice));
    assertInstanceOf(FirmwareResponse.Imported.class, send(newFleet, new FirmwareRequest.MigrateIn(export)));
  }

  @Test
  void g8_anExportOpensOnlyOnTheFleetItWasSealedTo() throws Exception {
    byte[] export = migrate(newBundle);
    assertRefused(FirmwareResponse.Reason.EXPORT_REJECTED, send(oldFleet, new FirmwareRequest.MigrateIn(export)));
  }

  @Test
  void g8_aForgedOrUnloggedOrUnchainedNewBundleIsRefusedAndTheRecordStaysExposed() throws Exception {
    ValidationBundle mallory = bundle("new-fleet", 2, BundleFixtures.opaqueKey("mallory"),
        Optional.of(oldBundle.bundle().digest()));
    byte[] bytes = mallory.toBytes();
    var witnessSignature = log.witnessSignature(bytes);
    EcdsaP256.Signature wrongOperator = BundleFixtures.ecdsaKey("mallory")
        .sign(OperatorCountersignature.message(witnessSignature));
    long index = log.append(bytes);
    WitnessedBundle forged = WitnessedBundle.of(mallory, witnessSignature, log.proof(index, log.tree.size(), List.of()),
        wrongOperator);
    // Witnessed and countersigned, but its proof is of another log entry: not in the log.
    WitnessedBundle unlogged = WitnessedBundle.of(mallory, witnessSignature, newBundle.proof(),
        BundleFixtures.operatorKey().sign(OperatorCountersignature.message(witnessSignature)));
    WitnessedBundle unchained = BundleFixtures.witness(log,
        bundle("new-fleet", 2, newFleet.opaqueServerKey(), Optional.of(Sha256Digest.of(new byte[] {9}))));
    assertRefusedTarget("countersignature", forged, oldBundle);
    assertRefusedTarget("inclusion", unlogged, oldBundle);
    assertRefusedTarget("previous one", unchained, oldBundle);
    assertRefusedTarget("not this HSM's", newBundle, newBundle);
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 7, 10), client(oldFleet).status(alice));
  }

  void assertRefusedTarget(String why, WitnessedBundle target, WitnessedBundle own) throws Exception {
    FirmwareResponse response = send(oldFleet, new FirmwareRequest.MigrateOut(alice, target.toBytes(), own.toBytes()));
    assertRefused(FirmwareResponse.Reason.TARGET_NOT_TRUSTED, response);
    String detail = ((FirmwareResponse.Refused) response).detail();
    assertTrue(detail.contains(why), detail);
  }

  @Test
  void g8_aFleetWithoutMigrationAnchorsExportsNothing() throws Exception {
    VaultClient onNew = client(newFleet);
    UserId bob = UserId.ofUtf8("bob");
    onNew.register(bob, PASSWORD, key, 5);
    assertRefused(FirmwareResponse.Reason.MIGRATION_NOT_CONFIGURED,
        send(newFleet, new FirmwareRequest.MigrateOut(bob, newBundle.toBytes(), oldBundle.toBytes())));
  }

  @Test
  void g8_afterTheExportTheOldFleetAnswersNoLoginAndCountsNothing() throws Exception {
    migrate(newBundle);
    VaultClient onOld = client(oldFleet);
    assertInstanceOf(RecoveryResult.NotRecovered.class, onOld.recover(alice, PASSWORD));
    assertEquals(new VaultStatus.Registered(Phase.MIGRATED, 7, 10), onOld.status(alice));
  }

  @Test
  void g8_aNewRegistrationOnTheNewFleetReplacesTheImportedOneUnderTheNewFleetsKey() throws Exception {
    send(newFleet, new FirmwareRequest.MigrateIn(migrate(newBundle)));
    VaultClient fresh = client(newFleet);
    BackupKey next = new BackupKey(random.generateSeed(32));
    fresh.register(alice, Password.utf8("new password"), next, 10);
    RecoveryResult.Recovered recovered = assertInstanceOf(RecoveryResult.Recovered.class,
        fresh.recover(alice, Password.utf8("new password")));
    assertArrayEquals(next.toBytes(), recovered.backupKey().toBytes());
  }

  @Test
  void anOperatorWalksEveryUserIdInPages() throws Exception {
    VaultClient onOld = client(oldFleet);
    List<UserId> registered = new ArrayList<>(List.of(alice));
    for (String name : List.of("bob", "carol")) {
      UserId u = UserId.ofUtf8(name);
      onOld.register(u, PASSWORD, key, 3);
      registered.add(u);
    }
    registered.sort(null);
    List<UserId> walked = new ArrayList<>();
    Optional<UserId> after = Optional.empty();
    boolean more = true;
    while (more) {
      FirmwareResponse.Users page = assertInstanceOf(FirmwareResponse.Users.class,
          send(oldFleet, new FirmwareRequest.ListUsers(after, 2)));
      walked.addAll(page.userIds());
      more = page.more();
      after = page.userIds().isEmpty() ? after : Optional.of(page.userIds().get(page.userIds().size() - 1));
    }
    assertEquals(registered, walked);
  }

  @Test
  void theCodecsBundleLimitHoldsAWholeWitnessedBundle() {
    assertTrue(FirmwareCodec.MIGRATION_BUNDLE_BYTES_MAX >= WitnessedBundle.WITNESSED_BYTES_MAX);
    assertTrue(FirmwareCodec.MIGRATION_EXPORT_BYTES_MAX >= MigrationExport.EXPORT_BYTES_MAX);
  }
}
