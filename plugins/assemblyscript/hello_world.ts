// The seed's HelloWorld root plugin, on the AssemblyScript proxy-wasm SDK (ABI 0.2.0).
// Logs "Hello, World!" when started and asks for a tick every 5 seconds; each tick logs
// "It's <nanoseconds since the epoch>". Root id: "hello_world".
export * from "@solo-io/proxy-runtime/proxy";
import { RootContext, registerRootContext, log, LogLevelValues } from "@solo-io/proxy-runtime";
import {
  set_tick_period_milliseconds,
  get_current_time_nanoseconds,
} from "@solo-io/proxy-runtime/runtime";

class HelloWorld extends RootContext {
  onStart(vm_configuration_size: usize): bool {
    log(LogLevelValues.info, "Hello, World!");
    set_tick_period_milliseconds(5000);
    return true;
  }

  onTick(): void {
    log(LogLevelValues.info, "It's " + get_current_time_nanoseconds().toString());
  }
}

registerRootContext((context_id: u32) => {
  return new HelloWorld(context_id);
}, "hello_world");
