package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.ClientLoginResult;
import dev.bkv.crypto.opaque.ClientLoginStart;
import dev.bkv.crypto.opaque.ClientRegistrationResult;
import dev.bkv.crypto.opaque.ClientRegistrationStart;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The phone side spoken step by step, at the protocol level, so tests can stop between any
 * two messages (crash the firmware, evict a login, replay a request). Every request goes
 * through the byte encoding, as the host would carry it.
 */
final class Phone {
  static final Ksf FAST_KSF = Ksf.argon2id(64, 1, 1);
  final SecureRandom random;
  final OpaqueClient opaque = new OpaqueClient(VaultProtocol.opaqueConfig(FAST_KSF));
  Function<byte[], byte[]> wire;

  Phone(Function<byte[], byte[]> wire, SecureRandom random) {
    this.wire = wire;
    this.random = random;
  }

  Phone(VaultFirmware firmware, SecureRandom random) {
    this(firmware::handle, random);
  }

  static UserId user(String name) {
    try {
      return UserId.ofUtf8(name);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }

  static BackupKey key(int fill) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) fill);
    return new BackupKey(bytes);
  }

  FirmwareResponse send(FirmwareRequest request) {
    try {
      return FirmwareCodec.decodeResponse(wire.apply(FirmwareCodec.encode(request)));
    } catch (DecodeException e) {
      throw new AssertionError("the firmware answered something undecodable", e);
    }
  }

  /** Phase 1 only; returns the upload that was sent, for replay tests. */
  FirmwareRequest.RegisterFinish store(UserId user, String password, int maxAttempts) {
    ClientRegistrationStart start = opaque.startRegistration(Password.utf8(password), random);
    FirmwareResponse.RegisterStarted started = assertInstanceOf(FirmwareResponse.RegisterStarted.class,
        send(new FirmwareRequest.RegisterStart(user, start.request())));
    ClientRegistrationResult result = opaque.finalizeRegistration(start.state(), started.response());
    FirmwareRequest.RegisterFinish finish =
        new FirmwareRequest.RegisterFinish(user, started.registrationId(), result.record(), maxAttempts);
    assertEquals(new FirmwareResponse.RegisterStored(started.registrationId()), send(finish));
    return finish;
  }

  /** Both phases; returns the registration id. */
  RegistrationId register(UserId user, String password, BackupKey backupKey, int maxAttempts) {
    RegistrationId id = store(user, password, maxAttempts).registrationId();
    Login login = start(user, password, LoginPurpose.EXPOSE);
    byte[] upload = VaultProtocol.sealExposeUpload(login.success().sessionKey(), user, id, backupKey, random);
    assertInstanceOf(FirmwareResponse.Exposed.class, login.finish(upload));
    return id;
  }

  /** A login that has sent KE1 and received KE2, and run the client's finish on it. */
  final class Login {
    final LoginId loginId;
    final ClientLoginResult result;

    Login(LoginId loginId, ClientLoginResult result) {
      this.loginId = loginId;
      this.result = result;
    }

    boolean opened() {
      return result instanceof ClientLoginResult.ClientLoginSucceeded;
    }

    ClientLoginResult.ClientLoginSucceeded success() {
      return assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class, result);
    }

    FirmwareResponse finish(byte[] payload) {
      return send(new FirmwareRequest.LoginFinish(loginId, success().ke3(), payload));
    }

    FirmwareResponse cancel() {
      return send(new FirmwareRequest.LoginCancel(loginId));
    }
  }

  /** KE1 → KE2; the response must be LoginStarted. */
  Login start(UserId user, String password, LoginPurpose purpose) {
    ClientLoginStart start = opaque.startLogin(Password.utf8(password), random);
    FirmwareResponse response = send(new FirmwareRequest.LoginStart(user, purpose, start.ke1()));
    FirmwareResponse.LoginStarted started = assertInstanceOf(FirmwareResponse.LoginStarted.class, response);
    return new Login(started.loginId(), opaque.finishLogin(start.state(), started.ke2()));
  }

  /** A full recovery: the released key, or null when the login did not open. */
  BackupKey recover(UserId user, String password) {
    Login login = start(user, password, LoginPurpose.RECOVER);
    if (!login.opened()) {
      assertEquals(new FirmwareResponse.LoginFailed(), login.cancel());
      return null;
    }
    FirmwareResponse response = login.finish(new byte[0]);
    if (response instanceof FirmwareResponse.LoginFailed) {
      return null;
    }
    byte[] sealed = assertInstanceOf(FirmwareResponse.Recovered.class, response).sealedBackupKey();
    return VaultProtocol.openRecovered(login.success().sessionKey(), user, sealed).orElseThrow();
  }

  /** Guesses remaining, or -1 when there is no record. */
  int remaining(UserId user) {
    FirmwareResponse response = send(new FirmwareRequest.Status(user));
    if (response instanceof FirmwareResponse.NotFound) {
      return -1;
    }
    return assertInstanceOf(FirmwareResponse.StatusReport.class, response).guessesRemaining();
  }
}
