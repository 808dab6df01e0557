package dev.bkv.hsm;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Aes256Gcm;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.NvramImage;
import dev.bkv.storage.StorageException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An {@link Hsm} whose identity signing key (ECDSA P-256) and sealing key (AES-256) live in a
 * PKCS#11 token, reached through the JDK's SunPKCS11 provider; tests run it on SoftHSM2.
 * Both keys are generated in the token as sensitive and non-extractable objects, and every
 * signature and every seal or unseal is computed by the token.
 *
 * <p>What stays in software, and why:
 * <ul>
 *   <li>The OPAQUE server setup (oprf_seed, AKE key): OPRF evaluation and 3DH need full
 *       point arithmetic on per-user derived keys, which PKCS#11 ECDH does not offer. It is
 *       sealed under the token's sealing key in {@code opaque-setup.sealed} and held in this
 *       process's memory while the HSM runs.
 *   <li>NVRAM: SoftHSM2 offers no monotonic counter (no CKH_MONOTONIC_COUNTER hardware
 *       feature), and SunPKCS11 cannot reach token data objects (CKO_DATA). The NVRAM image
 *       is therefore kept in {@code nvram.sealed}, sealed under the token key: the host
 *       cannot forge or alter it, but it can replace it with an older sealed image. Rollback
 *       protection on this HSM is only as good as that file; a token with a monotonic
 *       counter, or a real HSM's NVRAM, closes the gap.
 * </ul>
 * The identity key is stored with a self-signed certificate because SunPKCS11's KeyStore
 * lists a private key only with a certificate; a vendor-issued certificate can replace it.
 */
public final class Pkcs11Hsm implements Hsm {
  static final String IDENTITY_ALIAS = "bkv-identity";
  static final String SEALING_ALIAS = "bkv-sealing";
  static final String OPAQUE_SETUP_FILE = "opaque-setup.sealed";
  static final String NVRAM_FILE = "nvram.sealed";
  private static final byte[] OPAQUE_SETUP_AAD = "BKV PKCS#11 HSM OPAQUE setup v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NVRAM_AAD = "BKV PKCS#11 HSM NVRAM v1".getBytes(StandardCharsets.US_ASCII);
  /** Where SoftHSM2's module is installed by common distributions, searched in order. */
  public static final List<String> SOFTHSM2_MODULE_PATHS = List.of(
      "/usr/lib/softhsm/libsofthsm2.so",
      "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
      "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
      "/usr/lib64/pkcs11/libsofthsm2.so",
      "/usr/lib/pkcs11/libsofthsm2.so",
      "/usr/local/lib/softhsm/libsofthsm2.so",
      "/opt/homebrew/lib/softhsm/libsofthsm2.so");

  /** How to reach the token: the PKCS#11 module, the slot id and the user PIN. */
  public record Config(Path module, long slot, char[] pin) {
    public Config {
      pin = pin.clone();
    }

    /** Never the PIN (a record would print the array's identity only, but say so explicitly). */
    @Override
    public String toString() {
      return "Pkcs11Hsm.Config(" + module + ", slot " + slot + ", pin redacted)";
    }
  }

  private final Provider provider;
  private final KeyStore keyStore;
  private final SecureRandom random;
  private final Path stateDir;
  private final PrivateKey identityKey;
  private final EcdsaP256.PublicKey identityPublicKey;
  private final SecretKey sealingKey;
  private final HsmId id;
  private ServerSetup serverSetup;
  private final FleetSecretsTransport.OfferSlot transportOffer = new FleetSecretsTransport.OfferSlot();
  private NvramImage nvram;
  private boolean zeroized;

  private Pkcs11Hsm(Provider provider, KeyStore keyStore, SecureRandom random, Path stateDir, PrivateKey identityKey,
      EcdsaP256.PublicKey identityPublicKey, SecretKey sealingKey) {
    this.provider = provider;
    this.keyStore = keyStore;
    this.random = random;
    this.stateDir = stateDir;
    this.identityKey = identityKey;
    this.identityPublicKey = identityPublicKey;
    this.sealingKey = sealingKey;
    this.id = HsmId.of(identityPublicKey);
  }

