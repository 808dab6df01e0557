package dev.bkv.witness;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Sha256;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.OpenedNote;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifierSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The C2SP tlog-witness v1.0.0 {@code add-checkpoint} logic, without HTTP: verify a log's
 * checkpoint and its consistency with the latest checkpoint cosigned for that origin, record
 * it durably, and cosign it (cosignature/v1). The latest cosigned checkpoint per origin is
 * stored in {@code <dir>/witnessed/state/<hex SHA-256(origin)>} as the signed note received.
 *
 * <p>Checks run in the order the spec lists them; each refusal names its status. The check
 * of the old size and the write of the new state happen under one lock, so two concurrent
 * requests can never roll the state back (the race the spec describes).
 */
public final class CheckpointWitness {
  static final String WITNESSED_DIR = "witnessed";
  static final String STATE_DIR = "state";

  /** Why a request is refused, with the HTTP status tlog-witness assigns to it. */
  public enum Refusal {
    BAD_REQUEST(400),
    INVALID_SIGNATURE(403),
    UNKNOWN_LOG(404),
    CONFLICT(409),
    BAD_PROOF(422);

    public final int status;

    Refusal(int status) {
      this.status = status;
    }
  }

  /** The answer to one request. */
  public sealed interface Outcome permits Cosigned, Conflict, Refused {}

  /** 200: the cosignature lines to return. */
  public record Cosigned(List<NoteSignature> cosignatures) implements Outcome {}

  /** 409: the old size (or the root at equal sizes) does not match; {@code knownSize} goes in the body. */
  public record Conflict(long knownSize, String reason) implements Outcome {}

  /** Any other refusal. */
  public record Refused(Refusal refusal, String reason) implements Outcome {}

  private final KnownLogs knownLogs;
  private final CosignatureV1.Signer cosigner;
  private final LongSupplier clockSeconds;
  private final Path stateDir;
  private final Map<String, Checkpoint> latest = new HashMap<>();

  private CheckpointWitness(KnownLogs knownLogs, CosignatureV1.Signer cosigner, LongSupplier clockSeconds, Path stateDir) {
    this.knownLogs = knownLogs;
    this.cosigner = cosigner;
    this.clockSeconds = clockSeconds;
    this.stateDir = stateDir;
  }

  /** Opens the witnessed-logs state in {@code dir}/witnessed, deleting temporaries a crash left. */
  public static CheckpointWitness open(Path dir, CosignatureV1.Signer cosigner, LongSupplier clockSeconds)
      throws IOException, FormatException {
    Path witnessed = dir.resolve(WITNESSED_DIR);
    Path stateDir = witnessed.resolve(STATE_DIR);
    DurableFiles.removeLeftoverTemp(witnessed.resolve(KnownLogs.FILE));
    KnownLogs known = KnownLogs.load(witnessed); // a bad list is refused before anything is created
    Files.createDirectories(stateDir);
    CheckpointWitness witness = new CheckpointWitness(known, cosigner, clockSeconds, stateDir);
    try (Stream<Path> files = Files.list(stateDir)) {
      for (Path file : files.toList()) {
        if (file.getFileName().toString().endsWith(DurableFiles.TEMP_SUFFIX)) {
          Files.delete(file);
          continue;
        }
        Checkpoint c = Checkpoint.parse(SignedNote.parse(Files.readAllBytes(file)).text());
        if (!file.equals(witness.stateFile(c.origin()))) {
          throw new FormatException(file + " does not hold the state of its origin");
        }
        witness.latest.put(c.origin(), c);
      }
    }
    return witness;
  }

  public KnownLogs knownLogs() {
    return knownLogs;
  }

  /** The latest checkpoint cosigned for {@code origin}, if any. */
  public synchronized Optional<Checkpoint> latest(String origin) {
    return Optional.ofNullable(latest.get(origin));
  }

