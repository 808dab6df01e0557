package dev.bkv.hsm;

import static dev.bkv.hsm.Phone.key;
import static dev.bkv.hsm.Phone.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.ClientLoginResult;
import dev.bkv.crypto.opaque.ClientLoginStart;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.storage.StorageException;
import dev.bkv.storage.VaultStorage;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The firmware's request handling: count before reveal, typed refusals, replays, fake answers, eviction. */
class VaultFirmwareTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final UserId ALICE = user("alice");

  FaultyHsm hsm;
  MemoryVaultStorage storage;
  VaultFirmware firmware;
  Phone phone;

  @BeforeEach
  void boot() throws BootException {
    hsm = new FaultyHsm(RANDOM);
    storage = new MemoryVaultStorage();
    firmware = VaultFirmware.boot(hsm, storage);
    phone = new Phone(firmware, RANDOM);
  }

  FirmwareResponse.Refused refused(byte[] request) throws DecodeException {
    return assertInstanceOf(FirmwareResponse.Refused.class, FirmwareCodec.decodeResponse(firmware.handle(request)));
  }

  @Test
  void the_guess_is_durable_before_ke2_is_released() throws Exception {
    phone.register(ALICE, "pw", key(1), 5);
    long before = firmware.version();
    phone.start(ALICE, "wrong", LoginPurpose.RECOVER);
    assertEquals(before + 1, firmware.version());
    assertEquals(before + 1, storage.load().lastVersion(), "the CountGuess entry is on the host's disk");
    assertEquals(before + 1, hsm.inner.readNvram(VaultJournal.NVRAM_SLOT).counter(), "and acknowledged in NVRAM");
  }

  @Test
  void no_ke2_leaves_when_the_count_cannot_be_made_durable() throws Exception {
    // Negative test of count-before-reveal: the NVRAM advance fails, so KE2 must not exist.
    phone.register(ALICE, "pw", key(1), 5);
    hsm.failNvramWrites = 1;
    ClientLoginStart start = phone.opaque.startLogin(Password.utf8("pw"), RANDOM);
    FirmwareResponse response = phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, start.ke1()));
    assertEquals(FirmwareResponse.Reason.HALTED, assertInstanceOf(FirmwareResponse.Refused.class, response).reason());
    // Halted: even reads are refused until the host restarts the firmware.
    assertInstanceOf(FirmwareResponse.Refused.class, phone.send(new FirmwareRequest.Status(ALICE)));
    assertTrue(firmware.haltReason().orElseThrow().contains("NVRAM"));
  }

  @Test
  void a_storage_failure_halts_without_answering() throws Exception {
    VaultStorage failing = new VaultStorage() {
      @Override
      public Contents load() {
        return storage.load();
      }

      @Override
      public void append(long version, byte[] sealed) throws StorageException {
        throw new StorageException(StorageException.Kind.IO, "injected: disk full");
      }

      @Override
      public void truncateAfter(long version) {}

      @Override
      public void writeSnapshot(long version, byte[] sealed) {}
    };
    phone = new Phone(VaultFirmware.boot(hsm, failing), RANDOM);
    var registration = phone.opaque.startRegistration(Password.utf8("pw"), RANDOM);
    FirmwareResponse.RegisterStarted started = assertInstanceOf(FirmwareResponse.RegisterStarted.class,
        phone.send(new FirmwareRequest.RegisterStart(ALICE, registration.request())));
    var record = phone.opaque.finalizeRegistration(registration.state(), started.response()).record();
    FirmwareResponse response = phone.send(new FirmwareRequest.RegisterFinish(ALICE, started.registrationId(), record, 5));
    assertEquals(FirmwareResponse.Reason.HALTED, assertInstanceOf(FirmwareResponse.Refused.class, response).reason());
    assertTrue(assertInstanceOf(FirmwareResponse.Refused.class, phone.send(new FirmwareRequest.Status(ALICE)))
        .detail().contains("disk full"));
  }

  @Test
  void every_truncation_of_every_request_kind_is_a_typed_refusal() throws Exception {
    ClientLoginStart login = phone.opaque.startLogin(Password.utf8("pw"), RANDOM);
    FirmwareRequest.RegisterFinish finish = phone.store(user("bob"), "pw", 3);
    FirmwareRequest[] requests = {
      new FirmwareRequest.RegisterStart(ALICE, phone.opaque.startRegistration(Password.utf8("pw"), RANDOM).request()),
      finish,
      new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, login.ke1()),
      new FirmwareRequest.LoginCancel(new LoginId(new byte[16])),
      new FirmwareRequest.Status(ALICE),
    };
    for (FirmwareRequest request : requests) {
      byte[] encoded = FirmwareCodec.encode(request);
      assertArrayEquals(encoded, FirmwareCodec.encode(FirmwareCodec.decodeRequest(encoded)));
      for (int length = 0; length < encoded.length; length++) {
        assertEquals(FirmwareResponse.Reason.MALFORMED_REQUEST, refused(Arrays.copyOf(encoded, length)).reason(),
            request.kind() + " cut at " + length);
      }
      assertEquals(FirmwareResponse.Reason.MALFORMED_REQUEST, refused(Arrays.copyOf(encoded, encoded.length + 1)).reason());
    }
  }

  @Test
  void malformed_fields_are_named_in_the_refusal() throws Exception {
    ClientLoginStart login = phone.opaque.startLogin(Password.utf8("pw"), RANDOM);
    byte[] encoded = FirmwareCodec.encode(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, login.ke1()));
    int pointAt = 2 + 1 + 5 + 1; // format, kind, user id length and bytes, purpose
    byte[] notAPoint = encoded.clone();
    Arrays.fill(notAPoint, pointAt + 1, pointAt + 33, (byte) 0xff); // x >= p: no such coordinate
    String detail = refused(notAPoint).detail();
    assertTrue(detail.contains("blinded"), detail);
    byte[] badTag = encoded.clone();
    badTag[pointAt] = 0x05; // neither compressed tag
    assertTrue(refused(badTag).detail().contains("blinded"));
    byte[] badPurpose = encoded.clone();
    badPurpose[pointAt - 1] = 9;
    assertTrue(refused(badPurpose).detail().startsWith("purpose"));
    assertEquals(FirmwareResponse.Reason.REQUEST_TOO_LARGE, refused(new byte[FirmwareCodec.REQUEST_BYTES_MAX + 1]).reason());
  }

  @Test
  void random_bytes_never_escape_as_exceptions() throws Exception {
    Random random = new Random(20260101);
    for (int i = 0; i < 2000; i++) {
      byte[] noise = new byte[random.nextInt(200)];
      random.nextBytes(noise);
      if (noise.length > 1 && i % 2 == 0) {
        noise[0] = 1; // a valid format byte, so decoding goes deeper
        noise[1] = (byte) (1 + random.nextInt(7));
      }
      FirmwareResponse response = FirmwareCodec.decodeResponse(firmware.handle(noise));
      assertTrue(response instanceof FirmwareResponse.Refused || response instanceof FirmwareResponse.NotFound
          || response instanceof FirmwareResponse.Attestation || response instanceof FirmwareResponse.StatusReport,
          "noise answered " + response);
    }
    assertTrue(firmware.haltReason().isEmpty(), "noise never halts the firmware");
  }

  @Test
  void unknown_users_get_a_fake_ke2_of_the_same_shape_and_nothing_is_counted() {
    phone.register(ALICE, "pw", key(1), 5);
    long version = firmware.version();
    Phone.Login fake = phone.start(user("nobody"), "pw", LoginPurpose.RECOVER);
    assertTrue(!fake.opened(), "a fake record never opens");
    assertEquals(version, firmware.version(), "nothing to count for an unknown user");
    assertEquals(new FirmwareResponse.LoginFailed(), fake.cancel());
    // A purpose that does not fit the record's phase is answered the same way.
    Phone.Login wrongPhase = phone.start(ALICE, "pw", LoginPurpose.EXPOSE);
    assertTrue(!wrongPhase.opened());
    assertEquals(version, firmware.version());
  }

  @Test
  void register_start_is_no_oprf_oracle_for_an_existing_registration() {
    // With credential_identifier = user id, RegisterStart would evaluate the OPRF under the
    // registered key without counting anything: one counted KE2 plus free evaluations would
    // allow unlimited offline guessing. Each registration has its own key instead.
    phone.register(ALICE, "pw", key(1), 5);
    ClientLoginStart login = phone.opaque.startLogin(Password.utf8("guess"), RANDOM);
    var blinded = login.ke1().credentialRequest().blindedMessage();
    FirmwareResponse.LoginStarted started = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, login.ke1())));
    var counted = started.ke2().credentialResponse().evaluatedMessage();
    var request = new dev.bkv.crypto.opaque.RegistrationRequest(blinded);
    var first = assertInstanceOf(FirmwareResponse.RegisterStarted.class, phone.send(new FirmwareRequest.RegisterStart(ALICE, request)));
    var second = assertInstanceOf(FirmwareResponse.RegisterStarted.class, phone.send(new FirmwareRequest.RegisterStart(ALICE, request)));
    assertTrue(!first.response().evaluatedMessage().equals(counted), "registration key differs from the registered one");
    assertTrue(!first.response().evaluatedMessage().equals(second.response().evaluatedMessage()), "and from each other");
    assertEquals(4, phone.remaining(ALICE));
  }

  @Test
  void a_retried_upload_is_idempotent_and_a_stale_one_is_refused() {
    FirmwareRequest.RegisterFinish upload = phone.store(ALICE, "pw", 5);
    phone.start(ALICE, "wrong", LoginPurpose.EXPOSE).cancel();
    long version = firmware.version();
    // The same upload again (a retry after a lost answer): stored, nothing changes.
    assertEquals(new FirmwareResponse.RegisterStored(upload.registrationId()), phone.send(upload));
    assertEquals(version, firmware.version());
    assertEquals(4, phone.remaining(ALICE), "the retry did not reset the counter");
    // After deletion the same upload names a registration that no longer exists.
    Phone.Login login = phone.start(ALICE, "pw", LoginPurpose.DELETE);
    assertInstanceOf(FirmwareResponse.Deleted.class, login.finish(new byte[0]));
    FirmwareResponse.Refused refused = assertInstanceOf(FirmwareResponse.Refused.class, phone.send(upload));
    assertEquals(FirmwareResponse.Reason.UNKNOWN_REGISTRATION, refused.reason());
    assertEquals(-1, phone.remaining(ALICE));
  }

  @Test
  void an_upload_replayed_after_destruction_cannot_revive_the_password() {
    FirmwareRequest.RegisterFinish upload = phone.store(ALICE, "pw", 1);
    phone.start(ALICE, "wrong", LoginPurpose.EXPOSE).cancel();
    assertEquals(-1, phone.remaining(ALICE), "destroyed after its one guess");
    assertEquals(FirmwareResponse.Reason.UNKNOWN_REGISTRATION,
        assertInstanceOf(FirmwareResponse.Refused.class, phone.send(upload)).reason());
  }

  @Test
  void evicted_logins_keep_their_counted_guess_and_cannot_finish() throws Exception {
    firmware = VaultFirmware.boot(hsm, storage, new VaultFirmware.Limits(2, 4, 1024));
    phone = new Phone(firmware, RANDOM);
    phone.register(ALICE, "pw", key(1), 2);
    Phone.Login first = phone.start(ALICE, "pw", LoginPurpose.RECOVER);
    Phone.Login second = phone.start(ALICE, "pw", LoginPurpose.RECOVER);
    assertEquals(0, phone.remaining(ALICE));
    // A third login evicts the first. That was the last guess's twin: the record has no
    // guesses left and one of its logins failed, so it is destroyed (R8), and the third
    // login is answered with a fake record.
    Phone.Login third = phone.start(ALICE, "pw", LoginPurpose.RECOVER);
    assertEquals(-1, phone.remaining(ALICE));
    assertTrue(!third.opened());
    assertEquals(FirmwareResponse.Reason.UNKNOWN_LOGIN,
        assertInstanceOf(FirmwareResponse.Refused.class, first.finish(new byte[0])).reason());
    assertEquals(new FirmwareResponse.LoginFailed(), second.finish(new byte[0]), "its registration is gone");
    assertEquals(2, firmware.pendingLogins() + 1, "second finished; third pending; first evicted");
  }

  @Test
  void expose_with_a_bad_upload_is_refused_and_keeps_the_count() {
    RegistrationId id = phone.store(ALICE, "pw", 5).registrationId();
    Phone.Login login = phone.start(ALICE, "pw", LoginPurpose.EXPOSE);
    byte[] upload = VaultProtocol.sealExposeUpload(login.success().sessionKey(), user("mallory"), id, key(1), RANDOM);
    FirmwareResponse.Refused refused = assertInstanceOf(FirmwareResponse.Refused.class, login.finish(upload));
    assertEquals(FirmwareResponse.Reason.BAD_BACKUP_KEY_UPLOAD, refused.reason());
    assertEquals(new FirmwareResponse.StatusReport(Phase.STORED, 4, 5), phone.send(new FirmwareRequest.Status(ALICE)));
  }

  @Test
  void a_payload_on_a_recovery_is_malformed() {
    phone.register(ALICE, "pw", key(1), 5);
    Phone.Login login = phone.start(ALICE, "pw", LoginPurpose.RECOVER);
    FirmwareResponse.Refused refused = assertInstanceOf(FirmwareResponse.Refused.class, login.finish(new byte[40]));
    assertEquals(FirmwareResponse.Reason.MALFORMED_REQUEST, refused.reason());
    assertEquals(4, phone.remaining(ALICE));
  }

  @Test
  void a_forged_ke3_fails_and_keeps_the_count() {
    phone.register(ALICE, "pw", key(1), 5);
    Phone.Login login = phone.start(ALICE, "wrong", LoginPurpose.RECOVER);
    FirmwareResponse response = phone.send(new FirmwareRequest.LoginFinish(login.loginId,
        new dev.bkv.crypto.opaque.KE3(new dev.bkv.crypto.opaque.Mac(new byte[32])), new byte[0]));
    assertEquals(new FirmwareResponse.LoginFailed(), response);
    assertEquals(4, phone.remaining(ALICE));
    assertArrayEquals(key(1).toBytes(), phone.recover(ALICE, "pw").toBytes());
    assertEquals(5, phone.remaining(ALICE));
  }

  @Test
  void a_ke1_sent_again_is_answered_again_and_counted_once() {
    // R15 on one HSM: the phone lost the answer to its KE1 and sends the same KE1 again.
    phone.register(ALICE, "pw", key(4), 5);
    OpaqueClient client = new OpaqueClient(VaultProtocol.opaqueConfig(Phone.FAST_KSF, OpaqueContext.BKV));
    ClientLoginStart login = client.startLogin(Password.utf8("pw"), RANDOM);
    FirmwareRequest.LoginStart start = new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, login.ke1());
    assertInstanceOf(FirmwareResponse.LoginStarted.class, phone.send(start));
    FirmwareResponse.LoginStarted again = assertInstanceOf(FirmwareResponse.LoginStarted.class, phone.send(start));
    assertEquals(4, phone.remaining(ALICE), "one KE1, one guess");
    ClientLoginResult.ClientLoginSucceeded done = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class,
        client.finishLogin(login.state(), again.ke2()));
    assertInstanceOf(FirmwareResponse.Recovered.class,
        phone.send(new FirmwareRequest.LoginFinish(again.loginId(), done.ke3(), new byte[0])));
    assertEquals(5, phone.remaining(ALICE));
    ClientLoginStart other = client.startLogin(Password.utf8("wrong"), RANDOM);
    phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, other.ke1()));
    assertEquals(4, phone.remaining(ALICE), "another KE1 is another guess");
  }

  @Test
  void attestation_names_this_hsm_and_its_opaque_key() throws Exception {
    FirmwareResponse.Attestation response = assertInstanceOf(FirmwareResponse.Attestation.class,
        phone.send(new FirmwareRequest.Attest()));
    assertEquals(hsm.id(), response.attestation().hsmId());
    assertEquals(hsm.opaqueServerSetup().serverPublicKey(), response.attestation().opaqueServerKey());
  }

  @Test
  void recovery_of_an_unknown_user_releases_nothing() {
    assertNull(phone.recover(user("nobody"), "pw"));
  }

  @Test
  void a_login_under_the_empty_context_is_counted_and_recovers_a_key_registered_under_bkvs() {
    // Goal: the profile a login names is the context its KE2 binds, for any registration.
    phone.register(ALICE, "pw", key(3), 5);
    OpaqueClient empty = new OpaqueClient(VaultProtocol.opaqueConfig(Phone.FAST_KSF, OpaqueContext.EMPTY));
    ClientLoginStart wrong = empty.startLogin(Password.utf8("wrong"), RANDOM);
    FirmwareResponse.LoginStarted refusedKe2 = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, wrong.ke1(), OpaqueContext.EMPTY)));
    assertInstanceOf(ClientLoginResult.ClientLoginFailed.class, empty.finishLogin(wrong.state(), refusedKe2.ke2()));
    assertEquals(new FirmwareResponse.LoginFailed(), phone.send(new FirmwareRequest.LoginCancel(refusedKe2.loginId())));
    assertEquals(4, phone.remaining(ALICE), "a wrong guess under the empty context is counted (G1)");
    ClientLoginStart right = empty.startLogin(Password.utf8("pw"), RANDOM);
    FirmwareResponse.LoginStarted started = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, right.ke1(), OpaqueContext.EMPTY)));
    ClientLoginResult.ClientLoginSucceeded done = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class,
        empty.finishLogin(right.state(), started.ke2()));
    FirmwareResponse.Recovered recovered = assertInstanceOf(FirmwareResponse.Recovered.class,
        phone.send(new FirmwareRequest.LoginFinish(started.loginId(), done.ke3(), new byte[0])));
    assertArrayEquals(key(3).toBytes(),
        VaultProtocol.openRecovered(done.sessionKey(), ALICE, recovered.sealedBackupKey()).orElseThrow().toBytes());
  }

  @Test
  void a_ke3_made_under_one_context_does_not_finish_a_login_started_under_the_other() throws Exception {
    // Goal: the context alone keeps the two profiles' logins apart. Method: twin firmwares with the
    // same keys, record and randomness answer the same KE1, one under BKV's context and one under
    // the empty one; their KE2s differ only in server_mac, and the KE3 that finishes the first
    // login is refused by the second, whose guess stays counted.
    Twin bkv = new Twin();
    Twin empty = new Twin();
    ClientLoginStart start = bkv.phone.opaque.startLogin(Password.utf8("pw"), bkv.phone.random);
    ClientLoginStart same = empty.phone.opaque.startLogin(Password.utf8("pw"), empty.phone.random);
    assertArrayEquals(start.ke1().encode(), same.ke1().encode(), "the twins' phones send the same KE1");
    FirmwareResponse.LoginStarted underBkv = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        bkv.phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, start.ke1(), OpaqueContext.BKV)));
    FirmwareResponse.LoginStarted underEmpty = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        empty.phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, start.ke1(), OpaqueContext.EMPTY)));
    byte[] ke2Bkv = underBkv.ke2().encode();
    byte[] ke2Empty = underEmpty.ke2().encode();
    int macAt = ke2Bkv.length - 32;
    assertArrayEquals(Arrays.copyOf(ke2Bkv, macAt), Arrays.copyOf(ke2Empty, macAt), "same record, same randomness");
    assertTrue(!Arrays.equals(ke2Bkv, ke2Empty), "server_mac binds the context");
    dev.bkv.crypto.opaque.KE3 ke3 = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class,
        bkv.phone.opaque.finishLogin(start.state(), underBkv.ke2())).ke3();
    assertEquals(new FirmwareResponse.LoginFailed(),
        empty.phone.send(new FirmwareRequest.LoginFinish(underEmpty.loginId(), ke3, new byte[0])));
    assertEquals(4, empty.phone.remaining(ALICE), "the refused login stays counted");
    assertInstanceOf(FirmwareResponse.Recovered.class,
        bkv.phone.send(new FirmwareRequest.LoginFinish(underBkv.loginId(), ke3, new byte[0])),
        "the same KE3 finishes the login started under its own context");
  }

  /** A firmware and phone whose every random byte comes from fixed seeds, so two of them run alike. */
  static final class Twin {
    final Phone phone;

    Twin() throws Exception {
      VaultFirmware firmware = VaultFirmware.boot(SoftHsm.inMemory(seeded(1)), new MemoryVaultStorage());
      phone = new Phone(firmware, seeded(2));
      phone.register(ALICE, "pw", key(4), 5);
    }

    /** SHA1PRNG seeded before its first use is deterministic. */
    static SecureRandom seeded(int seed) throws Exception {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(new byte[] {(byte) seed});
      return random;
    }
  }
}
