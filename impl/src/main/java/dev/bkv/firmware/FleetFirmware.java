package dev.bkv.firmware;

import dev.bkv.base.Check;
import dev.bkv.consensus.Output;
import dev.bkv.consensus.PeerKeys;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.OpaqueServer;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.crypto.opaque.ServerLoginResult;
import dev.bkv.crypto.opaque.ServerLoginStart;
import dev.bkv.crypto.opaque.ServerLoginState;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.crypto.opaque.SessionKey;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.FirmwareResponse.Reason;
import dev.bkv.hsm.Hsm;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.LoginId;
import dev.bkv.hsm.LoginPurpose;
import dev.bkv.hsm.OpaqueContext;
import dev.bkv.hsm.VaultProtocol;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.UserId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OPAQUE side of one fleet HSM, over its {@link ReplicatedVault}: client requests in
 * (the single-HSM {@link FirmwareRequest}s), client responses out once the vault releases
 * them. Count before reveal: a login's KE2 is computed only when the vault releases the
 * committed {@code CountGuess} answer, never before. Everything here is volatile and lives on
 * the HSM that answered: a login started on one leader is finished on it or not at all.
 *
 * <p>Differences from the single-HSM {@code VaultFirmware}, because the leader cannot read
 * committed state before it appends: every login is counted (a login whose purpose does not
 * apply to the record's phase is counted and answered with the fake record, so it can never
 * succeed); a registration upload needs the start on the same leader.
 */
public final class FleetFirmware {
  /** Registrations between their response and their upload; evicting one makes its client start again. */
  public static final int PENDING_REGISTRATIONS_MAX = 1024;
  /** Logins between KE2 and KE3; evicting one only makes its client log in again (its guess stays counted). */
  public static final int PENDING_LOGINS_MAX = 1024;

  /** One client answer: the host's request id and the response. */
  public record Answer(long requestId, FirmwareResponse response) {}

  /** One step: the core's output for the host, and the client answers now due. */
  public record Step(Output output, List<Answer> answers) {
    public Step {
      answers = List.copyOf(answers);
    }
  }

  /** What a request waiting in the vault was. */
  private sealed interface Op permits RegisterOp, LoginStartOp, LoginFinishOp, MigrateOutOp, MigrateInOp {}

  private record RegisterOp(RegistrationId registrationId) implements Op {}

  private record LoginStartOp(FirmwareRequest.LoginStart request) implements Op {}

  private record LoginFinishOp(LoginPurpose purpose, UserId userId, SessionKey session) implements Op {}

  /** A MigrateOut whose target the anchors approved: sealed to it once the vault releases the answer. */
  private record MigrateOutOp(UserId userId, MigrationAnchors.Approved target) implements Op {}

  private record MigrateInOp(UserId userId) implements Op {}

  /**
   * An answered login: the OPAQUE state for KE3, the vault session it finishes, and the server
   * that computed KE2 (this fleet's, or for an imported registration its source fleet's).
   */
  private record Login(long vaultLoginId, boolean counted, UserId userId, RegistrationId registrationId,
      LoginPurpose purpose, ServerLoginState state, OpaqueServer server) {
    boolean fake() {
      return registrationId == null;
    }
  }

  private final Hsm hsm;
  private final ServerSetup setup;
  /** One OPAQUE server per context profile, over this fleet's setup: a login is answered under the context it names. */
  private final EnumMap<OpaqueContext, OpaqueServer> servers = new EnumMap<>(OpaqueContext.class);
  private final ReplicatedVault vault;
  /** Trust for exporting records to a new fleet; empty: this fleet exports none. */
  private final Optional<MigrationAnchors> anchors;
  private final Map<Long, Op> ops = new HashMap<>();
  private final LinkedHashMap<RegistrationId, UserId> registrations = new LinkedHashMap<>();
  private final LinkedHashMap<LoginId, Login> logins = new LinkedHashMap<>();

  public FleetFirmware(Hsm hsm, ReplicatedVault vault) throws HsmException {
    this(hsm, vault, Optional.empty());
  }

  /** A fleet HSM that exports records to a new fleet only if its bundle passes {@code anchors} (fleet rotation, G8). */
  public FleetFirmware(Hsm hsm, ReplicatedVault vault, Optional<MigrationAnchors> anchors) throws HsmException {
    this.hsm = hsm;
    this.setup = hsm.opaqueServerSetup();
    for (OpaqueContext context : OpaqueContext.values()) {
      servers.put(context, new OpaqueServer(VaultProtocol.serverOpaqueConfig(context), setup));
    }
    this.vault = vault;
    this.anchors = anchors;
  }

