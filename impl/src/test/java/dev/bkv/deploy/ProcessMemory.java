package dev.bkv.deploy;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The memory of running JVM children: the live heap (the least heap used just after a full
 * collection, over {@link #READINGS} collections in a row, through the child's platform MemoryMXBean, reached by attaching to it once per process and
 * keeping the connection) and the resident set from {@code /proc/<pid>/status}. One attach per
 * process rather than a {@code jcmd} per sample: on a busy machine each jcmd is a JVM start.
 */
final class ProcessMemory implements AutoCloseable {
  private static final Pattern RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB");

  /**
   * The JMX client's own logger, silenced: it warns each time a sampled node is killed under an
   * open connection, which a soak does every few seconds. Held here so it is not collected.
   */
  private static final Logger JMX_CLIENT_LOG = Logger.getLogger("javax.management.remote.misc");

  static {
    JMX_CLIENT_LOG.setLevel(Level.OFF);
  }

  static final int READINGS = 3;

  private final Map<Long, JMXConnector> connections = new HashMap<>();

  /** {live heap bytes, resident bytes}, or empty when the process is gone or does not answer. */
  synchronized Optional<long[]> measure(Process process) {
    long pid = process.pid();
    if (!process.isAlive()) {
      forget(pid);
      return Optional.empty();
    }
    try {
      JMXConnector connector = connections.get(pid);
      if (connector == null) {
        connector = connect(pid);
        connections.put(pid, connector);
      }
      MemoryMXBean bean = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
          ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
      // The least of a few readings, each just after a full collection: requests in flight come
      // and go between them, what stays is the live set.
      long live = Long.MAX_VALUE;
      for (int i = 0; i < READINGS; i++) {
        bean.gc();
        live = Math.min(live, bean.getHeapMemoryUsage().getUsed());
      }
      Matcher rss = RSS.matcher(Files.readString(Path.of("/proc", "" + pid, "status")));
      if (!rss.find()) {
        return Optional.empty();
      }
      return Optional.of(new long[] {live, Long.parseLong(rss.group(1)) * 1024});
    } catch (Exception e) {
      // Killed between the check and the call, or not answering: no sample this time.
      forget(pid);
      return Optional.empty();
    }
  }

  private static JMXConnector connect(long pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach("" + pid);
    try {
      return JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
    } finally {
      vm.detach();
    }
  }

  private void forget(long pid) {
    JMXConnector c = connections.remove(pid);
    if (c != null) {
      try {
        c.close();
      } catch (IOException gone) {
        // The process is gone; so is the connection.
      }
    }
  }

  @Override
  public synchronized void close() {
    for (long pid : connections.keySet().stream().toList()) {
      forget(pid);
    }
  }
}
