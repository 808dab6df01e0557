package dev.bkv.vault;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;

/**
 * The log-entry encoding of a {@link Command} (documented in spec/FORMATS.md, "Vault and
 * HSM"): {@code u8 format=1 || u8 kind || bytes8 user_id || fields of the kind}. Log entries
 * are sealed, so decoding runs on authenticated bytes; it is strict anyway, because a
 * decoder that trusts its input is one bug away from a vulnerability.
 */
public final class CommandCodec {
  public static final int FORMAT = 1;

  private CommandCodec() {}

  public static byte[] encode(Command command) {
    Wire.Writer out = new Wire.Writer().u8(FORMAT).u8(command.kind().code).bytes8(command.userId().toBytes());
    switch (command.kind()) {
      case REGISTER_STORE: {
        Command.RegisterStore c = (Command.RegisterStore) command;
        out.fixed(c.registrationId().toBytes()).bytes16(c.registrationRecord()).u8(c.maxAttempts());
        break;
      }
      case REGISTER_EXPOSE: {
        Command.RegisterExpose c = (Command.RegisterExpose) command;
        out.fixed(c.registrationId().toBytes()).bytes8(c.backupKey().toBytes());
        break;
      }
      case COUNT_GUESS:
        out.fixed(((Command.CountGuess) command).ke1Digest().toBytes());
        break;
      case RECOVER_SUCCEEDED:
        out.fixed(((Command.RecoverSucceeded) command).registrationId().toBytes());
        break;
      case GUESS_FAILED:
        out.fixed(((Command.GuessFailed) command).registrationId().toBytes());
        break;
      case DELETE:
        out.fixed(((Command.Delete) command).registrationId().toBytes());
        break;
      case MIGRATE_OUT: {
        Command.MigrateOut c = (Command.MigrateOut) command;
        out.fixed(c.registrationId().toBytes()).fixed(c.targetBundle().toBytes());
        break;
      }
      case MIGRATE_IN: {
        Command.MigrateIn c = (Command.MigrateIn) command;
        out.fixed(c.registrationId().toBytes()).bytes16(c.registrationRecord()).u8(c.guessesUsed()).u8(c.maxAttempts())
            .bytes8(c.backupKey().toBytes()).bytes8(c.sourceSetup()).fixed(c.sourceBundle().toBytes());
        break;
      }
      default:
        throw new AssertionError(command);
    }
    byte[] encoded = out.toBytes();
    dev.bkv.base.Check.that(encoded.length <= VaultLimits.COMMAND_BYTES_MAX, "encoded command within COMMAND_BYTES_MAX");
    return encoded;
  }

  public static Command decode(byte[] encoded) throws DecodeException {
    return decode(encoded, 0);
  }

  /** The command encoded in {@code buffer} from {@code offset} to its end (a log payload after its tag byte). */
  public static Command decode(byte[] buffer, int offset) throws DecodeException {
    if (buffer.length - offset > VaultLimits.COMMAND_BYTES_MAX) {
      throw new DecodeException("command", (buffer.length - offset) + " bytes exceeds " + VaultLimits.COMMAND_BYTES_MAX);
    }
    Wire.Reader in = new Wire.Reader(buffer, offset);
    int format = in.u8("command.format");
    if (format != FORMAT) {
      throw new DecodeException("command.format", "unknown format " + format);
    }
    int code = in.u8("command.kind");
    Command.Kind kind = Command.Kind.fromCode(code);
    if (kind == null) {
      throw new DecodeException("command.kind", "unknown kind " + code);
    }
    UserId userId = UserId.of(in.bytes8("command.user_id", VaultLimits.USER_ID_BYTES_MIN, VaultLimits.USER_ID_BYTES_MAX));
    Command command;
    switch (kind) {
      case REGISTER_STORE: {
        RegistrationId id = registrationId(in);
        byte[] record = in.bytes16("command.registration_record",
            VaultLimits.REGISTRATION_RECORD_BYTES_MIN, VaultLimits.REGISTRATION_RECORD_BYTES_MAX);
        int maxAttempts = maxAttempts(in, "command.max_attempts");
        command = new Command.RegisterStore(userId, id, record, maxAttempts);
        break;
      }
      case REGISTER_EXPOSE: {
        RegistrationId id = registrationId(in);
        byte[] key = in.bytes8("command.backup_key", VaultLimits.BACKUP_KEY_BYTES_MIN, VaultLimits.BACKUP_KEY_BYTES_MAX);
        command = new Command.RegisterExpose(userId, id, new BackupKey(key));
        java.util.Arrays.fill(key, (byte) 0);
        break;
      }
      case COUNT_GUESS:
        command = new Command.CountGuess(userId,
            new Sha256Digest(in.fixed("command.ke1_digest", dev.bkv.crypto.Sha256.DIGEST_BYTES)));
        break;
      case RECOVER_SUCCEEDED:
        command = new Command.RecoverSucceeded(userId, registrationId(in));
        break;
      case GUESS_FAILED:
        command = new Command.GuessFailed(userId, registrationId(in));
        break;
      case DELETE:
        command = new Command.Delete(userId, registrationId(in));
        break;
      case MIGRATE_OUT: {
        RegistrationId id = registrationId(in);
        command = new Command.MigrateOut(userId, id, new Sha256Digest(in.fixed("command.target_bundle", dev.bkv.crypto.Sha256.DIGEST_BYTES)));
        break;
      }
      case MIGRATE_IN:
        command = migrateIn(userId, in);
        break;
      default:
        throw new AssertionError(kind);
    }
    in.end("command");
    return command;
  }

  private static Command migrateIn(UserId userId, Wire.Reader in) throws DecodeException {
    RegistrationId id = registrationId(in);
    byte[] record = in.bytes16("command.registration_record",
        VaultLimits.REGISTRATION_RECORD_BYTES_MIN, VaultLimits.REGISTRATION_RECORD_BYTES_MAX);
    int used = in.u8("command.guesses_used");
    int maxAttempts = maxAttempts(in, "command.max_attempts");
    if (used > maxAttempts) {
      throw new DecodeException("command.guesses_used", used + " exceeds max_attempts " + maxAttempts);
    }
    byte[] key = in.bytes8("command.backup_key", VaultLimits.BACKUP_KEY_BYTES_MIN, VaultLimits.BACKUP_KEY_BYTES_MAX);
    byte[] setup = in.bytes8("command.source_setup", VaultLimits.SOURCE_SETUP_BYTES_MIN,
        VaultLimits.SOURCE_SETUP_BYTES_MAX);
    Sha256Digest source = new Sha256Digest(in.fixed("command.source_bundle", dev.bkv.crypto.Sha256.DIGEST_BYTES));
    Command command = new Command.MigrateIn(userId, id, record, used, maxAttempts, new BackupKey(key), setup, source);
    java.util.Arrays.fill(key, (byte) 0);
    java.util.Arrays.fill(setup, (byte) 0);
    return command;
  }

  static RegistrationId registrationId(Wire.Reader in) throws DecodeException {
    return new RegistrationId(in.fixed("registration_id", RegistrationId.BYTES));
  }

  static int maxAttempts(Wire.Reader in, String field) throws DecodeException {
    int maxAttempts = in.u8(field);
    if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN) {
      throw new DecodeException(field, "must be at least " + VaultLimits.MAX_ATTEMPTS_MIN);
    }
    return maxAttempts;
  }
}
