package dev.bkv.bench;

import dev.bkv.crypto.Aes256Gcm;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The signature, AEAD and hash primitives on the HSM paths: operator countersignatures and
 * HSM identity statements (ECDSA P-256), checkpoints and witness signatures (Ed25519),
 * sealing of records (AES-256-GCM), and SHA-256 on 64 bytes (one Merkle node hash) as the
 * noise baseline every other figure is also divided by.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class PrimitivesBench {
  private byte[] message64;
  private byte[] message1KiB;
  private byte[] aad;
  private Aes256Gcm.Key aesKey;
  private Aes256Gcm.Nonce nonce;
  private byte[] sealed1KiB;
  private Ed25519.PrivateKey edKey;
  private Ed25519.Signature edSignature;
  private EcdsaP256.PrivateKey ecdsaKey;
  private EcdsaP256.Signature ecdsaSignature;

  @Setup
  public void setUp() {
    SecureRandom random = new SecureRandom(new byte[] {1});
    message64 = new byte[64];
    message1KiB = new byte[1024];
    aad = new byte[16];
    random.nextBytes(message64);
    random.nextBytes(message1KiB);
    aesKey = Aes256Gcm.Key.generate(random);
    nonce = Aes256Gcm.Nonce.random(random);
    sealed1KiB = Aes256Gcm.seal(aesKey, nonce, aad, message1KiB);
    edKey = Ed25519.PrivateKey.generate(random);
    edSignature = edKey.sign(message64);
    ecdsaKey = EcdsaP256.PrivateKey.generate(random);
    ecdsaSignature = ecdsaKey.sign(message64);
  }

  @Benchmark
  public byte[] sha256_64B() {
    return Sha256.hash(message64);
  }

  /** Seal (encrypt) 1 KiB; the nonce repeats here, which is only acceptable in a benchmark. */
  @Benchmark
  public byte[] aesGcmSeal_1KiB() {
    return Aes256Gcm.seal(aesKey, nonce, aad, message1KiB);
  }

  @Benchmark
  public Object aesGcmOpen_1KiB() {
    return Aes256Gcm.open(aesKey, nonce, aad, sealed1KiB);
  }

  @Benchmark
  public Ed25519.Signature ed25519Sign() {
    return edKey.sign(message64);
  }

  @Benchmark
  public boolean ed25519Verify() {
    return Ed25519.verify(edKey.publicKey(), message64, edSignature);
  }

  @Benchmark
  public EcdsaP256.Signature ecdsaP256Sign() {
    return ecdsaKey.sign(message64);
  }

  @Benchmark
  public boolean ecdsaP256Verify() {
    return EcdsaP256.verify(ecdsaKey.publicKey(), message64, ecdsaSignature);
  }
}
