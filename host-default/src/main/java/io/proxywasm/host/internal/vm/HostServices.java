package io.proxywasm.host.internal.vm;

import io.proxywasm.host.ForeignFunction;
import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.HostClock;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.LogSink;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.Scheduler;
import io.proxywasm.host.SharedData;
import io.proxywasm.host.SharedQueues;
import io.proxywasm.spi.WasmExtension;
import java.util.Map;

/**
 * What every VM of one host shares: stores, sinks and the embedder's services.
 *
 * @param sharedData the shared key/value store
 * @param sharedQueues the shared queues
 * @param extension where events and metrics go
 * @param scheduler runs ticks and timeouts
 * @param clock the time plugins see
 * @param logSink where plugin logs go
 * @param properties the host-wide property resolver
 * @param httpCalls sends HTTP callouts
 * @param grpcCalls opens gRPC callouts
 * @param foreignFunctions the functions plugins may call by name
 * @param runtimeObjects objects offered to runtimes by name (the Null VM's Java plugins)
 * @param logLimit how much each plugin may log
 * @param deliveryPool where VMs receive their asynchronous events, or null
 * @param tickBudget how long a root's ticks may run in each second
 * @param watchdog enforces call deadlines; closes with the host
 * @param hostFunctions the host functions each VM links (the ABI layer's)
 */
public record HostServices(
    SharedData sharedData,
    SharedQueues sharedQueues,
    WasmExtension extension,
    Scheduler scheduler,
    HostClock clock,
    LogSink logSink,
    PropertyResolver properties,
    HttpCallHandler httpCalls,
    GrpcCallHandler grpcCalls,
    Map<String, ForeignFunction> foreignFunctions,
    Map<String, Object> runtimeObjects,
    io.proxywasm.host.LogLimit logLimit,
    java.util.concurrent.Executor deliveryPool,
    java.time.Duration tickBudget,
    Watchdog watchdog,
    HostFunctions hostFunctions) {}
