package tlc2.overrides;

import dev.bkv.tracecheck.TraceIOOperators;

/**
 * TLC looks this class up by name and installs the Java operators it lists. Its package and
 * name are fixed by TLC; it must be on the classpath of the TLC process.
 */
public final class TLCOverrides implements ITLCOverrides {
  @Override
  @SuppressWarnings("rawtypes")
  public Class[] get() {
    return new Class[] {TraceIOOperators.class};
  }
}
