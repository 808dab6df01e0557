package dev.bkv.witness;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per operator: each holds up to {@link #BUNDLES_PER_MINUTE_MAX} requests and
 * refills one token every {@link #REFILL_SECONDS}. An operator publishes one bundle per epoch,
 * days apart, so the limit leaves room for retries and catch-up while a leaked or buggy
 * submission key cannot fill the log. Time comes from an injected clock (seconds), so tests
 * move it instead of sleeping. Buckets live in memory: a restart refills them.
 */
final class OperatorRateLimit {
  /** Add-bundle requests per operator per minute, and the burst a full bucket allows. */
  static final int BUNDLES_PER_MINUTE_MAX = 60;
  static final long REFILL_SECONDS = 60 / BUNDLES_PER_MINUTE_MAX;
  /** Buckets kept: one per registered key at most. */
  static final int OPERATORS_MAX = KnownOperators.KEYS_MAX;

  private record Bucket(long tokens, long refilledAtSeconds) {}

  private final LongSupplier clockSeconds;
  private final Map<String, Bucket> buckets = new HashMap<>();

  OperatorRateLimit(LongSupplier clockSeconds) {
    this.clockSeconds = clockSeconds;
  }

  /** Takes a token for {@code operator}: empty when allowed, else the seconds until the next token. */
  synchronized OptionalLong take(String operator) {
    long now = clockSeconds.getAsLong();
    Bucket bucket = buckets.get(operator);
    if (bucket == null) {
      if (buckets.size() >= OPERATORS_MAX) {
        buckets.clear(); // only registered keys get here, so this never drops a live limit in practice
      }
      bucket = new Bucket(BUNDLES_PER_MINUTE_MAX, now);
    }
    // A clock that steps back refills nothing; it never adds tokens.
    long refills = Math.max(0, now - bucket.refilledAtSeconds()) / REFILL_SECONDS;
    long tokens = Math.min(BUNDLES_PER_MINUTE_MAX, bucket.tokens() + refills);
    long refilledAt = tokens == BUNDLES_PER_MINUTE_MAX ? now : bucket.refilledAtSeconds() + refills * REFILL_SECONDS;
    if (tokens == 0) {
      buckets.put(operator, new Bucket(0, refilledAt));
      return OptionalLong.of(Math.max(1, refilledAt + REFILL_SECONDS - now));
    }
    buckets.put(operator, new Bucket(tokens - 1, refilledAt));
    return OptionalLong.empty();
  }
}
