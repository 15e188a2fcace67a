package io.proxywasm.host.internal.wasi;

import io.proxywasm.host.internal.vm.Logging;
import io.proxywasm.host.internal.vm.WasmBase;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.WasmResult;
import java.security.SecureRandom;
import java.util.Map;

/** What the WASI functions of one VM see of the host: logs, clocks, environment, randomness. */
public final class WasiBridge implements WasiContext {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final WasmBase wasm;

  public WasiBridge(WasmBase wasm) {
    this.wasm = wasm;
  }

  @Override
  public WasmResult log(LogLevel level, String message) {
    Logging.log(wasm, wasm.effectiveContext(), level, message);
    return WasmResult.OK;
  }

  @Override
  public void error(String message) {
    Logging.error(wasm, message);
  }

  @Override
  public long realtimeNanos() {
    return wasm.host().clock().realtimeNanos();
  }

  @Override
  public long monotonicNanos() {
    return wasm.host().clock().monotonicNanos();
  }

  @Override
  public Map<String, String> environment() {
    return wasm.spec().environment();
  }

  @Override
  public void randomBytes(byte[] target) {
    RANDOM.nextBytes(target);
  }
}
