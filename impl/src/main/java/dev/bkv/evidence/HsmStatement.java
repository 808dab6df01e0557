package dev.bkv.evidence;

import dev.bkv.base.Hex;
import dev.bkv.base.LineCursor;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdhP256;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.FleetNames;
import dev.bkv.hsm.Hsm;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.HsmId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * One HSM's deployment statement, signed by its identity key (ECDSA P-256, SHA-256, P1363) over
 * every byte before the {@code signature} line (spec/FORMATS.md, "Deployment evidence"):
 *
 * <pre>
 * bkv.dev/hsm-deployment-statement@v1
 * namespace &lt;namespace&gt;
 * fleet-id &lt;fleet id&gt;
 * fleet-config-sha256 &lt;64 hex&gt;
 * hsm-id &lt;32 hex&gt;
 * datacenter &lt;datacenter&gt;
 * identity-key &lt;66 hex&gt;
 * opaque-server-key &lt;66 hex&gt;
 * transport-key &lt;66 hex&gt; | transport-key none     (none: the HSM that generated the fleet secrets)
 * vault-jar-sha256 &lt;64 hex&gt;
 * transport-context &lt;64 hex&gt;
 * signature &lt;128 hex&gt;
 * </pre>
 */
public record HsmStatement(String namespace, String fleetId, Sha256Digest fleetConfigDigest, HsmId hsmId,
    String datacenter, EcdsaP256.PublicKey identityKey, P256Group.Element opaqueServerKey,
    Optional<EcdhP256.PublicKey> transportKey, Sha256Digest vaultJar, Sha256Digest transportContext,
    EcdsaP256.Signature signature) {
  public static final String HEADER = "bkv.dev/hsm-deployment-statement@v1";
  public static final int LINES = 12;
  public static final int TEXT_BYTES_MAX = 2048;

  /** The facts a statement asserts, before an HSM signs them. */
  public record Claims(String namespace, String fleetId, Sha256Digest fleetConfigDigest, HsmId hsmId, String datacenter,
      EcdsaP256.PublicKey identityKey, P256Group.Element opaqueServerKey, Optional<EcdhP256.PublicKey> transportKey,
      Sha256Digest vaultJar, Sha256Digest transportContext) {
    /** The signed bytes: every line before {@code signature}. */
    public byte[] body() {
      String text = HEADER + "\n"
          + "namespace " + namespace + "\n"
          + "fleet-id " + fleetId + "\n"
          + "fleet-config-sha256 " + fleetConfigDigest.toHex() + "\n"
          + "hsm-id " + hsmId.toHex() + "\n"
          + "datacenter " + datacenter + "\n"
          + "identity-key " + Hex.encode(identityKey.encodeCompressed()) + "\n"
          + "opaque-server-key " + Hex.encode(opaqueServerKey.encode()) + "\n"
          + "transport-key " + transportKey.map(k -> Hex.encode(k.encodeCompressed())).orElse("none") + "\n"
          + "vault-jar-sha256 " + vaultJar.toHex() + "\n"
          + "transport-context " + transportContext.toHex() + "\n";
      return text.getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** Has {@code hsm} sign {@code claims}, which must name that HSM and its identity key. */
  public static HsmStatement sign(Hsm hsm, Claims claims) throws HsmException {
    if (!hsm.id().equals(claims.hsmId()) || !hsm.identityPublicKey().equals(claims.identityKey())) {
      throw new IllegalArgumentException("a statement is signed by the HSM it names");
    }
    return of(claims, hsm.signWithIdentity(claims.body()));
  }

  private static HsmStatement of(Claims c, EcdsaP256.Signature signature) {
    return new HsmStatement(c.namespace(), c.fleetId(), c.fleetConfigDigest(), c.hsmId(), c.datacenter(), c.identityKey(),
        c.opaqueServerKey(), c.transportKey(), c.vaultJar(), c.transportContext(), signature);
  }

  public Claims claims() {
    return new Claims(namespace, fleetId, fleetConfigDigest, hsmId, datacenter, identityKey, opaqueServerKey,
        transportKey, vaultJar, transportContext);
  }

  /** Whether the identity key named in the statement signed it. */
  public boolean signatureVerifies() {
    return EcdsaP256.verify(identityKey, claims().body(), signature);
  }

  public byte[] toBytes() {
    byte[] body = claims().body();
    byte[] line = ("signature " + signature.toHex() + "\n").getBytes(StandardCharsets.US_ASCII);
    return dev.bkv.base.Bytes.concat(body, line);
  }

  public Sha256Digest digest() {
    return Sha256Digest.of(toBytes());
  }

  /** Parses the canonical text. The signature is not checked here: {@link #signatureVerifies} does it. */
  public static HsmStatement parse(byte[] text) throws EvidenceFormatException {
    if (text.length > TEXT_BYTES_MAX) {
      throw new EvidenceFormatException("statement of " + text.length + " bytes exceeds " + TEXT_BYTES_MAX);
    }
    LineCursor<EvidenceFormatException> in = LineCursor.open(text, LINES,
        m -> new EvidenceFormatException("statement: " + m), m -> new EvidenceFormatException("statement: " + m));
    in.expectLine(HEADER);
    String namespace = in.value("namespace");
    String fleetId = in.value("fleet-id");
    Sha256Digest config = digest(in.value("fleet-config-sha256"), "fleet-config-sha256");
    byte[] id = hex(in.value("hsm-id"), HsmId.BYTES, "hsm-id");
    String datacenter = in.value("datacenter");
    byte[] identity = hex(in.value("identity-key"), 33, "identity-key");
    byte[] opaque = hex(in.value("opaque-server-key"), 33, "opaque-server-key");
    String transportText = in.value("transport-key");
    byte[] transport = transportText.equals("none") ? null : hex(transportText, 33, "transport-key");
    Sha256Digest jar = digest(in.value("vault-jar-sha256"), "vault-jar-sha256");
    Sha256Digest context = digest(in.value("transport-context"), "transport-context");
    byte[] signature = hex(in.value("signature"), EcdsaP256.SIGNATURE_P1363_BYTES, "signature");
    in.expectEnd();
    Optional<String> badName = FleetNames.namespaceProblem(namespace).or(() -> FleetNames.fleetIdProblem(fleetId))
        .or(() -> FleetNames.datacenterProblem(datacenter));
    if (badName.isPresent()) {
      throw new EvidenceFormatException("statement: " + badName.get());
    }
    try {
      HsmStatement statement = new HsmStatement(namespace, fleetId, config, new HsmId(id), datacenter,
          EcdsaP256.PublicKey.decode(identity), P256Group.Element.decode("opaque-server-key", opaque),
          transport == null ? Optional.empty() : Optional.of(EcdhP256.PublicKey.decodeSec1(transport)),
          jar, context, new EcdsaP256.Signature(signature));
      if (!Arrays.equals(statement.toBytes(), text)) {
        throw new EvidenceFormatException("statement is not in canonical form");
      }
      return statement;
    } catch (DecodeException e) {
      throw new EvidenceFormatException("statement: " + e.getMessage());
    }
  }

  static Sha256Digest digest(String text, String field) throws EvidenceFormatException {
    return Sha256Digest.fromHex(text).orElseThrow(() -> new EvidenceFormatException(field + " must be 64 lower-case hex digits"));
  }

  static byte[] hex(String text, int bytes, String field) throws EvidenceFormatException {
    byte[] value = LineCursor.lowerHex(text, bytes);
    if (value == null) {
      throw new EvidenceFormatException(field + " must be " + (2 * bytes) + " lower-case hex digits");
    }
    return value;
  }
}
