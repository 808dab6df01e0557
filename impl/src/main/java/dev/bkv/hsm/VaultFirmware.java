package dev.bkv.hsm;

import dev.bkv.base.Check;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.OpaqueServer;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.crypto.opaque.ServerLoginResult;
import dev.bkv.crypto.opaque.ServerLoginStart;
import dev.bkv.crypto.opaque.SessionKey;
import dev.bkv.hsm.FirmwareResponse.Reason;
import dev.bkv.hsm.PendingLogins.Pending;
import dev.bkv.storage.StorageException;
import dev.bkv.storage.VaultStorage;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultRecord;
import dev.bkv.vault.VaultState;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * The code that runs inside the HSM: the only entry point the host uses. Requests come in
 * as bytes, are decoded into typed requests (malformed ones are refused, naming the field),
 * and answered with typed responses. It owns the vault state, the OPAQUE servers (keys from
 * the {@link Hsm}), the pending registrations and logins, and the journal.
 *
 * <p>Count before reveal: a login's guess is applied as {@code CountGuess} and made durable
 * (sealed log entry written, NVRAM advanced) before KE2 is computed; every command that
 * changes the state is durable before any response that depends on it is returned. If
 * making a change durable fails, the firmware halts: its memory is ahead of its storage,
 * so it answers nothing more until the host restarts it from storage ({@link #boot}).
 * The same holds for a violated invariant: stop rather than continue in a state the code
 * does not understand.
 */
public final class VaultFirmware {
  /** Logins between KE2 and KE3; see {@link PendingLogins} for why eviction is safe. */
  public static final int PENDING_LOGINS_MAX = 1024;
  /** Registrations between their response and their upload; evicting one only makes its client start again. */
  public static final int PENDING_REGISTRATIONS_MAX = 1024;

  /** Bounds of one firmware instance (tests shrink them to reach the edges quickly). */
  public record Limits(int pendingLoginsMax, int pendingRegistrationsMax, long snapshotIntervalEntries) {
    public Limits {
      Check.that(pendingLoginsMax >= 1 && pendingLoginsMax <= PENDING_LOGINS_MAX, "pendingLoginsMax in [1, PENDING_LOGINS_MAX]");
      Check.that(pendingRegistrationsMax >= 1 && pendingRegistrationsMax <= PENDING_REGISTRATIONS_MAX,
          "pendingRegistrationsMax in [1, PENDING_REGISTRATIONS_MAX]");
      Check.that(snapshotIntervalEntries >= 1, "snapshotIntervalEntries at least 1");
    }

    public static Limits defaults() {
      return new Limits(PENDING_LOGINS_MAX, PENDING_REGISTRATIONS_MAX, VaultJournal.SNAPSHOT_INTERVAL_ENTRIES);
    }
  }

  private final Hsm hsm;
  /** One OPAQUE server per context profile, over the same keys: a login is answered under the context it names. */
  private final EnumMap<OpaqueContext, OpaqueServer> servers = new EnumMap<>(OpaqueContext.class);
  private final VaultState state;
  private final VaultJournal journal;
  private final PendingLogins logins;
  private final LinkedHashMap<RegistrationId, UserId> registrations = new LinkedHashMap<>();
  private final Limits limits;
  private final String bootNote;
  private String haltReason;

  private VaultFirmware(Hsm hsm, VaultJournal.Opened opened, Limits limits) throws HsmException {
    this.hsm = hsm;
    var setup = hsm.opaqueServerSetup();
    for (OpaqueContext context : OpaqueContext.values()) {
      servers.put(context, new OpaqueServer(VaultProtocol.serverOpaqueConfig(context), setup));
    }
    this.state = opened.state();
    this.journal = opened.journal();
    this.bootNote = opened.note();
    this.limits = limits;
    this.logins = new PendingLogins(limits.pendingLoginsMax());
  }

  /** Starts from what the host holds, refusing storage that NVRAM shows to be rolled back or forked. */
  public static VaultFirmware boot(Hsm hsm, VaultStorage storage) throws BootException {
    return boot(hsm, storage, Limits.defaults());
  }

  public static VaultFirmware boot(Hsm hsm, VaultStorage storage, Limits limits) throws BootException {
    VaultJournal.Opened opened = VaultJournal.open(hsm, storage, limits.snapshotIntervalEntries());
    try {
      return new VaultFirmware(hsm, opened, limits);
    } catch (HsmException e) {
      throw new BootException(BootException.Reason.HSM, e.getMessage(), e);
    }
  }

  /** The host's entry point: request bytes in, response bytes out. Never throws. */
  public synchronized byte[] handle(byte[] request) {
    if (request.length > FirmwareCodec.REQUEST_BYTES_MAX) {
      return FirmwareCodec.encode(new FirmwareResponse.Refused(Reason.REQUEST_TOO_LARGE,
          "request of " + request.length + " bytes exceeds " + FirmwareCodec.REQUEST_BYTES_MAX));
    }
    FirmwareRequest decoded;
    try {
      decoded = FirmwareCodec.decodeRequest(request);
    } catch (DecodeException e) {
      return FirmwareCodec.encode(new FirmwareResponse.Refused(Reason.MALFORMED_REQUEST, e.getMessage()));
    }
    return FirmwareCodec.encode(handle(decoded));
  }

  /** One typed request, one typed response. Never throws. */
  public synchronized FirmwareResponse handle(FirmwareRequest request) {
    if (hsm.isZeroized()) {
      // After a tamper event the keys are gone: nothing can be answered, now or after a restart.
      halt("the HSM was zeroized by a tamper event");
      return new FirmwareResponse.Refused(Reason.HSM_ZEROIZED, "the HSM was zeroized by a tamper event");
    }
    if (haltReason != null) {
      return new FirmwareResponse.Refused(Reason.HALTED, haltReason);
    }
    try {
      return dispatch(request);
    } catch (HsmException e) {
      halt(e.getMessage());
      return new FirmwareResponse.Refused(
          e.reason() == HsmException.Reason.ZEROIZED ? Reason.HSM_ZEROIZED : Reason.HALTED, e.getMessage());
    } catch (StorageException e) {
      halt("host storage failed: " + e.getMessage());
      return new FirmwareResponse.Refused(Reason.HALTED, haltReason);
    } catch (RuntimeException | AssertionError e) {
      // A violated invariant or a bug: stop answering rather than continue in a state the
      // code does not understand. The host restarts the firmware from durable storage.
      halt("internal check failed: " + e);
      return new FirmwareResponse.Refused(Reason.HALTED, haltReason);
    }
  }

  private FirmwareResponse dispatch(FirmwareRequest request) throws HsmException, StorageException {
    switch (request.kind()) {
      case REGISTER_START:
        return registerStart((FirmwareRequest.RegisterStart) request);
      case REGISTER_FINISH:
        return registerFinish((FirmwareRequest.RegisterFinish) request);
      case LOGIN_START:
        return loginStart((FirmwareRequest.LoginStart) request);
      case LOGIN_FINISH:
        return loginFinish((FirmwareRequest.LoginFinish) request);
      case LOGIN_CANCEL:
        return loginCancel((FirmwareRequest.LoginCancel) request);
      case STATUS:
        return status((FirmwareRequest.Status) request);
      case ATTEST:
        return new FirmwareResponse.Attestation(hsm.attest());
      case MIGRATE_OUT:
      case MIGRATE_IN:
        // Fleet rotation moves records between fleets; a single HSM is no fleet's member.
        return new FirmwareResponse.Refused(Reason.MIGRATION_NOT_CONFIGURED,
            "a single-HSM vault takes part in no fleet rotation");
      case LIST_USERS:
        return listUsers((FirmwareRequest.ListUsers) request);
      default:
        throw new AssertionError(request);
    }
  }

  private FirmwareResponse registerStart(FirmwareRequest.RegisterStart request) {
    RegistrationId registrationId = freshRegistrationId();
    // Registration binds no context (RFC 9807 uses it only in the login's preamble): any server answers alike.
    var response = servers.get(OpaqueContext.BKV).createRegistrationResponse(
        request.request(), VaultProtocol.credentialIdentifier(request.userId(), registrationId));
    if (registrations.size() >= limits.pendingRegistrationsMax()) {
      Iterator<RegistrationId> oldest = registrations.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    registrations.put(registrationId, request.userId());
    return new FirmwareResponse.RegisterStarted(registrationId, response);
  }

  private FirmwareResponse registerFinish(FirmwareRequest.RegisterFinish request) throws HsmException, StorageException {
    UserId userId = request.userId();
    RegistrationId registrationId = request.registrationId();
    boolean started = userId.equals(registrations.get(registrationId));
    if (!started) {
      // Only a retry of the current registration may pass without a pending start: the vault
      // answers it as a replay and changes nothing. An upload replayed after its record was
      // replaced, deleted or destroyed names an id this firmware no longer knows.
      Optional<VaultRecord> current = state.record(userId);
      if (current.isEmpty() || !current.get().registrationId().equals(registrationId)) {
        return new FirmwareResponse.Refused(Reason.UNKNOWN_REGISTRATION,
            "registration " + registrationId.toHex() + " is not pending here; start the registration again");
      }
    }
    registrations.remove(registrationId);
    Response response = applyDurably(
        new Command.RegisterStore(userId, registrationId, request.record().encode(), request.maxAttempts()));
    if (response instanceof Response.Stored) {
      return new FirmwareResponse.RegisterStored(registrationId);
    }
    Response.Reason reason = ((Response.Refused) response).reason();
    if (reason == Response.Reason.VAULT_FULL) {
      return new FirmwareResponse.Refused(Reason.VAULT_FULL, "the vault holds its maximum number of registrations");
    }
    if (reason == Response.Reason.REGISTRATION_RETIRED) {
      return new FirmwareResponse.Refused(Reason.REGISTRATION_CONFLICT,
          "registration " + registrationId.toHex() + " was destroyed or deleted; start a new registration");
    }
    Check.that(reason == Response.Reason.REGISTRATION_CONFLICT, "a store is stored, or refused as full or conflicting");
    return new FirmwareResponse.Refused(Reason.REGISTRATION_CONFLICT,
        "registration " + registrationId.toHex() + " was stored with other content");
  }

  private FirmwareResponse loginStart(FirmwareRequest.LoginStart request) throws HsmException, StorageException {
    Optional<Pending> evicted = logins.evictIfFull();
    if (evicted.isPresent()) {
      failLogin(evicted.get());
    }
    UserId userId = request.userId();
    OpaqueServer server = servers.get(request.context());
    Optional<VaultRecord> record = state.record(userId);
    if (record.isPresent() && request.purpose().appliesTo(record.get().phase())) {
      // Count before reveal: the guess is durable before KE2 exists.
      Response counted = applyDurably(new Command.CountGuess(userId, request.ke1Digest()));
      if (counted instanceof Response.GuessCounted) {
        Response.GuessCounted guess = (Response.GuessCounted) counted;
        ServerLoginStart start = server.startLogin(storedRecord(guess.registrationRecord()),
            VaultProtocol.credentialIdentifier(userId, guess.registrationId()), request.ke1(), hsm.random());
        return pend(new Pending(userId, guess.registrationId(), request.purpose(), request.context(), start.state()),
            start);
      }
      Check.that(counted instanceof Response.Destroyed, "CountGuess on a present record counts or destroys");
    }
    // Unknown user, a record in another phase, or one just destroyed: RFC 9807's fake
    // credential response, indistinguishable on the wire, and a KE3 that can never verify.
    ServerLoginStart start = server.startLogin(null,
        VaultProtocol.credentialIdentifier(userId, VaultProtocol.NO_REGISTRATION), request.ke1(), hsm.random());
    return pend(new Pending(userId, null, request.purpose(), request.context(), start.state()), start);
  }

  private FirmwareResponse pend(Pending login, ServerLoginStart start) {
    LoginId loginId = freshLoginId();
    logins.add(loginId, login);
    return new FirmwareResponse.LoginStarted(loginId, start.ke2());
  }

  private FirmwareResponse loginFinish(FirmwareRequest.LoginFinish request) throws HsmException, StorageException {
    Optional<Pending> taken = logins.take(request.loginId());
    if (taken.isEmpty()) {
      return unknownLogin(request.loginId());
    }
    Pending login = taken.get();
    try {
      if (login.purpose() != LoginPurpose.EXPOSE && request.payload().length != 0) {
        failLogin(login);
        return new FirmwareResponse.Refused(Reason.MALFORMED_REQUEST, "payload: only an EXPOSE login carries one");
      }
      // The state holds the MAC expected under the login's own context: a KE3 made under another fails here.
      ServerLoginResult result = servers.get(login.context()).finishLogin(login.state(), request.ke3());
      if (!(result instanceof ServerLoginResult.LoginSucceeded) || login.fake()) {
        return failLogin(login);
      }
      SessionKey session = ((ServerLoginResult.LoginSucceeded) result).sessionKey();
      try {
        switch (login.purpose()) {
          case RECOVER:
            return recover(login, session);
          case EXPOSE:
            return expose(login, session, request.payload());
          case DELETE:
            return delete(login, session);
          default:
            throw new AssertionError(login.purpose());
        }
      } finally {
        session.destroy();
      }
    } finally {
      login.state().destroy();
    }
  }

  private FirmwareResponse recover(Pending login, SessionKey session) throws HsmException, StorageException {
    Response response = applyDurably(new Command.RecoverSucceeded(login.userId(), login.registrationId()));
    if (!(response instanceof Response.Recovered)) {
      return new FirmwareResponse.LoginFailed(); // the registration was replaced since KE1
    }
    BackupKey backupKey = ((Response.Recovered) response).backupKey();
    byte[] sealed = VaultProtocol.sealRecovered(session, login.userId(), backupKey, hsm.random());
    backupKey.destroy();
    return new FirmwareResponse.Recovered(sealed);
  }

  private FirmwareResponse expose(Pending login, SessionKey session, byte[] upload) throws HsmException, StorageException {
    Optional<BackupKey> backupKey = VaultProtocol.openExposeUpload(session, login.userId(), login.registrationId(), upload);
    if (backupKey.isEmpty()) {
      failLogin(login);
      return new FirmwareResponse.Refused(Reason.BAD_BACKUP_KEY_UPLOAD, "the backup key upload does not open under the session key");
    }
    Response response = applyDurably(new Command.RegisterExpose(login.userId(), login.registrationId(), backupKey.get()));
    backupKey.get().destroy();
    if (response instanceof Response.Exposed) {
      return new FirmwareResponse.Exposed(VaultProtocol.confirmation(session, VaultProtocol.Outcome.EXPOSED, login.userId()));
    }
    if (response instanceof Response.Refused) {
      return new FirmwareResponse.Refused(Reason.ALREADY_EXPOSED, "the registration is already exposed");
    }
    return new FirmwareResponse.LoginFailed();
  }

  private FirmwareResponse delete(Pending login, SessionKey session) throws HsmException, StorageException {
    Response response = applyDurably(new Command.Delete(login.userId(), login.registrationId()));
    if (response instanceof Response.Deleted) {
      return new FirmwareResponse.Deleted(VaultProtocol.confirmation(session, VaultProtocol.Outcome.DELETED, login.userId()));
    }
    return new FirmwareResponse.LoginFailed();
  }

  private FirmwareResponse loginCancel(FirmwareRequest.LoginCancel request) throws HsmException, StorageException {
    Optional<Pending> taken = logins.take(request.loginId());
    if (taken.isEmpty()) {
      return unknownLogin(request.loginId());
    }
    try {
      return failLogin(taken.get());
    } finally {
      taken.get().state().destroy();
    }
  }

  /** A counted login ended without success: the count stays; a record at its limit is destroyed (R8). */
  private FirmwareResponse failLogin(Pending login) throws HsmException, StorageException {
    if (!login.fake()) {
      applyDurably(new Command.GuessFailed(login.userId(), login.registrationId()));
    }
    return new FirmwareResponse.LoginFailed();
  }

  private static FirmwareResponse unknownLogin(LoginId loginId) {
    return new FirmwareResponse.Refused(Reason.UNKNOWN_LOGIN,
        "login " + loginId.toHex() + " is not pending (finished, evicted, or lost in a restart)");
  }

  private FirmwareResponse listUsers(FirmwareRequest.ListUsers request) {
    java.util.List<dev.bkv.vault.UserId> page = state.usersAfter(request.after(), request.max() + 1);
    boolean more = page.size() > request.max();
    return new FirmwareResponse.Users(more ? page.subList(0, request.max()) : page, more);
  }

  private FirmwareResponse status(FirmwareRequest.Status request) {
    Response response = state.status(request.userId());
    if (response instanceof Response.StatusReport) {
      Response.StatusReport report = (Response.StatusReport) response;
      return new FirmwareResponse.StatusReport(report.phase(), report.guessesRemaining(), report.maxAttempts());
    }
    return new FirmwareResponse.NotFound();
  }

  /** Applies a command and, if it changed the state, makes it durable before returning. */
  private Response applyDurably(Command command) throws HsmException, StorageException {
    if (!journal.hasSealBudget()) {
      throw new HsmException(HsmException.Reason.NVRAM_FAILED,
          "the sealing key's random-nonce budget is spent; move the vault to a new key");
    }
    Response response = state.apply(command);
    if (response.changedState()) {
      journal.append(command, state);
    }
    return response;
  }

  private static RegistrationRecord storedRecord(byte[] encoded) {
    try {
      return RegistrationRecord.decode(encoded);
    } catch (DecodeException e) {
      // Records are stored only after decoding as a RegistrationRecord at upload.
      throw new Check.InvariantViolation("stored registration record decodes: " + e.getMessage());
    }
  }

  private RegistrationId freshRegistrationId() {
    while (true) {
      byte[] bytes = new byte[RegistrationId.BYTES];
      hsm.random().nextBytes(bytes);
      RegistrationId id = new RegistrationId(bytes);
      if (!id.equals(VaultProtocol.NO_REGISTRATION) && !registrations.containsKey(id)) {
        return id;
      }
    }
  }

  private LoginId freshLoginId() {
    while (true) {
      byte[] bytes = new byte[LoginId.BYTES];
      hsm.random().nextBytes(bytes);
      LoginId id = new LoginId(bytes);
      if (!logins.contains(id)) {
        return id;
      }
    }
  }

  private void halt(String reason) {
    if (haltReason == null) {
      haltReason = reason;
    }
  }

  /** The last durable version of the vault state. */
  public synchronized long version() {
    return journal.version();
  }

  /** What the boot had to repair (an adopted or discarded unacknowledged entry), or empty. */
  public String bootNote() {
    return bootNote;
  }

  public synchronized Optional<String> haltReason() {
    return Optional.ofNullable(haltReason);
  }

  synchronized int pendingLogins() {
    return logins.size();
  }

  synchronized VaultState stateForTests() {
    return state;
  }
}
