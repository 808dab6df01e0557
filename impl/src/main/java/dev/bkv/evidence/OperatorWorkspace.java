package dev.bkv.evidence;

import dev.bkv.base.Folders;
import dev.bkv.base.LineCursor;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.CeremonyException;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.FleetFormatException;
import dev.bkv.fleet.FleetNames;
import dev.bkv.fleet.KeyCeremony;
import dev.bkv.fleet.Placement;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.NoteKeys;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An operator's directory (spec/FORMATS.md, "Deployment evidence", operator workspace): the
 * simulated vendor, the operator HSM, each fleet's HSMs with their certificates, config and
 * evidence, and the bundles published so far. Directories appear whole or not at all (built
 * beside their place, then renamed); files are replaced atomically.
 */
public final class OperatorWorkspace {
  public static final String NAMESPACE_FILE = "namespace";
  public static final String CURRENT_FLEET_FILE = "current-fleet";
  public static final String WITNESS_KEYS_FILE = "witness.vkeys";
  public static final String EVIDENCE_FILE = "evidence.txt";
  public static final String CONFIG_FILE = "fleet.conf";
  public static final String DEVICE_CERTIFICATE_FILE = "device.crt";
  /**
   * The key that signs add-bundle requests (operator/submission.skey, owner-only, and its
   * public operator/submission.vkey): an Ed25519 note key named after the namespace, which
   * the witness admin registers with 'bkv witness add-operator'.
   */
  public static final String SUBMISSION_SKEY_FILE = "submission.skey";
  public static final String SUBMISSION_VKEY_FILE = "submission.vkey";
  private static final int KEY_FILE_BYTES_MAX = 1024;
  /** Bundles and witnessed bundles: bundles/&lt;epoch&gt;.bundle and bundles/&lt;epoch&gt;.witnessed. */
  public static final String BUNDLES_DIR = "bundles";
  public static final int FLEETS_MAX = 1024;
  public static final int EPOCHS_MAX = 100_000;
  private static final String PARTIAL_SUFFIX = ".partial";

  private final Path dir;
  private final String namespace;
  private final HsmVendor vendor;
  private final SoftHsm operator;
  private final byte[] operatorCertificate;

  private OperatorWorkspace(Path dir, String namespace, HsmVendor vendor, SoftHsm operator, byte[] operatorCertificate) {
    this.dir = dir;
    this.namespace = namespace;
    this.vendor = vendor;
    this.operator = operator;
    this.operatorCertificate = operatorCertificate.clone();
  }

  /** How many HSMs, over how many datacenters (named dc-1 .. dc-D, HSMs dealt round-robin). */
  public record FleetShape(String fleetId, int hsms, int datacenters) {
    /** The problem with this shape (names, counts, G2 placement), or empty. */
    public Optional<String> problem() {
      Optional<String> name = FleetNames.fleetIdProblem(fleetId);
      if (name.isPresent()) {
        return name;
      }
      if (hsms < 1 || hsms > FleetConfig.HSMS_MAX) {
        return Optional.of("--hsms must be in [1, " + FleetConfig.HSMS_MAX + "], got " + hsms);
      }
      if (datacenters < 1 || datacenters > Math.min(hsms, FleetConfig.DATACENTERS_MAX)) {
        return Optional.of("--datacenters must be in [1, min(--hsms, " + FleetConfig.DATACENTERS_MAX + ")], got " + datacenters);
      }
      if (Placement.check(Placement.roundRobin(hsms, datacenterNames())) instanceof Placement.Violation v) {
        return Optional.of(v.reason() + "; use more datacenters or more HSMs");
      }
      return Optional.empty();
    }

    public List<String> datacenterNames() {
      List<String> names = new ArrayList<>();
      for (int d = 1; d <= datacenters; d++) {
        names.add("dc-" + d);
      }
      return names;
    }
  }

  /**
   * Creates a workspace with a new vendor, operator HSM and first fleet, built in a sibling
   * directory and renamed into place: {@code dir} appears complete or not at all.
   */
  public static OperatorWorkspace initialize(Path dir, String namespace, FleetShape first, Sha256Digest vaultJar,
      long nowSeconds, SecureRandom random) throws IOException, CeremonyException, HsmException {
    Optional<String> problem = FleetNames.namespaceProblem(namespace).or(first::problem);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
    Path target = dir.toAbsolutePath().normalize();
    if (Files.exists(target) && !(Files.isDirectory(target) && isEmpty(target))) {
      throw new IllegalArgumentException(target + " exists and is not an empty directory");
    }
    Path staging = target.resolveSibling(target.getFileName() + PARTIAL_SUFFIX);
    Folders.deleteTree(staging); // left by an interrupted init: never visible as a workspace
    Files.createDirectories(staging);
    try {
      stage(staging, namespace, first, vaultJar, nowSeconds, random);
    } catch (IOException | CeremonyException | HsmException | RuntimeException e) {
      Folders.deleteTree(staging);
      throw e;
    }
    Files.deleteIfExists(target);
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(target.getParent());
    return open(target, random);
  }

