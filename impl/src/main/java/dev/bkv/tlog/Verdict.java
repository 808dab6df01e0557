package dev.bkv.tlog;

import java.util.function.Function;

/**
 * The result of a verifier: {@link Verified} with the value that verified, or
 * {@link Rejected} with a reason naming what was wrong. Verifiers in this package are total
 * and pure: they return one of these for every input and never throw.
 */
public sealed interface Verdict<T> permits Verdict.Verified, Verdict.Rejected {

  /** The input verified; {@code value} is what the caller may now rely on. */
  record Verified<T>(T value) implements Verdict<T> {
    public Verified {
      if (value == null) {
        throw new IllegalArgumentException("a verified value is never null");
      }
    }
  }

  /** The input did not verify; {@code reason} says why, for logs and error replies. */
  record Rejected<T>(String reason) implements Verdict<T> {
    public Rejected {
      if (reason == null || reason.isEmpty()) {
        throw new IllegalArgumentException("a rejection always says why");
      }
    }
  }

  static <T> Verdict<T> verified(T value) {
    return new Verified<>(value);
  }

  static <T> Verdict<T> rejected(String reason) {
    return new Rejected<>(reason);
  }

  default boolean isVerified() {
    return this instanceof Verified;
  }

  /** The verified value; only call after {@link #isVerified()}. */
  default T value() {
    if (this instanceof Verified<T> verified) {
      return verified.value();
    }
    throw new IllegalStateException("not verified: " + ((Rejected<T>) this).reason());
  }

  /** The rejection reason, or the empty string when verified. */
  default String reasonOrEmpty() {
    return this instanceof Rejected<T> rejected ? rejected.reason() : "";
  }

  /** Chains a second check that runs only when this one verified. */
  default <U> Verdict<U> then(Function<T, Verdict<U>> next) {
    if (this instanceof Verified<T> verified) {
      return next.apply(verified.value());
    }
    return rejected(((Rejected<T>) this).reason());
  }

  /** Prefixes the rejection reason with context; a verified result passes through. */
  default Verdict<T> context(String where) {
    if (this instanceof Rejected<T> rejected) {
      return rejected(where + ": " + rejected.reason());
    }
    return this;
  }
}
