package dev.bkv.hsm;

import dev.bkv.base.Check;
import dev.bkv.base.Hex;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.storage.FileVaultStorage;
import dev.bkv.storage.NvramImage;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.sim.LocalFleet;
import dev.bkv.vault.UserId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Runs in a child JVM started by {@link Pkcs11HsmTest}, because SoftHSM2 reads
 * SOFTHSM2_CONF from the process environment when the module loads. Each check prints
 * "OK name" or "FAIL name: why"; the exit code is the number of failures. Phase "first"
 * provisions the token and uses it; phase "second" is a restart of the same HSM in a new
 * process, ending with a tamper event.
 */
public final class Pkcs11HsmScenario {
  private static int failures;

  public static void main(String[] args) throws Exception {
    String phase = args[0];
    Pkcs11Hsm.Config config = new Pkcs11Hsm.Config(Path.of(args[1]), Long.parseLong(args[2]), args[3].toCharArray());
    Path state = Path.of(args[4]);
    SecureRandom random = new SecureRandom();
    Pkcs11Hsm hsm = Pkcs11Hsm.open(config, state, random);
    if (phase.equals("first")) {
      first(hsm, state, random);
    } else {
      second(hsm, config, state, random);
    }
    System.exit(failures);
  }

  static final byte[] AAD = "probe".getBytes(StandardCharsets.US_ASCII);

  private static void first(Pkcs11Hsm hsm, Path state, SecureRandom random) throws Exception {
    Files.writeString(state.resolve("id"), hsm.id().toHex());
    // Key ceremony: the token HSM receives the fleet secrets of a software HSM while fresh.
    SoftHsm source = SoftHsm.inMemory(random);
    Sha256Digest context = Sha256Digest.of("pkcs11 ceremony".getBytes(StandardCharsets.US_ASCII));
    TransportOffer offer = TransportOffer.verify(hsm.offerTransportKey(context).encode()).value();
    hsm.importFleetSecrets(source.exportFleetSecrets(offer), source.attest());
    check("fleet secrets imported: the token HSM answers with the fleet's OPAQUE key",
        Arrays.equals(source.opaqueServerSetup().encode(), hsm.opaqueServerSetup().encode()));
    Files.writeString(state.resolve("opaque-key"), hex(source.opaqueServerSetup().serverPublicKey().encode()));
    byte[] message = "BKV test message".getBytes(StandardCharsets.US_ASCII);
    EcdsaP256.Signature signature = hsm.signWithIdentity(message);
    check("token ECDSA signature verifies", EcdsaP256.verify(hsm.identityPublicKey(), message, signature));
    byte[] sealed = hsm.seal(AAD, new byte[] {1, 2, 3});
    Files.write(state.resolve("probe.sealed"), sealed);
    check("token AES-GCM round trip", Arrays.equals(new byte[] {1, 2, 3}, hsm.unseal(AAD, sealed)));
    byte[] flipped = sealed.clone();
    flipped[sealed.length - 1] ^= 1;
    check("token AES-GCM rejects a changed tag", unsealFails(hsm, AAD, flipped));
    check("token AES-GCM rejects other associated data", unsealFails(hsm, new byte[0], sealed));
    check("keys are sensitive and non-extractable", keysUnextractable(hsm));
    hsm.writeNvram(1, new NvramImage.Cell(5, new byte[] {5}));
    boolean monotonic = false;
    try {
      hsm.writeNvram(1, new NvramImage.Cell(4, new byte[] {4}));
    } catch (Check.InvariantViolation expected) {
      monotonic = true;
    }
    check("NVRAM counter never goes down", monotonic);
    check("attestation verifies", HsmAttestation.verify(hsm.attest().encode()) instanceof HsmAttestation.Verified);
    VaultFirmware firmware = VaultFirmware.boot(hsm, FileVaultStorage.open(state.resolve("vault")));
    Phone phone = new Phone(firmware, random);
    phone.register(Phone.user("alice"), "pw", Phone.key(3), 5);
    check("a wrong guess recovers nothing", phone.recover(Phone.user("alice"), "wrong") == null);
    check("status counts the wrong guess", phone.remaining(Phone.user("alice")) == 4);
    hsm.close();
  }

