package dev.bkv.bench;

import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.DecodeException;
import dev.bkv.firmware.FleetFirmware;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.SoftHsm;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The OPAQUE firmware on the leader of a {@link FleetCluster}: client requests go to
 * {@link FleetFirmware#handle} on the leader, every vault step of the leader goes through
 * {@link FleetFirmware#translate}, and answers are collected by request id. Only the leader
 * runs OPAQUE (the followers only replicate), so only it needs an HSM. Also a
 * {@link VaultTransport}, so the ordinary client can register users through the fleet.
 */
final class FleetLoginHost implements VaultTransport {
  private final FleetCluster cluster;
  private final SoftHsm hsm;
  private final FleetFirmware firmware;
  private final Map<Long, FirmwareResponse> answers = new HashMap<>();
  private long nextRequestId = 1L << 40; // apart from the cluster's own request ids

  FleetLoginHost(FleetCluster cluster, SecureRandom random) {
    this.cluster = cluster;
    this.hsm = SoftHsm.inMemory(random);
    try {
      this.firmware = new FleetFirmware(hsm, cluster.vault(cluster.leader()));
    } catch (HsmException e) {
      throw new IllegalStateException("a fresh in-memory HSM has its OPAQUE setup: " + e.getMessage(), e);
    }
    cluster.listen((node, step) -> {
      if (node == cluster.leader()) {
        collect(firmware.translate(step).answers());
      }
    });
  }

  SoftHsm hsm() {
    return hsm;
  }

  /** Hands the request to the leader's firmware and performs what it asks of the host; returns its id. */
  long submit(FirmwareRequest request) {
    long id = nextRequestId++;
    FleetFirmware.Step step = firmware.handle(id, request);
    cluster.perform(cluster.leader(), step.output());
    collect(step.answers());
    return id;
  }

  /** Drives the fleet until every id has its answer; returns and forgets them, in the order asked. */
  FirmwareResponse[] await(long[] ids) {
    for (int round = 0; !answeredAll(ids); round++) {
      if (round >= FleetCluster.ROUNDS_MAX) {
        throw new IllegalStateException("the fleet did not answer within " + FleetCluster.ROUNDS_MAX + " rounds");
      }
      cluster.round();
    }
    FirmwareResponse[] out = new FirmwareResponse[ids.length];
    for (int n = 0; n < ids.length; n++) {
      out[n] = answers.remove(ids[n]);
    }
    return out;
  }

  private boolean answeredAll(long[] ids) {
    for (long id : ids) {
      if (!answers.containsKey(id)) {
        return false;
      }
    }
    return true;
  }

  private void collect(List<FleetFirmware.Answer> due) {
    for (FleetFirmware.Answer a : due) {
      answers.put(a.requestId(), a.response());
    }
  }

  @Override
  public byte[] exchange(byte[] request) throws TransportException {
    try {
      return FirmwareCodec.encode(await(new long[] {submit(FirmwareCodec.decodeRequest(request))})[0]);
    } catch (DecodeException e) {
      throw new TransportException("the client sent a request that does not decode: " + e.getMessage(), e);
    }
  }
}
