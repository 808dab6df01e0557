package dev.bkv.witness;

import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.tlog.Verdict;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Decides whether an add-bundle request is logged (spec/FORMATS.md, "add-bundle request"),
 * in this order: signed by a registered operator (else 403), within that operator's rate
 * limit (429), a bundle that parses (400), of the namespace the key is named after (403),
 * then either already logged (its existing receipt, for a client retrying after a lost
 * reply) or the next epoch of its namespace (else 409). The first bundle of a namespace may
 * have any epoch: the operator may have published earlier epochs through another witness.
 *
 * <p>The last epoch of each namespace is read from the log's own entries when the witness
 * opens, so it can never disagree with the log. The epoch check and the bundle's place in the
 * log's queue are taken under one lock: two concurrent requests cannot both extend the same
 * epoch. Beyond the log's queue limit a request is refused with 503 and a Retry-After.
 */
final class BundleGate {
  /** What the witness answers; {@code retryAfterSeconds} is set only for 429 and 503. */
  sealed interface Outcome permits Logged, Refused {}

  record Logged(BundleReceipt receipt) implements Outcome {}

  record Refused(int status, String reason, OptionalLong retryAfterSeconds) implements Outcome {
    static Refused of(int status, String reason) {
      return new Refused(status, reason, OptionalLong.empty());
    }
  }

  /** Retry-After when the log's queue is full: a group commit takes milliseconds. */
  static final long BUSY_RETRY_SECONDS = 1;

  private final String origin;
  private final BundleLog log;
  private final KnownOperators operators;
  private final OperatorRateLimit rateLimit;
  private final Map<String, Long> lastEpochByNamespace = new HashMap<>();

  private BundleGate(String origin, BundleLog log, KnownOperators operators, LongSupplier clockSeconds) {
    this.origin = origin;
    this.log = log;
    this.operators = operators;
    this.rateLimit = new OperatorRateLimit(clockSeconds);
  }

  /** A gate over {@code log}, learning each namespace's last epoch from the entries logged so far. */
  static BundleGate open(String origin, BundleLog log, KnownOperators operators, LongSupplier clockSeconds)
      throws IOException {
    BundleGate gate = new BundleGate(origin, log, operators, clockSeconds);
    for (long i = 0; i < log.size(); i++) {
      try {
        ValidationBundle bundle = ValidationBundle.parse(log.entry(i));
        gate.lastEpochByNamespace.merge(bundle.namespace(), bundle.epoch(), Math::max);
      } catch (BundleFormatException notABundle) {
        // Logged before submissions were checked: it extends no namespace's chain.
      }
    }
    return gate;
  }

  /**
   * Checks and logs one request. The checks that need no shared state (signature, parse,
   * namespace) run unlocked so concurrent requests verify in parallel; the epoch check and
   * the bundle's place in the log queue are taken under one lock, and only the wait for
   * the disk runs outside it, shared with the other requests of the same group commit.
   */
  Outcome submit(byte[] body) throws IOException {
    Verdict<BundleSubmission.Signed> signed = BundleSubmission.open(body, origin, operators.verifiers());
    if (!signed.isVerified()) {
      return Refused.of(403, signed.reasonOrEmpty());
    }
    String operator = signed.value().keyName();
    OptionalLong wait = rateLimit.take(operator);
    if (wait.isPresent()) {
      return new Refused(429, "operator " + operator + " sent more than " + OperatorRateLimit.BUNDLES_PER_MINUTE_MAX
          + " bundles a minute; retry after " + wait.getAsLong() + " s", wait);
    }
    byte[] bytes = signed.value().bundle();
    ValidationBundle bundle;
    try {
      bundle = ValidationBundle.parse(bytes);
    } catch (BundleFormatException e) {
      return Refused.of(400, "not a validation bundle: " + e.getMessage());
    }
    if (!bundle.namespace().equals(operator)) {
      return Refused.of(403, "key " + operator + " may only publish namespace " + operator + ", not " + bundle.namespace());
    }
    Reserved reserved;
    try {
      reserved = reserve(bundle, bytes);
    } catch (BundleLog.Busy busy) {
      return new Refused(503, busy.getMessage(), OptionalLong.of(BUSY_RETRY_SECONDS));
    }
    if (reserved.refused() != null) {
      return reserved.refused();
    }
    return new Logged(log.await(reserved.pending()));
  }

  /** Either a place in the log's queue or the refusal of the epoch check. */
  private record Reserved(GroupCommit.Pending pending, Refused refused) {}

  /**
   * Queues the bundle when it is already logged or queued (its existing place, for a retry)
   * or the next epoch of its namespace; else the 409 refusal. The epoch recorded here is
   * the queued one: a second request for the same epoch, even while the first still waits
   * for the disk, fails the check. Should the group commit fail, the log refuses every
   * append until it is reopened, and reopening reads the epochs back from the log itself.
   */
  private synchronized Reserved reserve(ValidationBundle bundle, byte[] bytes) throws IOException {
    if (log.contains(bytes)) {
      return new Reserved(log.enqueue(bytes), null); // finds it: its index, or its place in the queue
    }
    Long last = lastEpochByNamespace.get(bundle.namespace());
    if (last != null && bundle.epoch() != last + 1) {
      return new Reserved(null, Refused.of(409, "epoch " + bundle.epoch() + " of " + bundle.namespace()
          + " does not follow the last logged epoch " + last + " (expected " + (last + 1) + ")"));
    }
    GroupCommit.Pending pending = log.enqueue(bytes);
    lastEpochByNamespace.put(bundle.namespace(), bundle.epoch());
    return new Reserved(pending, null);
  }
}
