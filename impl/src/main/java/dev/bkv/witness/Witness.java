package dev.bkv.witness;

import dev.bkv.base.Folders;
import dev.bkv.tlog.FormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * One witness and its directory, the unit the CLI runs and the tests restart:
 *
 * <pre>
 * DIR/keys/{log,cosigner,bundle}.{skey,vkey}   keys (see WitnessKeys)
 * DIR/log/entries, DIR/log/checkpoint           its own bundle log (see BundleLog)
 * DIR/log/entries.unacknowledged-*               torn records set aside at start-up
 * DIR/witnessed/logs                            logs it cosigns and their keys (see KnownLogs)
 * DIR/witnessed/state/&lt;hex SHA-256(origin)&gt;     latest cosigned checkpoint per log
 * DIR/operators                                 operators' submission keys (see KnownOperators)
 * </pre>
 *
 * Every write is a forced append or an atomic replace, and {@link #open} recovers from a
 * crash at any point, so the directory needs no other shutdown than kill.
 */
public final class Witness implements AutoCloseable {
  private final WitnessKeys keys;
  private final BundleLog log;
  private final CheckpointWitness checkpoints;
  private final KnownOperators operators;
  private final BundleGate gate;

  private Witness(WitnessKeys keys, BundleLog log, CheckpointWitness checkpoints, KnownOperators operators,
      BundleGate gate) {
    this.keys = keys;
    this.log = log;
    this.checkpoints = checkpoints;
    this.operators = operators;
    this.gate = gate;
  }

  /** Creates a witness directory with fresh keys; fails if keys are there already. */
  public static WitnessKeys init(Path dir, String name, String origin, SecureRandom random) throws IOException {
    WitnessKeys keys = WitnessKeys.generate(name, origin, random); // checks the names before anything is created
    boolean existed = Files.exists(dir);
    Files.createDirectories(dir);
    try {
      keys.save(dir);
    } catch (IOException | RuntimeException e) {
      if (!existed) { // a refused init leaves no directory behind
        Folders.deleteTree(dir);
      }
      throw e;
    }
    return keys;
  }

  /** Opens and recovers the witness in {@code dir}. */
  public static Witness open(Path dir, LongSupplier clockSeconds, CrashPoints crash) throws IOException, FormatException {
    WitnessKeys keys = WitnessKeys.load(dir);
    // Nothing in the directory is written until every part has been read and found sound,
    // so a refused open leaves exactly what was there for the operator to repair: first the
    // lists that are only read, then the bundle log (it refuses before writing when its
    // files disagree), and only then the checkpoint witness, which creates its state folder.
    KnownLogs.load(dir.resolve(CheckpointWitness.WITNESSED_DIR));
    KnownOperators operators = KnownOperators.load(dir);
    BundleLog log = BundleLog.open(dir, keys, crash);
    try {
      CheckpointWitness checkpoints = CheckpointWitness.open(dir, keys.cosigner(), clockSeconds);
      return new Witness(keys, log, checkpoints, operators, BundleGate.open(keys.origin(), log, operators, clockSeconds));
    } catch (IOException | FormatException | RuntimeException e) {
      log.close();
      throw e;
    }
  }

  /** The known-logs list of the witness in {@code dir}, for editing while it is stopped. */
  public static KnownLogs knownLogs(Path dir) throws IOException, FormatException {
    return KnownLogs.load(dir.resolve(CheckpointWitness.WITNESSED_DIR));
  }

  /** The operators' submission keys of the witness in {@code dir}, for editing while it is stopped. */
  public static KnownOperators knownOperators(Path dir) throws IOException, FormatException {
    return KnownOperators.load(dir);
  }

  public static Witness open(Path dir) throws IOException, FormatException {
    return open(dir, () -> System.currentTimeMillis() / 1000, CrashPoints.NONE);
  }

  public WitnessKeys keys() {
    return keys;
  }

  public BundleLog log() {
    return log;
  }

  public CheckpointWitness checkpoints() {
    return checkpoints;
  }

  /** The operators whose signed bundles this witness logs; additions apply at once. */
  public KnownOperators operators() {
    return operators;
  }

  BundleGate gate() {
    return gate;
  }

  public WitnessService service() {
    return new WitnessService(this);
  }

  @Override
  public void close() throws IOException {
    log.close();
  }
}