  /** The first SoftHSM2 module found: {@code BKV_PKCS11_MODULE} if set, else the known locations. */
  public static Optional<Path> findSoftHsm2Module() {
    String override = System.getenv("BKV_PKCS11_MODULE");
    if (override != null && !override.isEmpty()) {
      return Files.isRegularFile(Path.of(override)) ? Optional.of(Path.of(override)) : Optional.empty();
    }
    return SOFTHSM2_MODULE_PATHS.stream().map(Path::of).filter(Files::isRegularFile).findFirst();
  }

  /**
   * Logs in to the token, generating the identity and sealing keys on first use, and loads
   * (or creates) the sealed OPAQUE setup and NVRAM image in {@code stateDir}.
   */
  public static Pkcs11Hsm open(Config config, Path stateDir, SecureRandom random) throws HsmException {
    Provider provider;
    KeyStore keyStore;
    try {
      provider = Security.getProvider("SunPKCS11").configure("--" + providerConfig(config));
      keyStore = KeyStore.getInstance("PKCS11", provider);
      keyStore.load(null, config.pin());
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw new HsmException(HsmException.Reason.TOKEN_FAILED,
          "cannot open PKCS#11 slot " + config.slot() + " of " + config.module() + ": " + e.getMessage(), e);
    }
    try {
      if (!keyStore.containsAlias(IDENTITY_ALIAS)) {
        generateIdentity(provider, keyStore, random);
      }
      if (!keyStore.containsAlias(SEALING_ALIAS)) {
        KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
        generator.init(Aes256Gcm.KEY_BYTES * 8, random);
        keyStore.setEntry(SEALING_ALIAS, new KeyStore.SecretKeyEntry(generator.generateKey()), null);
      }
      PrivateKey identity = (PrivateKey) keyStore.getKey(IDENTITY_ALIAS, null);
      SecretKey sealing = (SecretKey) keyStore.getKey(SEALING_ALIAS, null);
      EcdsaP256.PublicKey identityPublic = decodePublicKey(keyStore.getCertificate(IDENTITY_ALIAS).getPublicKey());
      Pkcs11Hsm hsm = new Pkcs11Hsm(provider, keyStore, random, stateDir, identity, identityPublic, sealing);
      Files.createDirectories(stateDir);
      hsm.serverSetup = hsm.loadOrCreateServerSetup();
      hsm.nvram = hsm.loadNvram();
      return hsm;
    } catch (GeneralSecurityException | IOException | OperatorCreationException | DecodeException e) {
      throw new HsmException(HsmException.Reason.TOKEN_FAILED, "provisioning the token: " + e.getMessage(), e);
    }
  }

  private static String providerConfig(Config config) {
    return "name = BKV\n"
        + "library = \"" + config.module() + "\"\n"
        + "slot = " + config.slot() + "\n"
        // Keys the token generates can never be read out of it.
        + "attributes(generate, CKO_PRIVATE_KEY, CKK_EC) = {\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n"
        + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n";
  }