  private static void stage(Path staging, String namespace, FleetShape first, Sha256Digest vaultJar, long nowSeconds,
      SecureRandom random) throws IOException, CeremonyException, HsmException {
    HsmVendor vendor = HsmVendor.create(EcdsaP256.PrivateKey.generate(random), nowSeconds);
    vendor.save(staging.resolve("vendor"));
    SoftHsm operator = SoftHsm.open(staging.resolve("operator").resolve("hsm"), random);
    byte[] certificate = vendor.issueDeviceCertificate(operator.identityPublicKey(), nowSeconds);
    write(staging.resolve("operator").resolve(DEVICE_CERTIFICATE_FILE), Pem.encodeCertificate(certificate));
    write(staging.resolve(NAMESPACE_FILE), (namespace + "\n").getBytes(StandardCharsets.US_ASCII));
    OperatorWorkspace staged = new OperatorWorkspace(staging, namespace, vendor, operator, certificate);
    staged.createSubmissionKey(random);
    staged.createFleet(first, vaultJar, nowSeconds, random);
  }

  public static OperatorWorkspace open(Path dir, SecureRandom random) throws IOException, HsmException {
    if (!Files.isRegularFile(dir.resolve(NAMESPACE_FILE))) {
      throw new IOException(dir + " is not an operator workspace (no " + NAMESPACE_FILE + "; run 'bkv fleet init')");
    }
    String namespace = readText(dir.resolve(NAMESPACE_FILE), 256);
    try {
      HsmVendor vendor = HsmVendor.load(dir.resolve("vendor"));
      SoftHsm operator = SoftHsm.open(dir.resolve("operator").resolve("hsm"), random);
      byte[] certificate = certificate(dir.resolve("operator").resolve(DEVICE_CERTIFICATE_FILE));
      return new OperatorWorkspace(dir, namespace, vendor, operator, certificate);
    } catch (EvidenceFormatException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Makes a new fleet: manufactures its HSMs (SoftHsm directories with vendor certificates),
   * runs the key ceremony, writes its config and evidence, then makes it the current fleet.
   */
  public DeploymentEvidence createFleet(FleetShape shape, Sha256Digest vaultJar, long nowSeconds, SecureRandom random)
      throws IOException, CeremonyException, HsmException {
    Optional<String> problem = shape.problem();
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
    Path fleets = Files.createDirectories(dir.resolve("fleets"));
    Path target = fleets.resolve(shape.fleetId());
    if (Files.exists(target)) {
      throw new IllegalArgumentException("fleet " + shape.fleetId() + " exists already in " + dir);
    }
    if (fleetIds().size() >= FLEETS_MAX) {
      throw new IllegalArgumentException("a workspace holds at most " + FLEETS_MAX + " fleets");
    }
    Path staging = fleets.resolve("." + shape.fleetId() + PARTIAL_SUFFIX);
    Folders.deleteTree(staging);
    try {
      stageFleet(staging, shape, vaultJar, nowSeconds, random);
    } catch (IOException | CeremonyException | HsmException | RuntimeException e) {
      Folders.deleteTree(staging);
      throw e;
    }
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(fleets);
    write(dir.resolve(CURRENT_FLEET_FILE), (shape.fleetId() + "\n").getBytes(StandardCharsets.US_ASCII));
    try {
      return DeploymentEvidence.parse(evidence(shape.fleetId()));
    } catch (EvidenceFormatException e) {
      throw new IOException("evidence just written does not parse: " + e.getMessage(), e);
    }
  }

  private void stageFleet(Path staging, FleetShape shape, Sha256Digest vaultJar, long nowSeconds, SecureRandom random)
      throws IOException, CeremonyException, HsmException {
    List<String> placed = Placement.roundRobin(shape.hsms(), shape.datacenterNames());
    List<KeyCeremony.Participant> participants = new ArrayList<>();
    for (int i = 0; i < shape.hsms(); i++) {
      Path hsmDir = staging.resolve("hsm-" + (i + 1));
      SoftHsm hsm = SoftHsm.open(hsmDir, random);
      byte[] certificate = vendor.issueDeviceCertificate(hsm.identityPublicKey(), nowSeconds);
      write(hsmDir.resolve(DEVICE_CERTIFICATE_FILE), Pem.encodeCertificate(certificate));
      participants.add(new KeyCeremony.Participant(hsm, placed.get(i), certificate));
    }
    KeyCeremony.Plan plan = new KeyCeremony.Plan(namespace, shape.fleetId(), shape.datacenterNames());
    KeyCeremony.Result result = KeyCeremony.run(plan, participants, vendor.root(), vaultJar, nowSeconds);
    DeploymentEvidence evidence = EvidenceBuilder.build(result, vendor.root(), operator, operatorCertificate);
    write(staging.resolve(CONFIG_FILE), result.config().textBytes());
    write(staging.resolve(EVIDENCE_FILE), evidence.toBytes());
  }

  public Path dir() {
    return dir;
  }

  public String namespace() {
    return namespace;
  }

  public HsmVendor vendor() {
    return vendor;
  }

  public SoftHsm operator() {
    return operator;
  }

  /** The submission key, read from operator/submission.skey. */
  public Ed25519Note.Signer submissionKey() throws IOException {
    Path file = dir.resolve("operator").resolve(SUBMISSION_SKEY_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IOException(dir + " has no submission key (run 'bkv fleet submitter-key --dir " + dir + "' to create one)");
    }
    try {
      Ed25519Note.Signer key = NoteKeys.parseNoteSigner(readText(file, KEY_FILE_BYTES_MAX));
      if (!key.keyName().equals(namespace)) {
        throw new IOException(file + " is named " + key.keyName() + ", not the namespace " + namespace);
      }
      return key;
    } catch (FormatException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Creates the submission key when the workspace has none (made before submissions were signed); true if it did. */
  public boolean ensureSubmissionKey(SecureRandom random) throws IOException {
    if (Files.isRegularFile(dir.resolve("operator").resolve(SUBMISSION_SKEY_FILE))) {
      return false;
    }
    createSubmissionKey(random);
    return true;
  }

  private void createSubmissionKey(SecureRandom random) throws IOException {
    Ed25519Note.Signer key = new Ed25519Note.Signer(namespace, Ed25519.PrivateKey.generate(random));
    Path operatorDir = Files.createDirectories(dir.resolve("operator"));
    try {
      AtomicFile.writeSecret(operatorDir.resolve(SUBMISSION_SKEY_FILE), (key.skey() + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (StorageException e) {
      throw new IOException(e.getMessage(), e);
    }
    write(operatorDir.resolve(SUBMISSION_VKEY_FILE), (key.verifier().vkey() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public String currentFleetId() throws IOException {
    return readText(dir.resolve(CURRENT_FLEET_FILE), 256);
  }

  /** Fleet ids in creation-independent (sorted) order; partial directories are not fleets. */
  public List<String> fleetIds() throws IOException {
    Path fleets = dir.resolve("fleets");
    if (!Files.isDirectory(fleets)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(fleets)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().limit(FLEETS_MAX).toList();
    }
  }

  public byte[] evidence(String fleetId) throws IOException {
    return readBytes(dir.resolve("fleets").resolve(fleetId).resolve(EVIDENCE_FILE), DeploymentEvidence.EVIDENCE_BYTES_MAX);
  }

  public FleetConfig config(String fleetId) throws IOException {
    try {
      return FleetConfig.parse(readBytes(dir.resolve("fleets").resolve(fleetId).resolve(CONFIG_FILE), FleetConfig.TEXT_BYTES_MAX));
    } catch (FleetFormatException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The published files of each epoch, in increasing epoch order. */
  public TreeMap<Long, Path> files(String suffix) throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    Path bundles = dir.resolve(BUNDLES_DIR);
    if (!Files.isDirectory(bundles)) {
      return files;
    }
    try (Stream<Path> entries = Files.list(bundles)) {
      for (Path p : entries.limit(3L * EPOCHS_MAX).toList()) {
        String name = p.getFileName().toString();
        if (name.endsWith(suffix)) {
          long epoch = LineCursor.decimal(name.substring(0, name.length() - suffix.length()));
          if (epoch > 0) {
            files.put(epoch, p);
          }
        }
      }
    }
    return files;
  }

  public Path bundleFile(long epoch, String suffix) throws IOException {
    return Files.createDirectories(dir.resolve(BUNDLES_DIR)).resolve(epoch + suffix);
  }

  public Optional<String> pinnedWitnessKeys() throws IOException {
    Path file = dir.resolve(WITNESS_KEYS_FILE);
    return Files.isRegularFile(file) ? Optional.of(new String(readBytes(file, 16 * 1024), StandardCharsets.UTF_8))
        : Optional.empty();
  }

  public void pinWitnessKeys(String vkeys) throws IOException {
    write(dir.resolve(WITNESS_KEYS_FILE), vkeys.getBytes(StandardCharsets.UTF_8));
  }

  public static void write(Path file, byte[] content) throws IOException {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      AtomicFile.write(file, content);
    } catch (StorageException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  public static byte[] readBytes(Path file, long bytesMax) throws IOException {
    try {
      return AtomicFile.read(file, bytesMax).orElseThrow(() -> new IOException(file + ": no such file"));
    } catch (StorageException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static String readText(Path file, int bytesMax) throws IOException {
    return new String(readBytes(file, bytesMax), StandardCharsets.US_ASCII).strip();
  }

  private static byte[] certificate(Path file) throws IOException {
    return Pem.decodeCertificate(readBytes(file, 4L * DeploymentEvidence.CERTIFICATE_BYTES_MAX))
        .orElseThrow(() -> new IOException(file + " is not a PEM certificate"));
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    if (System.getProperty("os.name", "").startsWith("Windows")) {
      return; // NTFS journals renames; Windows cannot open a directory as a channel
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
