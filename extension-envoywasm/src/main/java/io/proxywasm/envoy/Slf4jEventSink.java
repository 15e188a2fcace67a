package io.proxywasm.envoy;

import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every lifecycle event to the SLF4J logger {@value #LOGGER}: failures (a VM that could not be
 * created, cloned, started or configured, a trap, a failed reload or remote fetch) at warn, the
 * rest at debug. Registered with ServiceLoader as sink {@code slf4j}.
 */
public final class Slf4jEventSink implements WasmStatsSink {
  /** The logger name. */
  public static final String LOGGER = "io.proxywasm.envoy.events";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private static final Set<WasmEvent> FAILURES =
      Set.of(
          WasmEvent.UNABLE_TO_CREATE_VM,
          WasmEvent.UNABLE_TO_CLONE_VM,
          WasmEvent.MISSING_FUNCTION,
          WasmEvent.UNABLE_TO_INITIALIZE_CODE,
          WasmEvent.START_FAILED,
          WasmEvent.CONFIGURE_FAILED,
          WasmEvent.RUNTIME_ERROR,
          WasmEvent.VM_RELOAD_FAILURE,
          WasmEvent.REMOTE_LOAD_CACHE_FETCH_FAILURE,
          WasmEvent.REMOTE_LOAD_CACHE_NEGATIVE_HIT);

  /** Creates the sink. */
  public Slf4jEventSink() {}

  /**
   * Tells whether an event reports a failure, and is logged at warn.
   *
   * @param event the event
   * @return true for failures
   */
  public static boolean isFailure(WasmEvent event) {
    return FAILURES.contains(event);
  }

  @Override
  public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
    String format = "wasm event {} plugin {} root_id {} vm_id {} runtime {}: {}";
    Object[] args = {
      event, plugin.name(), plugin.rootId(), plugin.vmId(), plugin.runtime(), message
    };
    if (isFailure(event)) {
      LOG.warn(format, args);
    } else {
      LOG.debug(format, args);
    }
  }
}
