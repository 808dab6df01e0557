package dev.bkv.client;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.opaque.ClientLoginResult;
import dev.bkv.crypto.opaque.ClientLoginStart;
import dev.bkv.crypto.opaque.ClientRegistrationResult;
import dev.bkv.crypto.opaque.ClientRegistrationStart;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.crypto.opaque.SessionKey;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.HsmAttestation;
import dev.bkv.hsm.LoginId;
import dev.bkv.hsm.LoginPurpose;
import dev.bkv.hsm.OpaqueContext;
import dev.bkv.hsm.VaultProtocol;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The phone side of the single-HSM vault: register a backup key under a password, recover
 * it, read the guesses remaining, delete. It trusts exactly one OPAQUE server key (the one
 * its trusted fleet lists, see {@link #forFleet}; or an HSM's attested key) and refuses a
 * registration answered by any other, since the record binds the key that every later
 * login checks.
 */
public final class VaultClient {
  /**
   * How many times a registration or recovery starts over when the leader that held its
   * half-done exchange lost leadership in between (the new leader knows nothing of it).
   */
  public static final int LEADER_CHANGE_RETRIES_MAX = 3;

  private final VaultTransport transport;
  private final P256Group.Element trustedServerKey;
  private final Ksf ksf;
  private final OpaqueContext context;
  private final OpaqueClient opaque;
  private final SecureRandom random;

  /** A client whose logins bind BKV's own OPAQUE context. */
  public VaultClient(VaultTransport transport, P256Group.Element trustedServerKey, Ksf ksf, SecureRandom random) {
    this(transport, trustedServerKey, ksf, OpaqueContext.BKV, random);
  }

  private VaultClient(VaultTransport transport, P256Group.Element trustedServerKey, Ksf ksf, OpaqueContext context,
      SecureRandom random) {
    this.transport = transport;
    this.trustedServerKey = trustedServerKey;
    this.ksf = ksf;
    this.context = context;
    this.opaque = new OpaqueClient(VaultProtocol.opaqueConfig(ksf, context));
    this.random = random;
  }

  /**
   * The same client with its logins under {@code context}: {@link OpaqueContext#EMPTY} speaks
   * as opaque-ke's defaults do. Registrations do not depend on it, so a key registered under
   * one profile is recovered under either.
   */
  public VaultClient withOpaqueContext(OpaqueContext context) {
    return new VaultClient(transport, trustedServerKey, ksf, java.util.Objects.requireNonNull(context, "context"),
        random);
  }

  public OpaqueContext opaqueContext() {
    return context;
  }

  /**
   * A client that talks only to the OPAQUE server key of {@code fleet}: a bundle the client
   * pinned, or one {@link FleetTrust} accepted. Every HSM of a fleet answers with that key.
   */
  public static VaultClient forFleet(VaultTransport transport, dev.bkv.bundle.ValidationBundle fleet, Ksf ksf,
      SecureRandom random) {
    return new VaultClient(transport, fleet.opaqueServerKey(), ksf, random);
  }

  /**
   * A client for the fleet {@code trust} accepted last.
   *
   * @throws VaultClientException (UNTRUSTED_SERVER) when no fleet is trusted yet
   */
  public static VaultClient forTrustedFleet(VaultTransport transport, FleetTrust trust, Ksf ksf, SecureRandom random)
      throws VaultClientException {
    dev.bkv.bundle.ValidationBundle fleet = trust.fleet().orElseThrow(() -> new VaultClientException(
        VaultClientException.Kind.UNTRUSTED_SERVER, "no fleet is trusted yet: accept a validation bundle first"));
    return forFleet(transport, fleet, ksf, random);
  }

  /** Fetches and verifies the HSM's attestation (before a client exists to pin its key). */
  public static HsmAttestation attest(VaultTransport transport) throws VaultClientException {
    FirmwareResponse response = exchange(transport, new FirmwareRequest.Attest());
    return expect(response, FirmwareResponse.Attestation.class, "attestation").attestation();
  }

  /** Registers with the default limit of {@link VaultLimits#MAX_ATTEMPTS_DEFAULT} wrong guesses. */
  public RegistrationId register(UserId userId, Password password, BackupKey backupKey) throws VaultClientException {
    return register(userId, password, backupKey, VaultLimits.MAX_ATTEMPTS_DEFAULT);
  }

  /**
   * Registers {@code backupKey} under {@code password}: phase 1 stores the OPAQUE record;
   * phase 2 logs in against it and uploads the key sealed under the session key.
   */
  public RegistrationId register(UserId userId, Password password, BackupKey backupKey, int maxAttempts)
      throws VaultClientException {
    for (int attempt = 1; ; attempt++) {
      try {
        return registerOnce(userId, password, backupKey, maxAttempts);
      } catch (VaultClientException e) {
        if (attempt > LEADER_CHANGE_RETRIES_MAX || !lostWithLeader(e)) {
          throw e;
        }
      }
    }
  }

  /** The exchange was held by a leader that is gone: only starting over can finish it. */
  private static boolean lostWithLeader(VaultClientException e) {
    return e.refusal().filter(r -> r == FirmwareResponse.Reason.UNKNOWN_REGISTRATION
        || r == FirmwareResponse.Reason.UNKNOWN_LOGIN).isPresent();
  }

  private RegistrationId registerOnce(UserId userId, Password password, BackupKey backupKey, int maxAttempts)
      throws VaultClientException {
    ClientRegistrationStart start = opaque.startRegistration(password, random);
    FirmwareResponse.RegisterStarted started = expect(
        call(new FirmwareRequest.RegisterStart(userId, start.request())), FirmwareResponse.RegisterStarted.class, "RegisterStart");
    if (!started.response().serverPublicKey().equals(trustedServerKey)) {
      throw new VaultClientException(VaultClientException.Kind.UNTRUSTED_SERVER,
          "the registration response carries a server key other than the trusted one");
    }
    RegistrationId registrationId = started.registrationId();
    ClientRegistrationResult result = opaque.finalizeRegistration(start.state(), started.response());
    result.exportKey().destroy();
    FirmwareResponse.RegisterStored stored = expect(
        call(new FirmwareRequest.RegisterFinish(userId, registrationId, result.record(), maxAttempts)),
        FirmwareResponse.RegisterStored.class, "RegisterFinish");
    if (!stored.registrationId().equals(registrationId)) {
      throw new VaultClientException(VaultClientException.Kind.PROTOCOL, "RegisterFinish confirmed another registration");
    }
    Login login = login(userId, password, LoginPurpose.EXPOSE)
        .orElseThrow(() -> new VaultClientException(VaultClientException.Kind.PROTOCOL,
            "the login against the record just stored failed"));
    try {
      byte[] upload = VaultProtocol.sealExposeUpload(login.session(), userId, registrationId, backupKey, random);
      FirmwareResponse.Exposed exposed = expect(call(new FirmwareRequest.LoginFinish(login.loginId(), login.ke3(), upload)),
          FirmwareResponse.Exposed.class, "expose");
      if (!VaultProtocol.verifyConfirmation(login.session(), VaultProtocol.Outcome.EXPOSED, userId, exposed.confirmation())) {
        throw new VaultClientException(VaultClientException.Kind.PROTOCOL, "the expose confirmation does not verify");
      }
      return registrationId;
    } finally {
      login.session().destroy();
    }
  }

  /**
   * Recovers the backup key; every call counts one guess against the registration. A right
   * password whose KE3 reached a new leader (the one that answered KE2 lost leadership) logs in
   * again, at most {@link #LEADER_CHANGE_RETRIES_MAX} times: each login is a counted guess, and
   * the recovery that succeeds resets the count.
   */
  public RecoveryResult recover(UserId userId, Password password) throws VaultClientException {
    for (int attempt = 1; ; attempt++) {
      try {
        return recoverOnce(userId, password);
      } catch (VaultClientException e) {
        if (attempt > LEADER_CHANGE_RETRIES_MAX || !lostWithLeader(e)) {
          throw e;
        }
      }
    }
  }

  private RecoveryResult recoverOnce(UserId userId, Password password) throws VaultClientException {
    Optional<Login> login = login(userId, password, LoginPurpose.RECOVER);
    if (login.isEmpty()) {
      return new RecoveryResult.NotRecovered();
    }
    try {
      FirmwareResponse response = call(new FirmwareRequest.LoginFinish(login.get().loginId(), login.get().ke3(), new byte[0]));
      if (response instanceof FirmwareResponse.LoginFailed) {
        return new RecoveryResult.NotRecovered(); // the registration changed since KE1
      }
      byte[] sealed = expect(response, FirmwareResponse.Recovered.class, "recover").sealedBackupKey();
      BackupKey backupKey = VaultProtocol.openRecovered(login.get().session(), userId, sealed)
          .orElseThrow(() -> new VaultClientException(VaultClientException.Kind.PROTOCOL,
              "the released backup key does not open under the session key"));
      return new RecoveryResult.Recovered(backupKey);
    } finally {
      login.get().session().destroy();
    }
  }

  public VaultStatus status(UserId userId) throws VaultClientException {
    FirmwareResponse response = call(new FirmwareRequest.Status(userId));
    if (response instanceof FirmwareResponse.NotFound) {
      return new VaultStatus.NoRecord();
    }
    FirmwareResponse.StatusReport report = expect(response, FirmwareResponse.StatusReport.class, "status");
    return new VaultStatus.Registered(report.phase(), report.guessesRemaining(), report.maxAttempts());
  }

  /** Deletes the registration after proving the password; false when the password did not open it. */
  public boolean delete(UserId userId, Password password) throws VaultClientException {
    Optional<Login> login = login(userId, password, LoginPurpose.DELETE);
    if (login.isEmpty()) {
      return false;
    }
    try {
      FirmwareResponse response = call(new FirmwareRequest.LoginFinish(login.get().loginId(), login.get().ke3(), new byte[0]));
      if (response instanceof FirmwareResponse.LoginFailed) {
        return false;
      }
      FirmwareResponse.Deleted deleted = expect(response, FirmwareResponse.Deleted.class, "delete");
      if (!VaultProtocol.verifyConfirmation(login.get().session(), VaultProtocol.Outcome.DELETED, userId, deleted.confirmation())) {
        throw new VaultClientException(VaultClientException.Kind.PROTOCOL, "the delete confirmation does not verify");
      }
      return true;
    } finally {
      login.get().session().destroy();
    }
  }

  /** A login that reached KE3: the caller finishes it with its purpose's payload. */
  private record Login(LoginId loginId, dev.bkv.crypto.opaque.KE3 ke3, SessionKey session) {}

  /**
   * KE1 → KE2 → client finish. When the password does not open the envelope (or the user is
   * unknown), tells the firmware the login is over, so a record at its limit is destroyed
   * now rather than at the next attempt, and returns empty.
   */
  private Optional<Login> login(UserId userId, Password password, LoginPurpose purpose) throws VaultClientException {
    ClientLoginStart start = opaque.startLogin(password, random);
    FirmwareResponse.LoginStarted started = expect(
        call(new FirmwareRequest.LoginStart(userId, purpose, start.ke1(), context)), FirmwareResponse.LoginStarted.class,
        "LoginStart");
    ClientLoginResult result = opaque.finishLogin(start.state(), started.ke2());
    if (result instanceof ClientLoginResult.ClientLoginSucceeded) {
      ClientLoginResult.ClientLoginSucceeded success = (ClientLoginResult.ClientLoginSucceeded) result;
      success.exportKey().destroy();
      return Optional.of(new Login(started.loginId(), success.ke3(), success.sessionKey()));
    }
    FirmwareResponse cancelled = call(new FirmwareRequest.LoginCancel(started.loginId()));
    if (!(cancelled instanceof FirmwareResponse.Refused
        && ((FirmwareResponse.Refused) cancelled).reason() == FirmwareResponse.Reason.UNKNOWN_LOGIN)) {
      // UNKNOWN_LOGIN: the leader that answered is gone, and its session with it; the guess
      // stays counted either way, and the password is known to be wrong: nothing to retry.
      expect(cancelled, FirmwareResponse.LoginFailed.class, "LoginCancel");
    }
    return Optional.empty();
  }

  private FirmwareResponse call(FirmwareRequest request) throws VaultClientException {
    return exchange(transport, request);
  }

  private static FirmwareResponse exchange(VaultTransport transport, FirmwareRequest request) throws VaultClientException {
    byte[] answer;
    try {
      answer = transport.exchange(FirmwareCodec.encode(request));
    } catch (VaultTransport.TransportException e) {
      throw new VaultClientException(VaultClientException.Kind.TRANSPORT, null, e.getMessage(), e);
    }
    try {
      return FirmwareCodec.decodeResponse(answer);
    } catch (DecodeException e) {
      throw new VaultClientException(VaultClientException.Kind.PROTOCOL, null, "malformed answer: " + e.getMessage(), e);
    }
  }

  private static <T extends FirmwareResponse> T expect(FirmwareResponse response, Class<T> type, String step)
      throws VaultClientException {
    if (type.isInstance(response)) {
      return type.cast(response);
    }
    if (response instanceof FirmwareResponse.Refused) {
      FirmwareResponse.Refused refused = (FirmwareResponse.Refused) response;
      throw new VaultClientException(VaultClientException.Kind.REFUSED, refused.reason(),
          step + " refused (" + refused.reason() + "): " + refused.detail(), null);
    }
    throw new VaultClientException(VaultClientException.Kind.PROTOCOL,
        step + " answered " + response.kind() + " where " + type.getSimpleName() + " was expected");
  }
}
