package dev.bkv.bundle;

import dev.bkv.bundle.BundleFormatException.Reason;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.FleetMember;
import dev.bkv.fleet.FleetNames;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.fleet.Placement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A validation bundle ({@code bkv.dev/validation-bundle@v1}): what a client needs to trust
 * one fleet for one epoch. Line-oriented text in the signed-note style; the witness signs its
 * exact bytes, logs them as one entry, and the operator's HSM countersigns that signature
 * (spec/FORMATS.md, "Validation bundle"):
 *
 * <pre>
 * bkv.dev/validation-bundle@v1
 * namespace &lt;namespace&gt;
 * fleet-id &lt;fleet id&gt;
 * epoch &lt;decimal, 1 or more&gt;
 * not-before &lt;UTC seconds&gt;
 * not-after &lt;UTC seconds&gt;
 * key identity &lt;HSM id&gt; &lt;datacenter&gt; &lt;66 hex: compressed P-256&gt;   (per HSM, increasing id,
 * key opaque &lt;HSM id&gt; &lt;datacenter&gt; &lt;66 hex: compressed P-256&gt;      identity then opaque)
 * quorum &lt;floor(N/2)+1&gt; of &lt;N&gt;
 * evidence &lt;64 hex: SHA-256 of the deployment evidence&gt;
 * previous &lt;64 hex: SHA-256 of the previous bundle&gt;  |  previous none   (epoch 1 only)
 * </pre>
 *
 * A value of this type is always valid and has exactly one encoding; {@link #parse} accepts
 * only that encoding.
 */
public final class ValidationBundle {
  public static final String HEADER = "bkv.dev/validation-bundle@v1";
  public static final int HSMS_MAX = FleetConfig.HSMS_MAX;
  public static final int LINES_MAX = 9 + KeyRole.values().length * HSMS_MAX;
  public static final int BUNDLE_BYTES_MAX = 32 * 1024;
  /** The longest validity window a bundle may claim: 400 days, so a stolen bundle ages out. */
  public static final long VALIDITY_SECONDS_MAX = 400L * 24 * 60 * 60;

  private final String namespace;
  private final String fleetId;
  private final long epoch;
  private final long notBeforeSeconds;
  private final long notAfterSeconds;
  private final List<MemberKeys> members;
  private final Sha256Digest evidenceDigest;
  private final Optional<Sha256Digest> previousDigest;

  private ValidationBundle(String namespace, String fleetId, long epoch, long notBeforeSeconds, long notAfterSeconds,
      List<MemberKeys> members, Sha256Digest evidenceDigest, Optional<Sha256Digest> previousDigest) {
    this.namespace = namespace;
    this.fleetId = fleetId;
    this.epoch = epoch;
    this.notBeforeSeconds = notBeforeSeconds;
    this.notAfterSeconds = notAfterSeconds;
    this.members = List.copyOf(members);
    this.evidenceDigest = evidenceDigest;
    this.previousDigest = previousDigest;
  }

  /**
   * A bundle from its parts, which must satisfy every rule {@link #parse} checks.
   *
   * @throws BundleFormatException naming the first rule broken
   */
  public static ValidationBundle of(String namespace, String fleetId, long epoch, long notBeforeSeconds,
      long notAfterSeconds, List<MemberKeys> members, Sha256Digest evidenceDigest, Optional<Sha256Digest> previousDigest)
      throws BundleFormatException {
    checkNames(namespace, fleetId);
    checkEpochAndWindow(epoch, notBeforeSeconds, notAfterSeconds);
    checkMembers(members);
    if (evidenceDigest == null) {
      throw new BundleFormatException(Reason.EVIDENCE, "the evidence digest is missing");
    }
    checkPrevious(epoch, previousDigest);
    return new ValidationBundle(namespace, fleetId, epoch, notBeforeSeconds, notAfterSeconds, members, evidenceDigest,
        previousDigest);
  }

  public String namespace() {
    return namespace;
  }

  public String fleetId() {
    return fleetId;
  }

  public long epoch() {
    return epoch;
  }

  public long notBeforeSeconds() {
    return notBeforeSeconds;
  }

  public long notAfterSeconds() {
    return notAfterSeconds;
  }

  /** The fleet's HSMs with their keys, in increasing HSM id order. */
  public List<MemberKeys> members() {
    return members;
  }

  /** Majority of the HSMs: floor(N/2) + 1. */
  public int quorum() {
    return Placement.quorum(members.size());
  }

  /** The fleet-wide OPAQUE server key (every HSM lists the same one). */
  public dev.bkv.crypto.P256Group.Element opaqueServerKey() {
    return members.get(0).opaqueServerKey();
  }

  public Sha256Digest evidenceDigest() {
    return evidenceDigest;
  }

  /** SHA-256 of the previous bundle's bytes; empty exactly for epoch 1. */
  public Optional<Sha256Digest> previousDigest() {
    return previousDigest;
  }

  /** Whether the clock {@code nowSeconds} is inside [not-before, not-after). */
  public boolean validAt(long nowSeconds) {
    return notBeforeSeconds <= nowSeconds && nowSeconds < notAfterSeconds;
  }

  public String text() {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    out.append("namespace ").append(namespace).append('\n');
    out.append("fleet-id ").append(fleetId).append('\n');
    out.append("epoch ").append(epoch).append('\n');
    out.append("not-before ").append(notBeforeSeconds).append('\n');
    out.append("not-after ").append(notAfterSeconds).append('\n');
    for (MemberKeys m : members) {
      String where = m.hsmId().toHex() + " " + m.datacenter() + " ";
      out.append("key ").append(KeyRole.IDENTITY.word()).append(' ').append(where)
          .append(dev.bkv.base.Hex.encode(m.identityKey().encodeCompressed())).append('\n');
      out.append("key ").append(KeyRole.OPAQUE.word()).append(' ').append(where)
          .append(dev.bkv.base.Hex.encode(m.opaqueServerKey().encode())).append('\n');
    }
    out.append("quorum ").append(quorum()).append(" of ").append(members.size()).append('\n');
    out.append("evidence ").append(evidenceDigest.toHex()).append('\n');
    out.append("previous ").append(previousDigest.map(Sha256Digest::toHex).orElse("none")).append('\n');
    return out.toString();
  }

  /** The exact bytes the witness signs and logs. */
  public byte[] toBytes() {
    return text().getBytes(StandardCharsets.US_ASCII);
  }

  /** SHA-256 of {@link #toBytes}: how the next bundle's {@code previous} line names this one. */
  public Sha256Digest digest() {
    return Sha256Digest.of(toBytes());
  }

  /**
   * Parses a bundle, accepting only the canonical encoding.
   *
   * @throws BundleFormatException with the first rule broken, sizes and syntax before keys
   */
  public static ValidationBundle parse(byte[] bytes) throws BundleFormatException {
    ValidationBundle bundle = BundleParser.parse(bytes);
    if (!Arrays.equals(bundle.toBytes(), bytes)) {
      throw new BundleFormatException(Reason.NOT_CANONICAL, "the bundle does not re-encode to the same bytes");
    }
    return bundle;
  }

  static void checkNames(String namespace, String fleetId) throws BundleFormatException {
    Optional<String> bad = FleetNames.namespaceProblem(namespace);
    if (bad.isPresent()) {
      throw new BundleFormatException(Reason.NAMESPACE, bad.get());
    }
    bad = FleetNames.fleetIdProblem(fleetId);
    if (bad.isPresent()) {
      throw new BundleFormatException(Reason.FLEET_ID, bad.get());
    }
  }

  static void checkEpochAndWindow(long epoch, long notBefore, long notAfter) throws BundleFormatException {
    if (epoch < 1) {
      throw new BundleFormatException(Reason.EPOCH, "epoch must be at least 1, got " + epoch);
    }
    if (notBefore < 0 || notAfter <= notBefore) {
      throw new BundleFormatException(Reason.VALIDITY, "not-after (" + notAfter + ") must be later than not-before ("
          + notBefore + ")");
    }
    if (notAfter - notBefore > VALIDITY_SECONDS_MAX) {
      throw new BundleFormatException(Reason.VALIDITY, "validity window of " + (notAfter - notBefore)
          + " seconds exceeds " + VALIDITY_SECONDS_MAX);
    }
  }

  static void checkMembers(List<MemberKeys> members) throws BundleFormatException {
    if (members.isEmpty() || members.size() > HSMS_MAX) {
      throw new BundleFormatException(Reason.HSM_COUNT, "a bundle lists 1 to " + HSMS_MAX + " HSMs, not " + members.size());
    }
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      MemberKeys m = members.get(i);
      if (i > 0 && FleetMember.ID_ORDER.compare(members.get(i - 1).hsmId(), m.hsmId()) >= 0) {
        throw new BundleFormatException(Reason.KEY_ORDER, "HSM " + m.hsmId().toHex() + " is not after "
            + members.get(i - 1).hsmId().toHex() + " (HSMs are listed once each, in increasing id order)");
      }
      if (!m.opaqueServerKey().equals(members.get(0).opaqueServerKey())) {
        throw new BundleFormatException(Reason.OPAQUE_KEY, "HSM " + m.hsmId().toHex()
            + " has a different OPAQUE server key from HSM " + members.get(0).hsmId().toHex());
      }
      placed.add(m.datacenter());
    }
    if (Placement.check(placed) instanceof Placement.Violation violation) {
      throw new BundleFormatException(Reason.PLACEMENT, violation.reason());
    }
  }

  static void checkPrevious(long epoch, Optional<Sha256Digest> previous) throws BundleFormatException {
    if (epoch == 1 && previous.isPresent()) {
      throw new BundleFormatException(Reason.PREVIOUS, "the bundle of epoch 1 has no previous bundle (previous none)");
    }
    if (epoch > 1 && previous.isEmpty()) {
      throw new BundleFormatException(Reason.PREVIOUS, "a bundle of epoch " + epoch + " names the previous bundle's digest");
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ValidationBundle && Arrays.equals(((ValidationBundle) other).toBytes(), toBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toBytes());
  }

  @Override
  public String toString() {
    return "ValidationBundle(" + namespace + " " + fleetId + " epoch " + epoch + ", " + members.size() + " HSMs)";
  }
}
