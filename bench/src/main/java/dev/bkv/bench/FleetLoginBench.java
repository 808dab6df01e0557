package dev.bkv.bench;

import dev.bkv.client.InProcessTransport;
import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultClientException;
import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.opaque.ClientLoginResult;
import dev.bkv.crypto.opaque.ClientLoginStart;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.hsm.BootException;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.LoginPurpose;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.hsm.VaultFirmware;
import dev.bkv.hsm.VaultProtocol;
import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.UserId;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Server-side logins per second, OPAQUE included: a 5-HSM {@link FleetCluster} (in memory)
 * with {@code FleetFirmware} on its leader, against one {@link VaultFirmware} HSM (journal in
 * memory). A login is a recovery: {@code LoginStart} (the guess is counted, committed, then
 * KE2 computed) and {@code LoginFinish} (KE3 checked, the count reset and committed, the
 * backup key sealed to the session). Scores are microseconds per login; logins/s is 10^6 / score.
 *
 * <p>Only the server's work is timed. The phone's side (KE1, then KE3 from the KE2; Identity
 * KSF, since Argon2 runs on the phone) runs in the per-invocation set-up: an invocation
 * finishes the {@link #LOGINS} logins the previous one started, whose KE3s the set-up just
 * computed, and starts {@link #LOGINS} more, all submitted before any answer is awaited (the
 * fleet commits them together). Each login resets its user's count, so users never run out.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FleetLoginBench {
  /** Logins finished and started per invocation: a batch a loaded leader would see at once. */
  static final int LOGINS = 16;
  /** Registered users the logins cycle over. */
  static final int USERS = 64;
  static final int FLEET_HSMS = 5;
  private static final Password PASSWORD = Password.utf8("correct horse battery staple");

  /** Submits requests, all before awaiting any, and returns their answers in order. */
  interface Server {
    FirmwareResponse[] call(List<FirmwareRequest> requests);
  }

  /** The phone side of many logins, and the server they run against. */
  abstract static class Logins {
    final SecureRandom random = new SecureRandom();
    final OpaqueClient client = new OpaqueClient(VaultProtocol.opaqueConfig(Ksf.identity()));
    final List<UserId> users = new ArrayList<>();
    Server server;
    int nextUser;
    /** Started by the last invocation: the client state and the server's answer. */
    final List<ClientLoginStart> started = new ArrayList<>();
    final List<FirmwareResponse.LoginStarted> answered = new ArrayList<>();
    /** For this invocation: finishes first, then starts. */
    final List<FirmwareRequest> requests = new ArrayList<>();
    final List<ClientLoginStart> starting = new ArrayList<>();

    void register(VaultTransport transport, SoftHsm hsm) throws VaultClientException, HsmException {
      VaultClient phone = new VaultClient(transport, hsm.opaqueServerSetup().serverPublicKey(), Ksf.identity(), random);
      for (int u = 0; u < USERS; u++) {
        users.add(FleetUsers.userId(u));
        phone.register(users.get(u), PASSWORD, new BackupKey(new byte[FleetCluster.BACKUP_KEY_BYTES]));
      }
    }

    /** Untimed: KE3 for each login the last invocation started; KE1 for the next ones. */
    void prepare() {
      requests.clear();
      for (int n = 0; n < answered.size(); n++) {
        ClientLoginResult result = client.finishLogin(started.get(n).state(), answered.get(n).ke2());
        if (!(result instanceof ClientLoginResult.ClientLoginSucceeded)) {
          throw new IllegalStateException("the phone could not finish login " + n + ": " + result);
        }
        ClientLoginResult.ClientLoginSucceeded success = (ClientLoginResult.ClientLoginSucceeded) result;
        success.exportKey().destroy();
        success.sessionKey().destroy();
        requests.add(new FirmwareRequest.LoginFinish(answered.get(n).loginId(), success.ke3(), new byte[0]));
      }
      starting.clear();
      for (int n = 0; n < LOGINS; n++) {
        ClientLoginStart start = client.startLogin(PASSWORD, random);
        starting.add(start);
        requests.add(new FirmwareRequest.LoginStart(users.get(nextUser), LoginPurpose.RECOVER, start.ke1()));
        nextUser = (nextUser + 1) % USERS;
      }
    }

    /** Timed: the server finishes the last logins and starts the next; every answer is checked. */
    FirmwareResponse[] round() {
      FirmwareResponse[] responses = server.call(requests);
      int finishes = answered.size();
      for (int n = 0; n < finishes; n++) {
        if (!(responses[n] instanceof FirmwareResponse.Recovered)) {
          throw new IllegalStateException("login " + n + " should recover, got " + responses[n]);
        }
      }
      started.clear();
      answered.clear();
      for (int n = finishes; n < responses.length; n++) {
        if (!(responses[n] instanceof FirmwareResponse.LoginStarted)) {
          throw new IllegalStateException("login start " + n + " should answer KE2, got " + responses[n]);
        }
        answered.add((FirmwareResponse.LoginStarted) responses[n]);
        started.add(starting.get(n - finishes));
      }
      return responses;
    }
  }

  /** Five HSMs; the leader runs OPAQUE. */
  @State(Scope.Benchmark)
  public static class Fleet extends Logins {
    FleetCluster cluster;

    @Setup(Level.Trial)
    public void setUp() throws VaultClientException, HsmException {
      cluster = FleetCluster.start(FLEET_HSMS, FleetCluster.Storage.MEMORY);
      FleetLoginHost host = new FleetLoginHost(cluster, random);
      register(host, host.hsm());
      server = requests -> {
        long[] ids = new long[requests.size()];
        for (int n = 0; n < ids.length; n++) {
          ids[n] = host.submit(requests.get(n));
        }
        return host.await(ids);
      };
    }

    @Setup(Level.Invocation)
    public void next() {
      prepare();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      cluster.close();
    }
  }

  /** One HSM, the single-HSM firmware with its journal in memory. */
  @State(Scope.Benchmark)
  public static class Single extends Logins {
    @Setup(Level.Trial)
    public void setUp() throws VaultClientException, HsmException, BootException {
      SoftHsm hsm = SoftHsm.inMemory(random);
      VaultFirmware firmware = VaultFirmware.boot(hsm, new MemoryVaultStorage());
      register(new InProcessTransport(firmware), hsm);
      server = requests -> {
        FirmwareResponse[] out = new FirmwareResponse[requests.size()];
        for (int n = 0; n < out.length; n++) {
          out[n] = firmware.handle(requests.get(n));
        }
        return out;
      };
    }

    @Setup(Level.Invocation)
    public void next() {
      prepare();
    }
  }

  @Benchmark
  @OperationsPerInvocation(LOGINS)
  public FirmwareResponse[] fleetLogin(Fleet fleet) {
    return fleet.round();
  }

  @Benchmark
  @OperationsPerInvocation(LOGINS)
  public FirmwareResponse[] singleHsmLogin(Single single) {
    return single.round();
  }
}
