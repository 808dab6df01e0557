package dev.bkv.evidence;

import dev.bkv.base.Hex;
import dev.bkv.base.LineCursor;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.hsm.HsmId;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.Verdict;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * A simulated HSM vendor: a self-signed ECDSA P-256 root CA that, at "manufacture", issues
 * each HSM a device certificate for its identity key. A real vendor keeps its root key in its
 * own HSM and ships the certificate inside the device; here the root key is a file, so the
 * simulation can make HSMs for new fleets later. Certificates are deterministic: RFC 6979
 * signatures, fixed serials (1 for the root, the HSM id for devices) and given times.
 */
public final class HsmVendor {
  public static final String ORGANIZATION = "BKV Simulated HSM Vendor";
  public static final X500Name ROOT_NAME = new X500Name("CN=BKV Simulated HSM Vendor Root CA,O=" + ORGANIZATION);
  public static final long ROOT_VALIDITY_SECONDS = 20L * 366 * 24 * 60 * 60;
  public static final long DEVICE_VALIDITY_SECONDS = 10L * 366 * 24 * 60 * 60;
  static final String ROOT_KEY_FILE = "root.key";
  static final String ROOT_CERTIFICATE_FILE = "root.crt";

  private final EcdsaP256.PrivateKey rootKey;
  private final VendorRoot root;

  private HsmVendor(EcdsaP256.PrivateKey rootKey, VendorRoot root) {
    this.rootKey = rootKey;
    this.root = root;
  }

  /** A vendor whose root certificate is valid from {@code nowSeconds} for {@link #ROOT_VALIDITY_SECONDS}. */
  public static HsmVendor create(EcdsaP256.PrivateKey rootKey, long nowSeconds) {
    byte[] der = X509Certificates.build(ROOT_NAME, rootKey, BigInteger.ONE, nowSeconds, nowSeconds + ROOT_VALIDITY_SECONDS,
        ROOT_NAME, rootKey.publicKey(), true);
    Verdict<VendorRoot> root = VendorRoot.parse(der);
    if (!root.isVerified()) {
      throw new AssertionError("a freshly built root fits the profile: " + root.reasonOrEmpty());
    }
    return new HsmVendor(rootKey, root.value());
  }

  public VendorRoot root() {
    return root;
  }

  /** "Manufacture": a device certificate for an HSM's identity key, valid from {@code nowSeconds}. */
  public byte[] issueDeviceCertificate(EcdsaP256.PublicKey identityKey, long nowSeconds) {
    HsmId id = HsmId.of(identityKey);
    return X509Certificates.build(ROOT_NAME, rootKey, new BigInteger(1, id.toBytes()), nowSeconds,
        nowSeconds + DEVICE_VALIDITY_SECONDS, VendorRoot.deviceName(id), identityKey, false);
  }

  /** Writes {@code root.key} (hex scalar, mode 0600) and {@code root.crt} (PEM) into {@code dir}. */
  public void save(Path dir) throws IOException {
    try {
      Files.createDirectories(dir);
      AtomicFile.writeSecret(dir.resolve(ROOT_KEY_FILE), (Hex.encode(rootKey.toBytes()) + "\n").getBytes(StandardCharsets.US_ASCII));
      AtomicFile.write(dir.resolve(ROOT_CERTIFICATE_FILE), Pem.encodeCertificate(root.der()));
    } catch (StorageException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Reads a vendor saved by {@link #save}, checking that the key and the certificate belong together. */
  public static HsmVendor load(Path dir) throws IOException, EvidenceFormatException {
    byte[] keyText = read(dir.resolve(ROOT_KEY_FILE), 128);
    String hex = new String(keyText, StandardCharsets.US_ASCII).strip();
    EcdsaP256.PrivateKey key;
    try {
      byte[] scalar = LineCursor.lowerHex(hex, 32);
      key = EcdsaP256.PrivateKey.decode(scalar == null ? new byte[0] : scalar);
    } catch (DecodeException e) {
      throw new EvidenceFormatException(dir.resolve(ROOT_KEY_FILE) + " is not a P-256 private key in hex");
    }
    VendorRoot root = loadRoot(dir.resolve(ROOT_CERTIFICATE_FILE));
    if (!root.publicKey().equals(key.publicKey())) {
      throw new EvidenceFormatException(dir.resolve(ROOT_KEY_FILE) + " does not belong to " + dir.resolve(ROOT_CERTIFICATE_FILE));
    }
    return new HsmVendor(key, root);
  }

  /** Reads a trusted root certificate (PEM or DER). */
  public static VendorRoot loadRoot(Path file) throws IOException, EvidenceFormatException {
    Optional<byte[]> der = Pem.decodeCertificate(read(file, 4 * DeploymentEvidence.CERTIFICATE_BYTES_MAX));
    if (der.isEmpty()) {
      throw new EvidenceFormatException(file + " is not a PEM or DER certificate");
    }
    Verdict<VendorRoot> root = VendorRoot.parse(der.get());
    if (!root.isVerified()) {
      throw new EvidenceFormatException(file + ": " + root.reasonOrEmpty());
    }
    return root.value();
  }

  static byte[] read(Path file, long bytesMax) throws IOException, EvidenceFormatException {
    try {
      return AtomicFile.read(file, bytesMax).orElseThrow(() -> new EvidenceFormatException(file + ": no such file"));
    } catch (StorageException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