  /**
   * The MAC keys of the fleet's peer links, derived inside the HSM from the fleet secrets the
   * key ceremony gave every member (the OPAQUE server setup), bound to the fleet id.
   */
  public static PeerKeys peerKeys(Hsm hsm, byte[] fleetId, int members) throws HsmException {
    byte[] secret = hsm.opaqueServerSetup().encode();
    try {
      return PeerKeys.derive(secret, fleetId, members);
    } finally {
      java.util.Arrays.fill(secret, (byte) 0);
    }
  }

  public ReplicatedVault vault() {
    return vault;
  }

  /** A client request. Immediate answers (and refusals) come back in the step; others later. */
  public Step handle(long requestId, FirmwareRequest request) {
    try {
      switch (request.kind()) {
        case REGISTER_START:
          return now(requestId, registerStart((FirmwareRequest.RegisterStart) request));
        case REGISTER_FINISH:
          return registerFinish(requestId, (FirmwareRequest.RegisterFinish) request);
        case LOGIN_START:
          return loginStart(requestId, (FirmwareRequest.LoginStart) request);
        case LOGIN_FINISH:
          return loginFinish(requestId, ((FirmwareRequest.LoginFinish) request).loginId(),
              Optional.of((FirmwareRequest.LoginFinish) request));
        case LOGIN_CANCEL:
          return loginFinish(requestId, ((FirmwareRequest.LoginCancel) request).loginId(), Optional.empty());
        case STATUS:
          return now(requestId, status((FirmwareRequest.Status) request));
        case ATTEST:
          return now(requestId, new FirmwareResponse.Attestation(hsm.attest()));
        case MIGRATE_OUT:
          return migrateOut(requestId, (FirmwareRequest.MigrateOut) request);
        case MIGRATE_IN:
          return migrateIn(requestId, (FirmwareRequest.MigrateIn) request);
        case LIST_USERS:
          return now(requestId, listUsers((FirmwareRequest.ListUsers) request));
        default:
          throw new AssertionError(request);
      }
    } catch (HsmException e) {
      return now(requestId, new FirmwareResponse.Refused(
          e.reason() == HsmException.Reason.ZEROIZED ? Reason.HSM_ZEROIZED : Reason.HALTED, e.getMessage()));
    }
  }

  /** Turns a vault step (from any host input) into client answers. */
  public Step translate(ReplicatedVault.Step step) {
    List<Answer> answers = new ArrayList<>();
    for (ReplicatedVault.Outcome outcome : step.outcomes()) {
      Op op = ops.remove(outcome.requestId());
      if (op == null) {
        continue;
      }
      answers.add(new Answer(outcome.requestId(), answer(outcome, op)));
    }
    return new Step(step.output(), answers);
  }

  // Host inputs, passed through to the vault and translated.

  public Step onElectionTimeout() {
    return translate(vault.onElectionTimeout());
  }

  public Step onHeartbeatTick() {
    return translate(vault.onHeartbeatTick());
  }

  public Step onPeerMessage(byte[] bytes) {
    return translate(vault.onPeerMessage(bytes));
  }

  public Step onLogWritten() {
    return translate(vault.onLogWritten());
  }

  // ---------------------------------------------------------------------------------------

