package dev.bkv.bundle;

/**
 * The checks a client makes on a validation bundle, named as in the spec's
 * {@code OtaCheckOrder} and {@code PinnedCheckOrder} (spec/BundleVerification/
 * BundleAcceptance.tla), in the order {@link BundleVerifier} makes them. Two checks go
 * beyond the spec, which leaves them out of {@code ClientAccepts}: the namespace the bundle
 * is for, and the previous-bundle digest chain where the client holds the previous bundle.
 */
public enum BundleCheck {
  /** The bundle (and the witnessed-bundle file around it) parses within every limit. */
  WELL_FORMED("well-formed"),
  /** Beyond the spec: the bundle is for the namespace the client serves. */
  NAMESPACE("namespace"),
  /** The digest the witnessed bundle names is SHA-256 of the bundle bytes. */
  DIGEST("digest"),
  /** The witness's bundle key signed the exact bundle bytes. */
  WITNESS_SIGNATURE("witness-signature"),
  /** The operator's HSM signed the witness signature bytes. */
  COUNTERSIGNATURE("countersignature"),
  /** The witness log key signed the checkpoint, for the expected origin. */
  CHECKPOINT_SIGNATURE("checkpoint-signature"),
  /** At least k of the n trusted cosigners cosigned that checkpoint. */
  COSIGNATURES("cosignatures"),
  /** The bundle's leaf is in that checkpoint's tree. */
  INCLUSION("inclusion"),
  /** The checkpoint extends the one the client stored. */
  CONSISTENCY("consistency"),
  /** No downgrade: the epoch is not below the last accepted. */
  EPOCH("epoch"),
  /** notBefore &lt;= now &lt; notAfter on the client's clock. */
  VALIDITY_WINDOW("validity-window"),
  /** Beyond the spec: the next epoch names the digest of the bundle the client accepted last. */
  PREVIOUS_BUNDLE("previous-bundle"),
  /** Pinned mode: the bundle names exactly the compiled-in fleet. */
  PINNED_FLEET("pinned-fleet");

  private final String specName;

  BundleCheck(String specName) {
    this.specName = specName;
  }

  /** The check's name in the spec and in differential-test cases. */
  public String specName() {
    return specName;
  }

  /** Whether {@code ClientAccepts} in the spec includes this check. */
  public boolean inSpec() {
    return this != NAMESPACE && this != PREVIOUS_BUNDLE;
  }
}
