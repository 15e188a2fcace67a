/**
 * The {@code proxy-wasm} command: run one HTTP exchange, TCP connection or tick through a plugin
 * ({@code run}), check whether this host can load a module ({@code inspect}) and measure what a
 * plugin costs ({@code bench}), on every runtime found at run time; {@code serve} runs the gateway
 * (module {@code io.proxywasm.gateway}).
 *
 * @uses io.proxywasm.sdk.JavaPlugin the Java plugins built in and on {@code --class-path}
 */
module io.proxywasm.cli {
  requires io.proxywasm.host;
  requires io.proxywasm.testkit;
  requires io.proxywasm.nullvm;
  requires io.proxywasm.gateway;
  requires info.picocli;
  requires java.logging;
  requires com.fasterxml.jackson.databind;

  uses io.proxywasm.sdk.JavaPlugin;

  // picocli fills the commands' option fields; Jackson reads the report records.
  opens io.proxywasm.cli to
      info.picocli,
      com.fasterxml.jackson.databind;
}