  private FirmwareResponse registerStart(FirmwareRequest.RegisterStart request) {
    RegistrationId registrationId = fresh(RegistrationId.BYTES, RegistrationId::new);
    if (registrationId.equals(VaultProtocol.NO_REGISTRATION)) {
      registrationId = fresh(RegistrationId.BYTES, RegistrationId::new); // 2^-128: draw once more
    }
    // Registration binds no context (RFC 9807 uses it only in the login's preamble): any server answers alike.
    var response = servers.get(OpaqueContext.BKV).createRegistrationResponse(
        request.request(), VaultProtocol.credentialIdentifier(request.userId(), registrationId));
    if (registrations.size() >= PENDING_REGISTRATIONS_MAX) {
      Iterator<RegistrationId> oldest = registrations.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    registrations.put(registrationId, request.userId());
    return new FirmwareResponse.RegisterStarted(registrationId, response);
  }

  private Step registerFinish(long requestId, FirmwareRequest.RegisterFinish request) {
    if (!request.userId().equals(registrations.get(request.registrationId()))) {
      return now(requestId, new FirmwareResponse.Refused(Reason.UNKNOWN_REGISTRATION, "registration "
          + request.registrationId().toHex() + " is not pending on this HSM; start the registration again"));
    }
    registrations.remove(request.registrationId());
    Command store = new Command.RegisterStore(request.userId(), request.registrationId(), request.record().encode(),
        request.maxAttempts());
    return submit(requestId, new RegisterOp(request.registrationId()), store);
  }

  private Step loginStart(long requestId, FirmwareRequest.LoginStart request) {
    // Count before reveal: the guess is counted by a committed entry before KE2 exists.
    return submit(requestId, new LoginStartOp(request), new Command.CountGuess(request.userId(), request.ke1Digest()));
  }

  private Step loginFinish(long requestId, LoginId loginId, Optional<FirmwareRequest.LoginFinish> finish) {
    Login login = logins.remove(loginId);
    if (login == null) {
      return now(requestId, new FirmwareResponse.Refused(Reason.UNKNOWN_LOGIN,
          "login " + loginId.toHex() + " is not pending here (finished, evicted, or lost in a restart or leader change)"));
    }
    try {
      if (!login.counted()) {
        // No record was counted (unknown user, or one destroyed by this guess): the vault
        // holds no session and there is nothing to append.
        return now(requestId, new FirmwareResponse.LoginFailed());
      }
      ReplicatedVault.LoginEnd end = new ReplicatedVault.LoginEnd.Fail();
      SessionKey session = null;
      if (finish.isPresent() && (login.purpose() == LoginPurpose.EXPOSE || finish.get().payload().length == 0)) {
        // The state holds the MAC expected under the login's own context: a KE3 made under another fails here.
        ServerLoginResult result = login.server().finishLogin(login.state(), finish.get().ke3());
        if (result instanceof ServerLoginResult.LoginSucceeded && !login.fake()) {
          session = ((ServerLoginResult.LoginSucceeded) result).sessionKey();
          end = successfulEnd(login, session, finish.get().payload());
        }
      }
      if (end instanceof ReplicatedVault.LoginEnd.Fail && session != null) {
        session.destroy();
        session = null;
      }
      ops.put(requestId, new LoginFinishOp(login.purpose(), login.userId(), session));
      return translate(vault.finishLogin(requestId, login.vaultLoginId(), end));
    } finally {
      login.state().destroy();
    }
  }

  /** KE3 verified: what the purpose appends (an expose upload that does not open fails the login). */
  private static ReplicatedVault.LoginEnd successfulEnd(Login login, SessionKey session, byte[] upload) {
    switch (login.purpose()) {
      case RECOVER:
        return new ReplicatedVault.LoginEnd.Recover();
      case EXPOSE: {
        Optional<BackupKey> key = VaultProtocol.openExposeUpload(session, login.userId(), login.registrationId(), upload);
        return key.<ReplicatedVault.LoginEnd>map(ReplicatedVault.LoginEnd.Expose::new)
            .orElse(new ReplicatedVault.LoginEnd.Fail());
      }
      case DELETE:
        return new ReplicatedVault.LoginEnd.Delete();
      default:
        throw new AssertionError(login.purpose());
    }
  }

  private FirmwareResponse status(FirmwareRequest.Status request) {
    Optional<Response> response = vault.status(request.userId());
    if (response.isEmpty()) {
      return notLeader();
    }
    if (response.get() instanceof Response.StatusReport) {
      Response.StatusReport report = (Response.StatusReport) response.get();
      return new FirmwareResponse.StatusReport(report.phase(), report.guessesRemaining(), report.maxAttempts());
    }
    return new FirmwareResponse.NotFound();
  }

  private Step submit(long requestId, Op op, Command command) {
    ops.put(requestId, op);
    return translate(vault.submit(List.of(new ReplicatedVault.Request(requestId, command))));
  }

  /** The client response for a vault outcome. */
  private FirmwareResponse answer(ReplicatedVault.Outcome outcome, Op op) {
    if (outcome instanceof ReplicatedVault.Refused) {
      ReplicatedVault.Refused refused = (ReplicatedVault.Refused) outcome;
      closeSession(op);
      switch (refused.kind()) {
        case NOT_LEADER:
          return notLeader(refused.leaderHint());
        case NO_SESSION:
          return new FirmwareResponse.Refused(Reason.UNKNOWN_LOGIN, refused.reason());
        default:
          return new FirmwareResponse.Refused(Reason.TRY_AGAIN, refused.reason());
      }
    }
    if (outcome instanceof ReplicatedVault.Dropped) {
      closeSession(op);
      return new FirmwareResponse.Refused(Reason.TRY_AGAIN, ((ReplicatedVault.Dropped) outcome).reason());
    }
    Response response = ((ReplicatedVault.Released) outcome).response();
    if (op instanceof RegisterOp) {
      return registered((RegisterOp) op, response);
    }
    if (op instanceof LoginStartOp) {
      return loginStarted(outcome.requestId(), (LoginStartOp) op, response);
    }
    if (op instanceof MigrateOutOp) {
      // The committed MigrateOut answer is released: now, and only now, the export is sealed.
      MigrateOutOp out = (MigrateOutOp) op;
      return FleetMigration.sealExport(out.userId(), out.target(), response, setup, hsm.random());
    }
    if (op instanceof MigrateInOp) {
      return FleetMigration.imported(((MigrateInOp) op).userId(), response);
    }
    return loginFinished((LoginFinishOp) op, response);
  }

  private static FirmwareResponse registered(RegisterOp op, Response response) {
    if (response instanceof Response.Stored) {
      return new FirmwareResponse.RegisterStored(op.registrationId());
    }
    Response.Reason reason = ((Response.Refused) response).reason();
    if (reason == Response.Reason.VAULT_FULL) {
      return new FirmwareResponse.Refused(Reason.VAULT_FULL, "the vault holds its maximum number of registrations");
    }
    if (reason == Response.Reason.REGISTRATION_RETIRED) {
      return new FirmwareResponse.Refused(Reason.REGISTRATION_CONFLICT,
          "registration " + op.registrationId().toHex() + " was destroyed or deleted; start a new registration");
    }
    return new FirmwareResponse.Refused(Reason.REGISTRATION_CONFLICT,
        "registration " + op.registrationId().toHex() + " was stored with other content");
  }

  /** The committed CountGuess answer is released: now, and only now, KE2 is computed. */
  private FirmwareResponse loginStarted(long vaultLoginId, LoginStartOp op, Response response) {
    FirmwareRequest.LoginStart request = op.request();
    UserId userId = request.userId();
    RegistrationId registrationId = null;
    RegistrationRecord record = null;
    if (response instanceof Response.GuessCounted
        && request.purpose().appliesTo(((Response.GuessCounted) response).phase())) {
      Response.GuessCounted guess = (Response.GuessCounted) response;
      registrationId = guess.registrationId();
      record = storedRecord(guess.registrationRecord());
    }
    // Unknown user, a record in another phase (MIGRATED too), or one just destroyed: RFC 9807's
    // fake credential response, indistinguishable on the wire, and a KE3 that can never verify.
    // The context the client named; for an imported registration, over its source fleet's setup.
    OpaqueServer own = servers.get(request.context());
    OpaqueServer loginServer = registrationId == null ? own : serverFor(userId, registrationId, request.context());
    ServerLoginStart start = loginServer.startLogin(record, VaultProtocol.credentialIdentifier(userId,
        registrationId == null ? VaultProtocol.NO_REGISTRATION : registrationId), request.ke1(), hsm.random());
    if (logins.size() >= PENDING_LOGINS_MAX) {
      Iterator<Map.Entry<LoginId, Login>> oldest = logins.entrySet().iterator();
      oldest.next().getValue().state().destroy();
      oldest.remove();
    }
    LoginId loginId = fresh(LoginId.BYTES, LoginId::new);
    boolean counted = response instanceof Response.GuessCounted;
    logins.put(loginId, new Login(vaultLoginId, counted, userId, registrationId, request.purpose(), start.state(),
        loginServer));
    return new FirmwareResponse.LoginStarted(loginId, start.ke2());
  }

  /** The server that answers logins of {@code registrationId} under {@code context} (see {@link FleetMigration#serverFor}). */
  private OpaqueServer serverFor(UserId userId, RegistrationId registrationId, OpaqueContext context) {
    return FleetMigration.serverFor(vault.record(userId), registrationId, servers.get(context), context);
  }

  // Fleet rotation (G8) -------------------------------------------------------------------

  /**
   * Old fleet: the new fleet's bundle is checked here, inside the HSM, before anything is
   * appended; the record is frozen by a committed MigrateOut before any export of it exists.
   */
  private Step migrateOut(long requestId, FirmwareRequest.MigrateOut request) {
    if (anchors.isEmpty()) {
      return now(requestId, new FirmwareResponse.Refused(Reason.MIGRATION_NOT_CONFIGURED,
          "this HSM was given no trust anchors for migration, so it exports no record"));
    }
    MigrationAnchors.Target target = anchors.get().check(request.targetWitnessedBundle(),
        request.ownWitnessedBundle(), setup.serverPublicKey());
    if (target instanceof MigrationAnchors.Rejected) {
      return now(requestId, new FirmwareResponse.Refused(Reason.TARGET_NOT_TRUSTED,
          ((MigrationAnchors.Rejected) target).reason()));
    }
    if (vault.core().role() != dev.bkv.consensus.ReplicaCore.Role.LEADER) {
      return now(requestId, notLeader());
    }
    // The registration id from the applied state: a stale one only makes R12 answer NotFound.
    Optional<dev.bkv.vault.VaultRecord> record = vault.record(request.userId());
    if (record.isEmpty()) {
      return now(requestId, new FirmwareResponse.NotFound());
    }
    MigrationAnchors.Approved approved = (MigrationAnchors.Approved) target;
    return submit(requestId, new MigrateOutOp(request.userId(), approved),
        new Command.MigrateOut(request.userId(), record.get().registrationId(), approved.targetBundle()));
  }

  /** New fleet: the export opens only under this fleet's server key; its record is checked before it is appended. */
  private Step migrateIn(long requestId, FirmwareRequest.MigrateIn request) {
    FleetMigration.Import opened = FleetMigration.open(request.export(), setup);
    if (opened instanceof FleetMigration.Reject) {
      return now(requestId, ((FleetMigration.Reject) opened).refusal());
    }
    Command.MigrateIn command = ((FleetMigration.Submit) opened).command();
    return submit(requestId, new MigrateInOp(command.userId()), command);
  }

  /** A page of user ids, read from the leader's applied state like a status read. */
  private FirmwareResponse listUsers(FirmwareRequest.ListUsers request) {
    Optional<List<UserId>> page = vault.usersAfter(request.after(), request.max() + 1);
    if (page.isEmpty()) {
      return notLeader();
    }
    boolean more = page.get().size() > request.max();
    return new FirmwareResponse.Users(more ? page.get().subList(0, request.max()) : page.get(), more);
  }

  private FirmwareResponse loginFinished(LoginFinishOp op, Response response) {
    SessionKey session = op.session();
    try {
      if (response instanceof Response.Recovered && session != null) {
        BackupKey backupKey = ((Response.Recovered) response).backupKey();
        byte[] sealed = VaultProtocol.sealRecovered(session, op.userId(), backupKey, hsm.random());
        backupKey.destroy();
        return new FirmwareResponse.Recovered(sealed);
      }
      if (response instanceof Response.Exposed && session != null) {
        return new FirmwareResponse.Exposed(VaultProtocol.confirmation(session, VaultProtocol.Outcome.EXPOSED, op.userId()));
      }
      if (response instanceof Response.Deleted && session != null) {
        return new FirmwareResponse.Deleted(VaultProtocol.confirmation(session, VaultProtocol.Outcome.DELETED, op.userId()));
      }
      if (response instanceof Response.Refused && ((Response.Refused) response).reason() == Response.Reason.ALREADY_EXPOSED) {
        return new FirmwareResponse.Refused(Reason.ALREADY_EXPOSED, "the registration is already exposed");
      }
      return new FirmwareResponse.LoginFailed();
    } finally {
      if (session != null) {
        session.destroy();
      }
    }
  }

  private static void closeSession(Op op) {
    if (op instanceof LoginFinishOp && ((LoginFinishOp) op).session() != null) {
      ((LoginFinishOp) op).session().destroy();
    }
  }

  private FirmwareResponse notLeader() {
    return notLeader(vault.core().leaderHint());
  }

  private static FirmwareResponse notLeader(int leaderHint) {
    return new FirmwareResponse.Refused(Reason.NOT_LEADER,
        leaderHint < 0 ? "not the leader; no leader known" : "not the leader; leader: HSM " + leaderHint);
  }

  private Step now(long requestId, FirmwareResponse response) {
    return new Step(new Output(), List.of(new Answer(requestId, response)));
  }

  private static RegistrationRecord storedRecord(byte[] encoded) {
    try {
      return RegistrationRecord.decode(encoded);
    } catch (DecodeException e) {
      // Records are stored only after decoding as a RegistrationRecord at upload.
      throw new Check.InvariantViolation("stored registration record decodes: " + e.getMessage());
    }
  }

  private <T> T fresh(int bytes, java.util.function.Function<byte[], T> make) {
    byte[] random = new byte[bytes];
    hsm.random().nextBytes(random);
    return make.apply(random);
  }

}
