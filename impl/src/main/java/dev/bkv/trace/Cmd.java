package dev.bkv.trace;

import dev.bkv.crypto.Sha256Digest;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;

/**
 * A log entry's command in the spec's vocabulary (an entry without its term). Fields an op
 * does not have are null ({@code user}, {@code reg}, {@code login}) or 0 ({@code max}). A
 * guess's {@code login} is the SHA-256 of its KE1 (the spec's login id).
 */
public record Cmd(Op op, UserId user, RegistrationId reg, int max, Sha256Digest login) {
  /** The spec's ops, with their names. */
  public enum Op {
    NOOP("Noop"),
    STORE("Store"),
    GUESS("Guess"),
    EXPOSE("Expose"),
    RECOVER("Recover"),
    FAIL("Fail"),
    DELETE("Delete"),
    /**
     * Not a spec op: an entry whose payload is no vault command (storage that handed back a
     * damaged record as intact). The spec has no such entry, so TLC rejects the trace there.
     */
    UNDECODABLE("Undecodable"),
    /**
     * Not a spec op: a fleet-rotation command (MigrateOut, MigrateIn). spec/QuorumVault has no
     * migration (spec/FleetRotation models it), so TLC rejects a trace that holds one; the
     * traced schedules never migrate.
     */
    NOT_IN_SPEC("NotInQuorumVault");

    public final String specName;

    Op(String specName) {
      this.specName = specName;
    }
  }

  public static final Cmd NOOP = new Cmd(Op.NOOP, null, null, 0, null);
  public static final Cmd UNDECODABLE = new Cmd(Op.UNDECODABLE, null, null, 0, null);

  /** A command without a login (every op but a guess). */
  public Cmd(Op op, UserId user, RegistrationId reg, int max) {
    this(op, user, reg, max, null);
  }

  public Cmd {
    if (op == null) {
      throw new IllegalArgumentException("trace command op missing");
    }
  }

  /** A vault command as the spec's entry names it. */
  public static Cmd of(Command command) {
    switch (command.kind()) {
      case REGISTER_STORE: {
        Command.RegisterStore c = (Command.RegisterStore) command;
        return new Cmd(Op.STORE, c.userId(), c.registrationId(), c.maxAttempts());
      }
      case COUNT_GUESS:
        return new Cmd(Op.GUESS, command.userId(), null, 0, ((Command.CountGuess) command).ke1Digest());
      case REGISTER_EXPOSE:
        return new Cmd(Op.EXPOSE, command.userId(), ((Command.RegisterExpose) command).registrationId(), 0);
      case RECOVER_SUCCEEDED:
        return new Cmd(Op.RECOVER, command.userId(), ((Command.RecoverSucceeded) command).registrationId(), 0);
      case GUESS_FAILED:
        return new Cmd(Op.FAIL, command.userId(), ((Command.GuessFailed) command).registrationId(), 0);
      case DELETE:
        return new Cmd(Op.DELETE, command.userId(), ((Command.Delete) command).registrationId(), 0);
      case MIGRATE_OUT:
        return new Cmd(Op.NOT_IN_SPEC, command.userId(), ((Command.MigrateOut) command).registrationId(), 0);
      case MIGRATE_IN:
        return new Cmd(Op.NOT_IN_SPEC, command.userId(), ((Command.MigrateIn) command).registrationId(), 0);
      default:
        throw new AssertionError(command);
    }
  }
}
