package dev.bkv.bundle;

import dev.bkv.base.LineCursor;
import dev.bkv.bundle.BundleFormatException.Reason;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.FleetNames;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.hsm.HsmId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The strict parser behind {@link ValidationBundle#parse}: size and encoding first, then each
 * line in order, then the rules that span lines. Every failure names its rule.
 */
final class BundleParser {
  private static final int PUBLIC_KEY_BYTES = 33;

  private BundleParser() {}

  static ValidationBundle parse(byte[] bytes) throws BundleFormatException {
    if (bytes.length > ValidationBundle.BUNDLE_BYTES_MAX) {
      throw new BundleFormatException(Reason.TOO_LARGE,
          "bundle of " + bytes.length + " bytes exceeds " + ValidationBundle.BUNDLE_BYTES_MAX);
    }
    LineCursor<BundleFormatException> in = LineCursor.open(bytes, ValidationBundle.LINES_MAX,
        m -> new BundleFormatException(Reason.LINE_ORDER, m), m -> new BundleFormatException(Reason.ENCODING, m));
    if (!in.next().equals(ValidationBundle.HEADER)) {
      throw new BundleFormatException(Reason.HEADER, "the first line must be " + ValidationBundle.HEADER);
    }
    String namespace = in.value("namespace");
    String fleetId = in.value("fleet-id");
    ValidationBundle.checkNames(namespace, fleetId);
    long epoch = number(in.value("epoch"), Reason.EPOCH, "epoch");
    long notBefore = number(in.value("not-before"), Reason.VALIDITY, "not-before");
    long notAfter = number(in.value("not-after"), Reason.VALIDITY, "not-after");
    ValidationBundle.checkEpochAndWindow(epoch, notBefore, notAfter);
    List<MemberKeys> members = new ArrayList<>();
    while (in.peek("key")) {
      members.add(member(in));
    }
    if (members.isEmpty()) {
      throw new BundleFormatException(Reason.HSM_COUNT, "a bundle lists at least one HSM (line " + in.lineNumber() + ")");
    }
    String quorum = in.value("quorum");
    Sha256Digest evidence = Sha256Digest.fromHex(in.value("evidence"))
        .orElseThrow(() -> new BundleFormatException(Reason.EVIDENCE, "evidence must be 64 lower-case hex digits"));
    String previousText = in.value("previous");
    in.expectEnd();
    Optional<Sha256Digest> previous = previousText.equals("none") ? Optional.empty() : Optional.of(
        Sha256Digest.fromHex(previousText).orElseThrow(() ->
            new BundleFormatException(Reason.PREVIOUS, "previous must be 64 lower-case hex digits or none")));
    ValidationBundle.checkMembers(members);
    String expectedQuorum = (members.size() / 2 + 1) + " of " + members.size();
    if (!quorum.equals(expectedQuorum)) {
      throw new BundleFormatException(Reason.QUORUM, "quorum must be the majority of the HSMs listed: \"" + expectedQuorum + "\"");
    }
    return ValidationBundle.of(namespace, fleetId, epoch, notBefore, notAfter, members, evidence, previous);
  }

  private static long number(String text, Reason reason, String field) throws BundleFormatException {
    long value = LineCursor.decimal(text);
    if (value < 0) {
      throw new BundleFormatException(reason, field + " must be a decimal in [0, 2^63 - 1] with no sign or leading zero");
    }
    return value;
  }

  /** One HSM: its identity line, then its opaque line with the same HSM id and datacenter. */
  private static MemberKeys member(LineCursor<BundleFormatException> in) throws BundleFormatException {
    int line = in.lineNumber();
    KeyLine identity = keyLine(line, in.value("key"));
    if (identity.role != KeyRole.IDENTITY) {
      throw new BundleFormatException(Reason.KEY_ORDER, "line " + line + ": each HSM lists its identity key first");
    }
    if (!in.peek("key")) {
      throw new BundleFormatException(Reason.KEY_ORDER, "line " + (line + 1) + ": HSM " + identity.hsmId + " has no opaque key");
    }
    KeyLine opaque = keyLine(line + 1, in.value("key"));
    if (opaque.role != KeyRole.OPAQUE || !opaque.hsmId.equals(identity.hsmId) || !opaque.datacenter.equals(identity.datacenter)) {
      throw new BundleFormatException(Reason.KEY_ORDER,
          "line " + (line + 1) + ": must be the opaque key of HSM " + identity.hsmId + " in " + identity.datacenter);
    }
    EcdsaP256.PublicKey identityKey;
    P256Group.Element opaqueKey;
    try {
      identityKey = EcdsaP256.PublicKey.decode(identity.key);
      opaqueKey = P256Group.Element.decode("opaque key", opaque.key);
    } catch (DecodeException e) {
      throw new BundleFormatException(Reason.KEY, "HSM " + identity.hsmId + ": " + e.getMessage());
    }
    HsmId hsmId = new HsmId(dev.bkv.base.Hex.decode(identity.hsmId));
    if (!HsmId.of(identityKey).equals(hsmId)) {
      throw new BundleFormatException(Reason.HSM_ID, "line " + line + ": HSM id " + identity.hsmId
          + " is not derived from its identity key");
    }
    return new MemberKeys(hsmId, identity.datacenter, identityKey, opaqueKey);
  }

  private record KeyLine(KeyRole role, String hsmId, String datacenter, byte[] key) {}

  private static KeyLine keyLine(int line, String value) throws BundleFormatException {
    String[] parts = value.split(" ", -1);
    String shape = "line " + line + " must be \"key <identity|opaque> <32 hex HSM id> <datacenter> <66 hex key>\"";
    if (parts.length != 4) {
      throw new BundleFormatException(Reason.KEY, shape);
    }
    Optional<KeyRole> role = KeyRole.ofWord(parts[0]);
    byte[] key = LineCursor.lowerHex(parts[3], PUBLIC_KEY_BYTES);
    if (role.isEmpty() || LineCursor.lowerHex(parts[1], HsmId.BYTES) == null
        || FleetNames.datacenterProblem(parts[2]).isPresent() || key == null) {
      throw new BundleFormatException(Reason.KEY, shape);
    }
    return new KeyLine(role.get(), parts[1], parts[2], key);
  }
}
