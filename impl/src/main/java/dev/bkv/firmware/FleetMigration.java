package dev.bkv.firmware;

import dev.bkv.base.Check;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.OpaqueServer;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.FirmwareResponse.Reason;
import dev.bkv.hsm.OpaqueContext;
import dev.bkv.hsm.VaultProtocol;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultRecord;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * The leaves of fleet rotation (G8) in a fleet HSM, pure functions of their inputs:
 * {@link FleetFirmware} keeps the dispatch, the vault submissions and the ordering (an export
 * is sealed only from a released, committed MigrateOut answer).
 */
final class FleetMigration {
  private FleetMigration() {}

  /** What an export becomes: a MigrateIn to submit, or a refusal now. */
  sealed interface Import permits Submit, Reject {}

  record Submit(Command.MigrateIn command) implements Import {}

  record Reject(FirmwareResponse.Refused refusal) implements Import {}

  /**
   * Opens {@code export} with this fleet's server setup and checks that its record and its
   * source setup decode (logins of the registration will need both) before anything is appended.
   */
  static Import open(byte[] export, ServerSetup own) {
    Optional<MigrationExport.Contents> opened;
    try {
      opened = MigrationExport.open(export, own);
    } catch (DecodeException e) {
      return reject("malformed export: " + e.getMessage());
    }
    if (opened.isEmpty()) {
      return reject("the export does not open under this fleet's OPAQUE key (sealed to another fleet, or altered)");
    }
    MigrationExport.Contents c = opened.get();
    try {
      RegistrationRecord.decode(c.registrationRecord());
      ServerSetup.decode(c.sourceSetup()).destroy();
      return new Submit(new Command.MigrateIn(c.userId(), c.registrationId(), c.registrationRecord(), c.guessesUsed(),
          c.maxAttempts(), c.backupKey().copy(), c.sourceSetup(), c.sourceBundle()));
    } catch (DecodeException e) {
      return reject("the export's record or server setup does not decode: " + e.getMessage());
    } finally {
      c.destroy();
    }
  }

  private static Import reject(String detail) {
    return new Reject(new FirmwareResponse.Refused(Reason.EXPORT_REJECTED, detail));
  }

  /** The released MigrateOut answer as the client's: the export sealed to the approved target, or why not. */
  static FirmwareResponse sealExport(UserId userId, MigrationAnchors.Approved target, Response response,
      ServerSetup own, SecureRandom random) {
    if (response instanceof Response.NotFound) {
      return new FirmwareResponse.NotFound();
    }
    if (!(response instanceof Response.MigratedOut)) {
      Response.Reason reason = ((Response.Refused) response).reason();
      return new FirmwareResponse.Refused(Reason.NOT_MIGRATABLE, reason == Response.Reason.MIGRATED_ELSEWHERE
          ? "the record was exported to another fleet already" : "the record is not exposed (" + reason + ")");
    }
    Response.MigratedOut out = (Response.MigratedOut) response;
    Check.that(out.targetBundle().equals(target.targetBundle()), "the record is frozen for the approved target");
    // A registration made here carries this fleet's setup; one imported here carries its own source's.
    byte[] sourceSetup = out.sourceSetup().length == 0 ? own.encode() : out.sourceSetup();
    MigrationExport.Contents contents = new MigrationExport.Contents(target.sourceBundle(), target.targetBundle(),
        userId, out.registrationId(), out.registrationRecord(), out.guessesUsed(), out.maxAttempts(), out.backupKey(),
        sourceSetup);
    try {
      return new FirmwareResponse.Migrated(MigrationExport.seal(contents, target.targetServerKey(), random));
    } finally {
      contents.destroy();
      out.backupKey().destroy();
      Arrays.fill(sourceSetup, (byte) 0);
    }
  }

  /** The released MigrateIn answer as the client's. */
  static FirmwareResponse imported(UserId userId, Response response) {
    if (response instanceof Response.Imported) {
      Response.Imported imported = (Response.Imported) response;
      return new FirmwareResponse.Imported(userId, imported.registrationId(), imported.guessesUsed(),
          imported.maxAttempts());
    }
    Response.Reason reason = ((Response.Refused) response).reason();
    String detail;
    switch (reason) {
      case USER_EXISTS:
        detail = "the user already has a record on this fleet";
        break;
      case ALREADY_IMPORTED:
        detail = "this registration was imported here before (a replayed or duplicated export)";
        break;
      default:
        detail = "the vault is full (" + reason + ")";
    }
    return new FirmwareResponse.Refused(Reason.IMPORT_REFUSED, detail);
  }

  /**
   * The server that answers logins of {@code registrationId}: for a registration imported from
   * another fleet, a server over that fleet's setup (the user's envelope is bound to its key);
   * otherwise {@code own}. The setup is fixed per registration id, so the applied record of
   * the same id, read when KE2 is computed, names the right one. Either way the server binds
   * {@code context}, the profile the login named ({@code own} is this fleet's server for it).
   */
  static OpaqueServer serverFor(Optional<VaultRecord> applied, RegistrationId registrationId, OpaqueServer own,
      OpaqueContext context) {
    Optional<byte[]> source = applied.filter(r -> r.registrationId().equals(registrationId))
        .flatMap(VaultRecord::sourceSetup);
    if (source.isEmpty()) {
      return own;
    }
    try {
      return new OpaqueServer(VaultProtocol.serverOpaqueConfig(context), ServerSetup.decode(source.get()));
    } catch (DecodeException e) {
      // Imported setups are decoded before their MigrateIn is submitted.
      throw new Check.InvariantViolation("an imported server setup decodes: " + e.getMessage());
    } finally {
      Arrays.fill(source.get(), (byte) 0);
    }
  }
}
