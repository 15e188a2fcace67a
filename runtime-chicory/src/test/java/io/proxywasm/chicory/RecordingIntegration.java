package io.proxywasm.chicory;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.WasmVmIntegration;
import java.util.ArrayList;
import java.util.List;

/** An integration that records what a VM reports. */
class RecordingIntegration implements WasmVmIntegration {
  /** The reported errors, as {@code STATE: message}, and fail callbacks, as {@code callback}. */
  final List<String> events = new ArrayList<>();

  final List<String> traces = new ArrayList<>();
  volatile LogLevel level = LogLevel.INFO;

  @Override
  public LogLevel logLevel() {
    return level;
  }

  @Override
  public void error(FailState state, String message) {
    events.add(state + ": " + message);
  }

  @Override
  public void trace(String message) {
    traces.add(message);
  }
}
