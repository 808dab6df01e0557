package dev.bkv.node;

import dev.bkv.bundle.MigrationTrust;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.TrustAnchorsFile;
import dev.bkv.consensus.Membership;
import dev.bkv.consensus.PeerKeys;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.EvidenceFormatException;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.firmware.FleetFirmware;
import dev.bkv.firmware.MigrationAnchors;
import dev.bkv.firmware.ReplicaStorage;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.FleetFormatException;
import dev.bkv.fleet.FleetMember;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.HsmId;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.storage.FileDisk;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.FormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Opens what one node runs on, refusing with one line whenever the config does not describe
 * this HSM in this fleet: the fleet config, the HSM (a SoftHsm directory made by the key
 * ceremony, never created here), its sealed log, and the firmware booted from its NVRAM and
 * that log.
 */
final class NodeBoot {
  /**
   * The key file of a SoftHsm directory. {@link SoftHsm#open} makes a new HSM in a directory
   * without one, which here would be a fresh identity outside the fleet: refused instead.
   */
  static final String SOFT_HSM_KEY_FILE = "keys.bkv";

  record Booted(FleetConfig fleet, SoftHsm hsm, ReplicaStorage storage, FleetFirmware firmware, String hsmId) {}

  private NodeBoot() {}

  static FleetConfig fleetConfig(NodeConfig config) throws NodeException {
    Path file = config.fleetConfig();
    try {
      if (!Files.isRegularFile(file)) {
        throw new NodeException(file + ": no such file (the fleet config named by 'fleet-config')");
      }
      if (Files.size(file) > FleetConfig.TEXT_BYTES_MAX) {
        throw new NodeException(file + ": longer than " + FleetConfig.TEXT_BYTES_MAX + " bytes");
      }
      return FleetConfig.parse(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new NodeException(file + ": " + e.getMessage(), e);
    } catch (FleetFormatException e) {
      throw new NodeException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The vault's bounds: the defaults, or for a traced node what the spec can replay (one entry
   * per AppendEntries, as the spec sends them, and no snapshots, which the spec does not model).
   */
  static ReplicatedVault.Limits limits(boolean traced) {
    ReplicatedVault.Limits defaults = ReplicatedVault.Limits.defaults();
    if (!traced) {
      return defaults;
    }
    return new ReplicatedVault.Limits(new ReplicaCore.Limits(1, defaults.core().entriesPerRequestMax()),
        defaults.waitingMax(), Long.MAX_VALUE);
  }

  /**
   * The check of a rotation's target fleet, over the anchors file the config names (empty when
   * it names none: the firmware then refuses every export). A named file that is missing or
   * malformed stops the boot: a node silently unable to migrate would be found out only mid-rotation.
   */
  static Optional<MigrationAnchors> migrationAnchors(NodeConfig config) throws NodeException {
    if (config.migrationAnchors().isEmpty()) {
      return Optional.empty();
    }
    Path file = config.migrationAnchors().get();
    try {
      if (!Files.isRegularFile(file)) {
        throw new NodeException(file + ": no such file (the trust anchors named by 'migration-anchors')");
      }
      if (Files.size(file) > TrustAnchorsFile.FILE_BYTES_MAX) {
        throw new NodeException(file + ": longer than " + TrustAnchorsFile.FILE_BYTES_MAX + " bytes");
      }
      TrustAnchors anchors = TrustAnchorsFile.parse(Files.readAllBytes(file));
      return Optional.of(new MigrationTrust(anchors));
    } catch (IOException e) {
      throw new NodeException(file + ": " + e.getMessage(), e);
    } catch (FormatException e) {
      throw new NodeException(file + ": " + e.getMessage(), e);
    }
  }

  static Booted boot(NodeConfig config, SecureRandom random) throws NodeException {
    return boot(config, random, false);
  }

  /**
   * The fleet's deployment evidence, when the fleet config has it beside it (as {@code bkv
   * fleet init} writes them): the config must be the one the evidence describes, so a node never
   * runs a fleet other than the one the witness logged and auditors checked.
   */
  static void matchEvidence(NodeConfig config, FleetConfig fleet) throws NodeException {
    Path file = config.fleetConfig().resolveSibling(OperatorWorkspace.EVIDENCE_FILE);
    if (!Files.isRegularFile(file)) {
      return;
    }
    try {
      if (Files.size(file) > DeploymentEvidence.EVIDENCE_BYTES_MAX) {
        throw new NodeException(file + ": longer than " + DeploymentEvidence.EVIDENCE_BYTES_MAX + " bytes");
      }
      FleetConfig described = DeploymentEvidence.parse(Files.readAllBytes(file)).config();
      if (!Arrays.equals(described.textBytes(), fleet.textBytes())) {
        throw new NodeException(config.fleetConfig() + " is not the fleet config the evidence " + file
            + " describes (evidence names fleet " + described.fleetId() + ", config digest "
            + described.digest().toHex().substring(0, 16) + ", not " + fleet.digest().toHex().substring(0, 16) + ")");
      }
    } catch (IOException e) {
      throw new NodeException(file + ": " + e.getMessage(), e);
    } catch (EvidenceFormatException e) {
      throw new NodeException(file + ": " + e.getMessage(), e);
    }
  }

  static Booted boot(NodeConfig config, SecureRandom random, boolean traced) throws NodeException {
    FleetConfig fleet = fleetConfig(config);
    matchEvidence(config, fleet);
    Optional<MigrationAnchors> migration = migrationAnchors(config);
    if (!fleet.fleetId().equals(config.fleetId())) {
      throw new NodeException("node config is for fleet " + config.fleetId() + " but " + config.fleetConfig()
          + " is fleet " + fleet.fleetId());
    }
    int n = fleet.members().size();
    if (config.member() >= n) {
      throw new NodeException("member " + config.member() + " is not in fleet " + fleet.fleetId() + " of " + n + " HSMs");
    }
    FleetMember member = fleet.members().get(config.member());
    if (!member.datacenter().equals(config.datacenter())) {
      throw new NodeException("member " + config.member() + " of fleet " + fleet.fleetId() + " is in "
          + member.datacenter() + ", not " + config.datacenter());
    }
    Set<Integer> expected = new HashSet<>();
    for (int i = 0; i < n; i++) {
      if (i != config.member()) {
        expected.add(i);
      }
    }
    if (!expected.equals(config.peers().keySet())) {
      throw new NodeException("peers must be exactly the fleet's other members " + new java.util.TreeSet<>(expected)
          + ", got " + config.peers().keySet());
    }
    if (!Files.isRegularFile(config.hsmDir().resolve(SOFT_HSM_KEY_FILE))) {
      throw new NodeException(config.hsmDir() + " is not an HSM directory (no " + SOFT_HSM_KEY_FILE + ")");
    }
    try {
      SoftHsm hsm = SoftHsm.open(config.hsmDir(), random);
      HsmId id = hsm.id();
      if (!id.equals(member.hsmId())) {
        throw new NodeException("the HSM in " + config.hsmDir() + " is " + id.toHex() + ", but member " + config.member()
            + " of fleet " + fleet.fleetId() + " is " + member.hsmId().toHex());
      }
      List<String> datacenters = new ArrayList<>();
      for (FleetMember m : fleet.members()) {
        datacenters.add(m.datacenter());
      }
      PeerKeys keys = FleetFirmware.peerKeys(hsm, peerContext(fleet), n);
      ReplicaStorage storage = ReplicaStorage.open(hsm, new FileDisk(config.dataDir()), logContext(fleet, config.member()));
      ReplicatedVault vault = ReplicatedVault.create(config.member(), Membership.of(datacenters), keys,
          limits(traced), FirmwareOptions.PRODUCTION, storage.readNvram(), storage.recovered());
      return new Booted(fleet, hsm, storage, new FleetFirmware(hsm, vault, migration), id.toHex());
    } catch (HsmException e) {
      throw new NodeException("the HSM in " + config.hsmDir() + " refused: " + e.getMessage(), e);
    } catch (StorageException e) {
      throw new NodeException("storage in " + config.dataDir() + ": " + e.getMessage(), e);
    }
  }

  /** Binds the peer MAC keys to this fleet, so no message of another fleet's HSMs authenticates here. */
  static byte[] peerContext(FleetConfig fleet) {
    return ("bkv-peer/" + fleet.namespace() + "/" + fleet.fleetId()).getBytes(StandardCharsets.US_ASCII);
  }

  /** Binds the sealed log to this fleet and member, so a log of another HSM or fleet does not open here. */
  static byte[] logContext(FleetConfig fleet, int member) {
    return ("bkv-node/" + fleet.namespace() + "/" + fleet.fleetId() + "/member-" + member)
        .getBytes(StandardCharsets.US_ASCII);
  }
}