  private static void second(Pkcs11Hsm hsm, Pkcs11Hsm.Config config, Path state, SecureRandom random) throws Exception {
    check("same identity after a restart", hsm.id().toHex().equals(Files.readString(state.resolve("id"))));
    byte[] sealed = Files.readAllBytes(state.resolve("probe.sealed"));
    check("a blob sealed before the restart opens", Arrays.equals(new byte[] {1, 2, 3}, hsm.unseal(AAD, sealed)));
    check("NVRAM survived the restart", hsm.readNvram(1).counter() == 5);
    check("imported fleet secrets survived the restart (sealed by the token)",
        hex(hsm.attest().opaqueServerKey().encode()).equals(Files.readString(state.resolve("opaque-key"))));
    SoftHsm late = SoftHsm.inMemory(random);
    Sha256Digest context = Sha256Digest.of("late ceremony".getBytes(StandardCharsets.US_ASCII));
    WrappedFleetSecrets wrapped = late.exportFleetSecrets(
        TransportOffer.verify(hsm.offerTransportKey(context).encode()).value());
    boolean refused = false;
    try {
      hsm.importFleetSecrets(wrapped, late.attest());
    } catch (HsmException e) {
      refused = e.reason() == HsmException.Reason.FLEET_SECRETS_REFUSED;
    }
    check("an HSM that served a vault refuses new fleet secrets", refused);
    fleetMember(hsm, random);
    VaultFirmware firmware = VaultFirmware.boot(hsm, FileVaultStorage.open(state.resolve("vault")));
    Phone phone = new Phone(firmware, random);
    check("the vault state survived the restart", phone.remaining(Phone.user("alice")) == 4);
    check("recovery after the restart returns the key",
        Arrays.equals(Phone.key(3).toBytes(), phone.recover(Phone.user("alice"), "pw").toBytes()));
    hsm.tamper();
    boolean zeroized = false;
    try {
      hsm.signWithIdentity(AAD);
    } catch (HsmException e) {
      zeroized = e.reason() == HsmException.Reason.ZEROIZED;
    }
    check("tamper: calls fail as ZEROIZED", zeroized);
    check("tamper: the firmware refuses", phone.send(new FirmwareRequest.Status(Phone.user("alice")))
        instanceof FirmwareResponse.Refused);
    hsm.close();
    // The token no longer holds the keys: opening it again provisions new ones, which
    // cannot open what the old ones sealed.
    Pkcs11Hsm reopened = Pkcs11Hsm.open(config, state.resolve("after-tamper"), random);
    check("tamper: the token's old keys are gone", !reopened.id().toHex().equals(Files.readString(state.resolve("id")))
        && unsealFails(reopened, AAD, sealed));
    reopened.close();
  }

  /**
   * The token HSM as one HSM of a three-HSM fleet: two software HSMs receive the fleet secrets
   * from it, and the fleet registers and recovers with the token leading or following, also
   * after the token's host restarts it.
   */
  private static void fleetMember(Pkcs11Hsm hsm, SecureRandom random) throws Exception {
    List<Hsm> members = new ArrayList<>(List.of(hsm));
    for (int i = 0; i < 2; i++) {
      SoftHsm peer = SoftHsm.inMemory(random);
      Sha256Digest context = Sha256Digest.of(("fleet ceremony " + i).getBytes(StandardCharsets.US_ASCII));
      peer.importFleetSecrets(hsm.exportFleetSecrets(TransportOffer.verify(peer.offerTransportKey(context).encode()).value()),
          hsm.attest());
      members.add(peer);
    }
    LocalFleet fleet = LocalFleet.of(members, List.of("dc-a", "dc-b", "dc-c"), 7);
    check("a fleet with the token HSM elects a leader", fleet.runUntilLeader(2_000).isPresent());
    VaultClient client = new VaultClient(fleet.transport(), hsm.attest().opaqueServerKey(), Phone.FAST_KSF, random);
    UserId user = Phone.user("fleet-user");
    client.register(user, Password.utf8("pw"), Phone.key(9), 5);
    fleet.crash(0);
    fleet.restart(0);
    check("the token HSM restarts from its NVRAM and its sealed log", fleet.isUp(0) && fleet.runUntilLeader(2_000).isPresent());
    RecoveryResult recovered = client.recover(user, Password.utf8("pw"));
    check("the fleet with the token HSM recovers the key", recovered instanceof RecoveryResult.Recovered
        && Arrays.equals(Phone.key(9).toBytes(), ((RecoveryResult.Recovered) recovered).backupKey().toBytes()));
  }

  private static boolean keysUnextractable(Pkcs11Hsm hsm) throws Exception {
    java.lang.reflect.Field field = Pkcs11Hsm.class.getDeclaredField("keyStore");
    field.setAccessible(true);
    KeyStore keyStore = (KeyStore) field.get(hsm);
    return keyStore.getKey(Pkcs11Hsm.SEALING_ALIAS, null).getEncoded() == null
        && keyStore.getKey(Pkcs11Hsm.IDENTITY_ALIAS, null).getEncoded() == null
        && keyStore.getKey(Pkcs11Hsm.SEALING_ALIAS, null).toString().contains("unextractable");
  }

  private static boolean unsealFails(Hsm hsm, byte[] aad, byte[] sealed) {
    try {
      hsm.unseal(aad, sealed);
      return false;
    } catch (HsmException e) {
      return e.reason() == HsmException.Reason.UNSEAL_FAILED;
    }
  }

  private static void check(String name, boolean ok) {
    if (ok) {
      System.out.println("OK " + name);
    } else {
      failures++;
      System.out.println("FAIL " + name);
    }
  }

  static String hex(byte[] bytes) {
    return Hex.encode(bytes);
  }
}
