package dev.bkv.bundle;

import java.util.Locale;

/**
 * A validation bundle or witnessed bundle that does not follow its format (spec/FORMATS.md,
 * "Validation bundle"). {@link #reason()} says which rule was broken, as a stable code that
 * the published test vectors name; the message says where.
 */
public final class BundleFormatException extends Exception {
  /** Which rule the input broke. The codes ({@link #code}) are part of the test-vector format. */
  public enum Reason {
    /** Longer than the format's byte limit. */
    TOO_LARGE,
    /** Not printable ASCII, no final newline, an empty line, or too many lines. */
    ENCODING,
    /** The first line is not the format line. */
    HEADER,
    /** A line is missing, out of order, repeated, or left over. */
    LINE_ORDER,
    NAMESPACE,
    FLEET_ID,
    EPOCH,
    /** not-before / not-after malformed, empty, or longer than the longest window. */
    VALIDITY,
    /** A key line malformed: role, HSM id, datacenter or key encoding. */
    KEY,
    /** HSMs not in increasing id order, or not exactly one key per role in role order. */
    KEY_ORDER,
    /** An HSM id not derived from that HSM's identity key. */
    HSM_ID,
    /** HSMs of one fleet that answer OPAQUE with different server keys. */
    OPAQUE_KEY,
    /** No HSM, or more than the limit. */
    HSM_COUNT,
    /** Losing one datacenter would leave fewer than a quorum (G2). */
    PLACEMENT,
    /** The quorum line is not the majority of the HSMs listed. */
    QUORUM,
    EVIDENCE,
    /** previous must be "none" exactly for epoch 1 and a digest otherwise. */
    PREVIOUS,
    /** A digest line of a witnessed bundle malformed. */
    DIGEST,
    /** The operator countersignature line malformed. */
    COUNTERSIGNATURE,
    /** The witness receipt (signature line or tlog-proof) malformed. */
    RECEIPT,
    /** Valid parts whose re-encoding differs from the input. */
    NOT_CANONICAL;

    /** The stable code, e.g. {@code line-order}. */
    public String code() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Reason reason;

  public BundleFormatException(Reason reason, String message) {
    super(reason.code() + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