  /** Handles one add-checkpoint request body. */
  public Outcome addCheckpoint(byte[] body) throws IOException {
    AddCheckpointRequest request;
    try {
      request = AddCheckpointRequest.parse(body);
    } catch (FormatException e) {
      return new Refused(Refusal.BAD_REQUEST, "invalid input: " + e.getMessage());
    }
    SignedNote note = request.checkpoint();
    String origin = Checkpoint.originOf(note.text());
    // "If the checkpoint origin is unknown, the witness MUST respond with a 404 Not Found"
    Optional<VerifierSet> keys = knownLogs.keysFor(origin);
    if (keys.isEmpty()) {
      return new Refused(Refusal.UNKNOWN_LOG, "unknown log");
    }
    // "If none of the signatures verify against a trusted public key ... 403 Forbidden"
    Verdict<OpenedNote> opened = note.open(keys.get());
    if (!opened.isVerified()) {
      return new Refused(Refusal.INVALID_SIGNATURE, "invalid signature: " + opened.reasonOrEmpty());
    }
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.parse(note.text());
    } catch (FormatException e) {
      return new Refused(Refusal.BAD_REQUEST, "invalid input: not a checkpoint: " + e.getMessage());
    }
    // "The old size MUST be equal to or lower than the checkpoint size. Otherwise ... 400"
    if (request.oldSize() > checkpoint.size()) {
      return new Refused(Refusal.BAD_REQUEST, "invalid input: old size is larger than the checkpoint size");
    }
    return checkAndRecord(request, note, checkpoint);
  }

  /** The old-size check, the proof check and the durable write, under one lock. */
  private synchronized Outcome checkAndRecord(AddCheckpointRequest request, SignedNote note, Checkpoint checkpoint)
      throws IOException {
    Checkpoint known = latest.get(checkpoint.origin());
    long knownSize = known == null ? 0 : known.size();
    // "The witness MUST check that the old size matches the size of the latest checkpoint it
    //  cosigned for the checkpoint's origin (or zero ...). If it doesn't match ... 409"
    if (request.oldSize() != knownSize) {
      return new Conflict(knownSize, "known tree size doesn't match provided old size");
    }
    if (request.oldSize() == 0) {
      // "The proof MUST be empty if the old size is zero." The first checkpoint of a log is
      // trusted on first use, as the spec intends; only an impossible empty tree is refused.
      if (!request.proof().isEmpty()) {
        return new Refused(Refusal.BAD_REQUEST, "invalid input: the proof must be empty when old size is 0");
      }
      if (checkpoint.size() == 0 && !checkpoint.rootHash().equals(Rfc6962.EMPTY_ROOT)) {
        return new Refused(Refusal.BAD_PROOF, "bad consistency proof: a tree of size 0 has the empty-tree root");
      }
    } else if (request.oldSize() == checkpoint.size()) {
      // "If the old size matches the checkpoint size, the witness MUST check that the root
      //  hashes are also identical. If they don't match ... 409"
      if (!request.proof().isEmpty()) {
        return new Refused(Refusal.BAD_PROOF, "bad consistency proof: equal sizes need an empty proof");
      }
      if (!checkpoint.rootHash().equals(known.rootHash())) {
        return new Conflict(knownSize, "same tree size as the cosigned checkpoint, different root hash");
      }
    } else {
      // "If the Merkle Consistency Proof doesn't verify ... 422"
      ConsistencyProof proof = new ConsistencyProof(request.oldSize(), checkpoint.size(), request.proof());
      Verdict<?> consistent = proof.verify(known.rootHash(), checkpoint.rootHash());
      if (!consistent.isVerified()) {
        return new Refused(Refusal.BAD_PROOF, "bad consistency proof: " + consistent.reasonOrEmpty());
      }
    }
    // "The witness MUST persist the new checkpoint before responding."
    if (known == null || known.size() != checkpoint.size()) {
      Files.createDirectories(stateDir);
      DurableFiles.replace(stateFile(checkpoint.origin()), note.toBytes());
      latest.put(checkpoint.origin(), checkpoint);
    }
    return new Cosigned(List.of(cosigner.cosign(note.textBytes(), clockSeconds.getAsLong())));
  }

  private Path stateFile(String origin) {
    return stateDir.resolve(Hex.encode(Sha256.hash(origin.getBytes(StandardCharsets.UTF_8))));
  }
}