  private static void generateIdentity(Provider provider, KeyStore keyStore, SecureRandom random)
      throws GeneralSecurityException, OperatorCreationException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", provider);
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair pair = generator.generateKeyPair();
    X500Name name = new X500Name("CN=BKV HSM identity");
    // Fixed validity: the certificate only carries the key; nothing checks its dates.
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        name, BigInteger.ONE, new Date(1767225600000L), new Date(4102444800000L), name, pair.getPublic());
    X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(provider).build(pair.getPrivate())));
    keyStore.setKeyEntry(IDENTITY_ALIAS, pair.getPrivate(), null, new Certificate[] {certificate});
  }

  private static EcdsaP256.PublicKey decodePublicKey(PublicKey key) throws DecodeException {
    byte[] point = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getPublicKeyData().getBytes();
    return EcdsaP256.PublicKey.decode(point);
  }

  private ServerSetup loadOrCreateServerSetup() throws HsmException, DecodeException {
    Path file = stateDir.resolve(OPAQUE_SETUP_FILE);
    byte[] aad = Bytes.concat(OPAQUE_SETUP_AAD, id.toBytes());
    Optional<byte[]> sealed = readFile(file, ServerSetup.ENCODED_BYTES + SEAL_OVERHEAD_BYTES);
    if (sealed.isPresent()) {
      byte[] encoded = unseal(aad, sealed.get());
      ServerSetup setup = ServerSetup.decode(encoded);
      Arrays.fill(encoded, (byte) 0);
      return setup;
    }
    ServerSetup setup = ServerSetup.generate(random);
    byte[] encoded = setup.encode();
    writeFile(file, seal(aad, encoded));
    Arrays.fill(encoded, (byte) 0);
    return setup;
  }

  private NvramImage loadNvram() throws HsmException {
    Optional<byte[]> sealed = readFile(stateDir.resolve(NVRAM_FILE), NvramImage.ENCODED_BYTES_MAX + SEAL_OVERHEAD_BYTES);
    if (sealed.isEmpty()) {
      return NvramImage.empty();
    }
    try {
      return NvramImage.decode(unseal(Bytes.concat(NVRAM_AAD, id.toBytes()), sealed.get()));
    } catch (StorageException e) {
      throw new HsmException(HsmException.Reason.NVRAM_FAILED, e.getMessage(), e);
    }
  }

  private static Optional<byte[]> readFile(Path file, long bytesMax) throws HsmException {
    try {
      return AtomicFile.read(file, bytesMax);
    } catch (StorageException e) {
      throw new HsmException(HsmException.Reason.NVRAM_FAILED, e.getMessage(), e);
    }
  }

  private static void writeFile(Path file, byte[] content) throws HsmException {
    try {
      AtomicFile.write(file, content);
    } catch (StorageException e) {
      throw new HsmException(HsmException.Reason.NVRAM_FAILED, e.getMessage(), e);
    }
  }

  private void live() throws HsmException {
    if (zeroized) {
      throw new HsmException(HsmException.Reason.ZEROIZED, "the token keys were destroyed by a tamper event");
    }
  }

  @Override
  public synchronized HsmId id() throws HsmException {
    live();
    return id;
  }

  @Override
  public synchronized EcdsaP256.PublicKey identityPublicKey() throws HsmException {
    live();
    return identityPublicKey;
  }

  @Override
  public synchronized EcdsaP256.Signature signWithIdentity(byte[] message) throws HsmException {
    live();
    try {
      Signature signer = Signature.getInstance("SHA256withECDSA", provider);
      signer.initSign(identityKey);
      signer.update(message);
      return EcdsaP256.Signature.fromDer(signer.sign());
    } catch (GeneralSecurityException | DecodeException | RuntimeException e) {
      throw new HsmException(HsmException.Reason.TOKEN_FAILED, "token signature: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized byte[] seal(byte[] associatedData, byte[] plaintext) throws HsmException {
    live();
    byte[] nonce = new byte[Aes256Gcm.NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.ENCRYPT_MODE, sealingKey, new GCMParameterSpec(Aes256Gcm.TAG_BYTES * 8, nonce));
      cipher.updateAAD(associatedData);
      return Bytes.concat(nonce, cipher.doFinal(plaintext));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new HsmException(HsmException.Reason.TOKEN_FAILED, "token seal: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized byte[] unseal(byte[] associatedData, byte[] sealed) throws HsmException {
    live();
    if (sealed.length < SEAL_OVERHEAD_BYTES) {
      throw new HsmException(HsmException.Reason.UNSEAL_FAILED, "sealed blob of " + sealed.length + " bytes is too short");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.DECRYPT_MODE, sealingKey,
          new GCMParameterSpec(Aes256Gcm.TAG_BYTES * 8, Arrays.copyOf(sealed, Aes256Gcm.NONCE_BYTES)));
      cipher.updateAAD(associatedData);
      return cipher.doFinal(sealed, Aes256Gcm.NONCE_BYTES, sealed.length - Aes256Gcm.NONCE_BYTES);
    } catch (BadPaddingException | IllegalBlockSizeException e) {
      // AEADBadTagException (a BadPaddingException) on SoftHSM2; other tokens report a bad tag otherwise.
      throw new HsmException(HsmException.Reason.UNSEAL_FAILED, "sealed blob does not authenticate", e);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new HsmException(HsmException.Reason.TOKEN_FAILED, "token unseal: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized NvramImage.Cell readNvram(int slot) throws HsmException {
    live();
    return nvram.cell(slot);
  }

  @Override
  public synchronized void writeNvram(int slot, NvramImage.Cell cell) throws HsmException {
    live();
    NvramRules.checkAdvance(slot, nvram.cell(slot), cell);
    NvramImage next = nvram.with(slot, cell);
    writeFile(stateDir.resolve(NVRAM_FILE), seal(Bytes.concat(NVRAM_AAD, id.toBytes()), next.encode()));
    nvram = next;
  }

  @Override
  public synchronized ServerSetup opaqueServerSetup() throws HsmException {
    live();
    return serverSetup;
  }

  @Override
  public SecureRandom random() {
    return random;
  }

  @Override
  public synchronized TransportOffer offerTransportKey(Sha256Digest context) throws HsmException {
    live();
    return transportOffer.offer(this, random, context);
  }

  @Override
  public synchronized WrappedFleetSecrets exportFleetSecrets(TransportOffer recipient) throws HsmException {
    live();
    return FleetSecretsTransport.wrap(this, serverSetup, recipient, random);
  }

  /** Installs the fleet's OPAQUE setup, sealed by the token like the setup it replaces. */
  @Override
  public synchronized void importFleetSecrets(WrappedFleetSecrets wrapped, HsmAttestation sender) throws HsmException {
    live();
    ServerSetup imported = transportOffer.open(this, wrapped, sender);
    byte[] encoded = imported.encode();
    try {
      writeFile(stateDir.resolve(OPAQUE_SETUP_FILE), seal(Bytes.concat(OPAQUE_SETUP_AAD, id.toBytes()), encoded));
    } catch (HsmException e) {
      imported.destroy();
      throw e;
    } finally {
      Arrays.fill(encoded, (byte) 0);
    }
    serverSetup.destroy();
    serverSetup = imported;
    transportOffer.clear();
  }

  /** Destroys both token keys and the in-memory OPAQUE setup; the sealed files become useless. */
  @Override
  public synchronized void tamper() {
    zeroized = true;
    serverSetup.destroy();
    transportOffer.clear();
    for (String alias : new String[] {IDENTITY_ALIAS, SEALING_ALIAS}) {
      try {
        keyStore.deleteEntry(alias);
      } catch (GeneralSecurityException | RuntimeException e) {
        // Keep going: the other key must be destroyed too. A key the token refuses to delete
        // is still unreachable through this object, which now refuses every call.
      }
    }
    try {
      Files.deleteIfExists(stateDir.resolve(OPAQUE_SETUP_FILE));
    } catch (IOException e) {
      // Sealed under a key that no longer exists: unreadable either way.
    }
  }

  @Override
  public synchronized boolean isZeroized() {
    return zeroized;
  }

  /** Logs out of the token. */
  public synchronized void close() {
    try {
      ((AuthProvider) provider).logout();
    } catch (javax.security.auth.login.LoginException e) {
      // Logging out of a session that is already gone changes nothing.
    }
  }

  @Override
  public String toString() {
    return "Pkcs11Hsm(" + id.toHex() + (zeroized ? ", zeroized" : "") + ")";
  }
}
