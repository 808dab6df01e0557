package dev.bkv.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.hsm.BootException;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.HsmAttestation;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.hsm.VaultFirmware;
import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Phase;
import dev.bkv.vault.UserId;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The phone side against in-process firmware: register, recover, status, delete, and destruction at the limit. */
class VaultClientTest {
  /** A cheap Argon2id: the KSF's cost is the client's business and irrelevant to these behaviours. */
  static final Ksf FAST_KSF = Ksf.argon2id(64, 1, 1);
  static final SecureRandom RANDOM = new SecureRandom();

  static UserId user(String name) {
    try {
      return UserId.ofUtf8(name);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }

  static BackupKey randomKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return new BackupKey(bytes);
  }

  static VaultClient client(VaultTransport transport) throws VaultClientException {
    HsmAttestation attestation = VaultClient.attest(transport);
    return new VaultClient(transport, attestation.opaqueServerKey(), FAST_KSF, RANDOM);
  }

  static InProcessTransport freshVault() throws BootException {
    return new InProcessTransport(VaultFirmware.boot(SoftHsm.inMemory(RANDOM), new MemoryVaultStorage()));
  }

  @Test
  void register_then_recover_returns_the_same_key_and_resets_the_count() throws Exception {
    VaultClient client = client(freshVault());
    UserId alice = user("alice");
    BackupKey key = randomKey();
    client.register(alice, Password.utf8("correct horse"), key, 5);
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 5, 5), client.status(alice));
    assertInstanceOf(RecoveryResult.NotRecovered.class, client.recover(alice, Password.utf8("wrong")));
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 4, 5), client.status(alice));
    RecoveryResult.Recovered recovered = assertInstanceOf(RecoveryResult.Recovered.class,
        client.recover(alice, Password.utf8("correct horse")));
    assertArrayEquals(key.toBytes(), recovered.backupKey().toBytes());
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 5, 5), client.status(alice));
  }

  @Test
  void exactly_max_attempts_wrong_guesses_destroy_the_record() throws Exception {
    VaultClient client = client(freshVault());
    UserId bob = user("bob");
    client.register(bob, Password.utf8("pw"), randomKey(), 3);
    for (int i = 1; i <= 3; i++) {
      assertInstanceOf(VaultStatus.Registered.class, client.status(bob), "alive before wrong guess " + i);
      assertInstanceOf(RecoveryResult.NotRecovered.class, client.recover(bob, Password.utf8("guess" + i)));
    }
    assertEquals(new VaultStatus.NoRecord(), client.status(bob));
    assertInstanceOf(RecoveryResult.NotRecovered.class, client.recover(bob, Password.utf8("pw")));
  }

  @Test
  void unknown_user_looks_like_a_wrong_password() throws Exception {
    VaultClient client = client(freshVault());
    assertInstanceOf(RecoveryResult.NotRecovered.class, client.recover(user("nobody"), Password.utf8("pw")));
    assertEquals(new VaultStatus.NoRecord(), client.status(user("nobody")));
  }

  @Test
  void delete_needs_the_password() throws Exception {
    VaultClient client = client(freshVault());
    UserId carol = user("carol");
    client.register(carol, Password.utf8("pw"), randomKey());
    assertFalse(client.delete(carol, Password.utf8("not it")));
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 9, 10), client.status(carol));
    assertTrue(client.delete(carol, Password.utf8("pw")));
    assertEquals(new VaultStatus.NoRecord(), client.status(carol));
  }

  @Test
  void re_registration_replaces_the_key_and_keeps_the_count_until_exposed() throws Exception {
    VaultClient client = client(freshVault());
    UserId dave = user("dave");
    client.register(dave, Password.utf8("old"), randomKey(), 10);
    client.recover(dave, Password.utf8("x"));
    BackupKey second = randomKey();
    client.register(dave, Password.utf8("new"), second, 10);
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 10, 10), client.status(dave));
    assertInstanceOf(RecoveryResult.NotRecovered.class, client.recover(dave, Password.utf8("old")));
    RecoveryResult.Recovered recovered = assertInstanceOf(RecoveryResult.Recovered.class, client.recover(dave, Password.utf8("new")));
    assertArrayEquals(second.toBytes(), recovered.backupKey().toBytes());
  }

  @Test
  void a_client_refuses_a_server_key_it_does_not_trust() throws Exception {
    InProcessTransport transport = freshVault();
    VaultClient misled = new VaultClient(transport, ServerSetup.generate(RANDOM).serverPublicKey(), FAST_KSF, RANDOM);
    VaultClientException e = assertThrows(VaultClientException.class,
        () -> misled.register(user("erin"), Password.utf8("pw"), randomKey(), 10));
    assertEquals(VaultClientException.Kind.UNTRUSTED_SERVER, e.kind());
  }

  @Test
  void refusals_and_garbage_answers_are_typed() {
    VaultTransport garbage = request -> new byte[] {1, 99};
    VaultClientException malformed = assertThrows(VaultClientException.class, () -> VaultClient.attest(garbage));
    assertEquals(VaultClientException.Kind.PROTOCOL, malformed.kind());
    VaultTransport down = request -> {
      throw new VaultTransport.TransportException("connection refused");
    };
    assertEquals(VaultClientException.Kind.TRANSPORT, assertThrows(VaultClientException.class, () -> VaultClient.attest(down)).kind());
  }

  @Test
  void a_halted_firmware_surfaces_as_a_typed_refusal() throws Exception {
    SoftHsm hsm = SoftHsm.inMemory(RANDOM);
    InProcessTransport transport = new InProcessTransport(VaultFirmware.boot(hsm, new MemoryVaultStorage()));
    VaultClient client = client(transport);
    hsm.tamper();
    VaultClientException e = assertThrows(VaultClientException.class,
        () -> client.register(user("frank"), Password.utf8("pw"), randomKey(), 10));
    assertEquals(VaultClientException.Kind.REFUSED, e.kind());
    assertEquals(FirmwareResponse.Reason.HSM_ZEROIZED, e.refusal().orElseThrow());
  }

  @Test
  void a_client_under_the_empty_context_recovers_a_key_registered_under_bkvs_and_its_wrong_guesses_count() throws Exception {
    // Goal: the context profile is a login option only; registrations serve both profiles.
    InProcessTransport vault = freshVault();
    VaultClient bkv = client(vault);
    VaultClient empty = bkv.withOpaqueContext(dev.bkv.hsm.OpaqueContext.EMPTY);
    assertEquals(dev.bkv.hsm.OpaqueContext.BKV, bkv.opaqueContext());
    assertEquals(dev.bkv.hsm.OpaqueContext.EMPTY, empty.opaqueContext());
    UserId carol = user("carol");
    BackupKey key = randomKey();
    bkv.register(carol, Password.utf8("pw"), key, 5);
    assertInstanceOf(RecoveryResult.NotRecovered.class, empty.recover(carol, Password.utf8("wrong")));
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 4, 5), empty.status(carol));
    assertArrayEquals(key.toBytes(), assertInstanceOf(RecoveryResult.Recovered.class,
        empty.recover(carol, Password.utf8("pw"))).backupKey().toBytes());
    UserId dave = user("dave");
    empty.register(dave, Password.utf8("pw2"), key, 5);
    assertArrayEquals(key.toBytes(), assertInstanceOf(RecoveryResult.Recovered.class,
        bkv.recover(dave, Password.utf8("pw2"))).backupKey().toBytes());
  }

  /**
   * A frontend in front of {@code inner} that answers the first request of {@code kind} as a
   * new leader would, knowing nothing of the exchange: refused with {@code reason}, without
   * passing it on. Counts the requests of each kind that reached the vault.
   */
  private static final class LeaderChange implements VaultTransport {
    final VaultTransport inner;
    final FirmwareRequest.Kind kind;
    final FirmwareResponse.Reason reason;
    final Map<FirmwareRequest.Kind, Integer> passed = new EnumMap<>(
        FirmwareRequest.Kind.class);
    boolean done;

    LeaderChange(VaultTransport inner, FirmwareRequest.Kind kind, FirmwareResponse.Reason reason) {
      this.inner = inner;
      this.kind = kind;
      this.reason = reason;
    }

    @Override
    public byte[] exchange(byte[] request) throws TransportException {
      FirmwareRequest.Kind k;
      try {
        k = FirmwareCodec.decodeRequest(request).kind();
      } catch (DecodeException e) {
        throw new AssertionError(e);
      }
      if (k == kind && !done) {
        done = true;
        return FirmwareCodec.encode(new FirmwareResponse.Refused(reason, "the leader changed"));
      }
      passed.merge(k, 1, Integer::sum);
      return inner.exchange(request);
    }
  }

  @Test
  void a_registration_or_recovery_whose_leader_changed_midway_starts_over_once() throws Exception {
    LeaderChange lostUpload = new LeaderChange(freshVault(), FirmwareRequest.Kind.REGISTER_FINISH,
        FirmwareResponse.Reason.UNKNOWN_REGISTRATION);
    VaultClient client = client(lostUpload);
    UserId carol = user("carol");
    BackupKey key = randomKey();
    client.register(carol, Password.utf8("pw"), key, 5);
    assertEquals(2, lostUpload.passed.get(FirmwareRequest.Kind.REGISTER_START), "started over once");
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 5, 5), client.status(carol));

    LeaderChange lostFinish = new LeaderChange(lostUpload, FirmwareRequest.Kind.LOGIN_FINISH,
        FirmwareResponse.Reason.UNKNOWN_LOGIN);
    VaultClient again = client(lostFinish);
    RecoveryResult.Recovered recovered = assertInstanceOf(RecoveryResult.Recovered.class,
        again.recover(carol, Password.utf8("pw")));
    assertArrayEquals(key.toBytes(), recovered.backupKey().toBytes());
    assertEquals(2, lostFinish.passed.get(FirmwareRequest.Kind.LOGIN_START), "a right password logs in again");

    // A wrong password is known to be wrong at KE2: a lost cancel is not a reason to guess again.
    LeaderChange lostCancel = new LeaderChange(lostUpload, FirmwareRequest.Kind.LOGIN_CANCEL,
        FirmwareResponse.Reason.UNKNOWN_LOGIN);
    VaultClient guesser = client(lostCancel);
    assertInstanceOf(RecoveryResult.NotRecovered.class, guesser.recover(carol, Password.utf8("wrong")));
    assertEquals(1, lostCancel.passed.get(FirmwareRequest.Kind.LOGIN_START), "one wrong guess, one login");
    assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 4, 5), guesser.status(carol));
  }
}
