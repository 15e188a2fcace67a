package io.proxywasm.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The numeric codes of every ABI enum, exactly as proxy-wasm-cpp-host and the spec define them. */
class AbiValuesTest {

  private static <E extends Enum<E> & AbiCode> void assertCodes(
      Class<E> type, LongFunction<Optional<E>> fromCode, String expected) {
    String actual =
        Arrays.stream(type.getEnumConstants())
            .map(e -> e.name() + "=" + e.code())
            .collect(Collectors.joining(" "));
    assertEquals(expected, actual, type.getSimpleName());
    for (E e : type.getEnumConstants()) {
      assertEquals(Optional.of(e), fromCode.apply(e.code()), e.name());
    }
    assertEquals(Optional.empty(), fromCode.apply(-2), "code -2");
    assertEquals(Optional.empty(), fromCode.apply(1000), "code 1000");
    assertEquals(Optional.empty(), fromCode.apply(Long.MAX_VALUE), "code MAX");
    assertEquals(Optional.empty(), fromCode.apply(0xFFFF_FFFFL), "code 0xFFFFFFFF");
  }

  @Test
  void wasmResult() {
    assertCodes(
        WasmResult.class,
        WasmResult::fromCode,
        "OK=0 NOT_FOUND=1 BAD_ARGUMENT=2 SERIALIZATION_FAILURE=3 PARSE_FAILURE=4 BAD_EXPRESSION=5"
            + " INVALID_MEMORY_ACCESS=6 EMPTY=7 CAS_MISMATCH=8 RESULT_MISMATCH=9 INTERNAL_FAILURE=10"
            + " BROKEN_CONNECTION=11 UNIMPLEMENTED=12");
  }

  @Test
  void logLevel() {
    assertCodes(
        LogLevel.class, LogLevel::fromCode, "TRACE=0 DEBUG=1 INFO=2 WARN=3 ERROR=4 CRITICAL=5");
  }

  @Test
  void headerMapType() {
    assertCodes(
        HeaderMapType.class,
        HeaderMapType::fromCode,
        "REQUEST_HEADERS=0 REQUEST_TRAILERS=1 RESPONSE_HEADERS=2 RESPONSE_TRAILERS=3"
            + " GRPC_RECEIVE_INITIAL_METADATA=4 GRPC_RECEIVE_TRAILING_METADATA=5"
            + " HTTP_CALL_RESPONSE_HEADERS=6 HTTP_CALL_RESPONSE_TRAILERS=7");
  }

  @Test
  void bufferType() {
    assertCodes(
        BufferType.class,
        BufferType::fromCode,
        "HTTP_REQUEST_BODY=0 HTTP_RESPONSE_BODY=1 NETWORK_DOWNSTREAM_DATA=2"
            + " NETWORK_UPSTREAM_DATA=3 HTTP_CALL_RESPONSE_BODY=4 GRPC_RECEIVE_BUFFER=5"
            + " VM_CONFIGURATION=6 PLUGIN_CONFIGURATION=7 CALL_DATA=8");
  }

  @Test
  void streamAndPeerTypes() {
    assertCodes(
        StreamType.class, StreamType::fromCode, "REQUEST=0 RESPONSE=1 DOWNSTREAM=2 UPSTREAM=3");
    assertCodes(PeerType.class, PeerType::fromCode, "UNKNOWN=0 LOCAL=1 REMOTE=2");
    assertCodes(MetricType.class, MetricType::fromCode, "COUNTER=0 GAUGE=1 HISTOGRAM=2");
  }

  @Test
  void filterStatuses() {
    assertCodes(
        FilterHeadersStatus.class,
        FilterHeadersStatus::fromCode,
        "CONTINUE=0 STOP_ITERATION=1 CONTINUE_AND_END_STREAM=2 STOP_ALL_ITERATION_AND_BUFFER=3"
            + " STOP_ALL_ITERATION_AND_WATERMARK=4");
    assertCodes(
        FilterDataStatus.class,
        FilterDataStatus::fromCode,
        "CONTINUE=0 STOP_ITERATION_AND_BUFFER=1 STOP_ITERATION_AND_WATERMARK=2"
            + " STOP_ITERATION_NO_BUFFER=3");
    assertCodes(
        FilterTrailersStatus.class, FilterTrailersStatus::fromCode, "CONTINUE=0 STOP_ITERATION=1");
    assertCodes(FilterMetadataStatus.class, FilterMetadataStatus::fromCode, "CONTINUE=0");
    assertCodes(FilterStatus.class, FilterStatus::fromCode, "CONTINUE=0 STOP_ITERATION=1");
  }

  @Test
  void failState() {
    assertCodes(
        FailState.class,
        FailState::fromCode,
        "OK=0 UNABLE_TO_CREATE_VM=1 UNABLE_TO_CLONE_VM=2 MISSING_FUNCTION=3"
            + " UNABLE_TO_INITIALIZE_CODE=4 START_FAILED=5 CONFIGURE_FAILED=6 RUNTIME_ERROR=7");
  }

  @Test
  void grpcStatusIncludesInvalidCode() {
    assertEquals(18, GrpcStatus.values().length);
    for (int code = 0; code <= 16; code++) {
      assertEquals(code, GrpcStatus.fromCode(code).orElseThrow().code());
    }
    assertEquals(Optional.of(GrpcStatus.INVALID_CODE), GrpcStatus.fromCode(-1));
    assertEquals(Optional.of(GrpcStatus.UNAUTHENTICATED), GrpcStatus.fromCode(16));
    assertEquals(Optional.empty(), GrpcStatus.fromCode(17));
    assertEquals(Optional.empty(), GrpcStatus.fromCode(-2));
  }

  @Test
  void everyFailStateHasAnEvent() {
    Map<FailState, WasmEvent> expected = new LinkedHashMap<>();
    expected.put(FailState.OK, WasmEvent.OK);
    expected.put(FailState.UNABLE_TO_CREATE_VM, WasmEvent.UNABLE_TO_CREATE_VM);
    expected.put(FailState.UNABLE_TO_CLONE_VM, WasmEvent.UNABLE_TO_CLONE_VM);
    expected.put(FailState.MISSING_FUNCTION, WasmEvent.MISSING_FUNCTION);
    expected.put(FailState.UNABLE_TO_INITIALIZE_CODE, WasmEvent.UNABLE_TO_INITIALIZE_CODE);
    expected.put(FailState.START_FAILED, WasmEvent.START_FAILED);
    expected.put(FailState.CONFIGURE_FAILED, WasmEvent.CONFIGURE_FAILED);
    expected.put(FailState.RUNTIME_ERROR, WasmEvent.RUNTIME_ERROR);
    expected.forEach((state, event) -> assertEquals(event, WasmEvent.of(state), state.name()));
    assertEquals(18, WasmEvent.values().length, "Envoy's WasmEvent list has 18 events");
  }

  @Test
  void abiVersionDetectionTakesTheFirstMarker() {
    assertEquals(
        Optional.of(AbiVersion.V0_2_0),
        AbiVersion.detect(List.of("malloc", "proxy_abi_version_0_2_0", "proxy_abi_version_0_1_0")));
    assertEquals(
        Optional.of(AbiVersion.V0_1_0), AbiVersion.detect(List.of("proxy_abi_version_0_1_0")));
    assertEquals(
        Optional.of(AbiVersion.V0_2_1), AbiVersion.detect(List.of("proxy_abi_version_0_2_1")));
    assertEquals(Optional.empty(), AbiVersion.detect(List.of("proxy_abi_version_0_3_0", "main")));
    assertEquals("0.2.1", AbiVersion.V0_2_1.toString());
  }

  @Test
  void functionTypeText() {
    assertEquals("(i32, i32) -> (i32)", FunctionType.i32(2, 1).toString());
    assertEquals(
        "(i32, i64) -> ()",
        FunctionType.of(List.of(ValueType.I32, ValueType.I64), List.of()).toString());
    assertEquals(FunctionType.i32(0, 0), FunctionType.of(List.of(), List.of()));
  }

  @Test
  void memoryBoundsCheck() {
    MemoryAccessException.checkBounds(0, 10, 10);
    MemoryAccessException.checkBounds(10, 0, 10);
    for (long[] bad :
        new long[][] {
          {-1, 1}, {0, 11}, {10, 1}, {5, -1}, {Long.MAX_VALUE, 2}, {1, Long.MAX_VALUE}
        }) {
      MemoryAccessException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              MemoryAccessException.class,
              () -> MemoryAccessException.checkBounds(bad[0], bad[1], 10));
      assertTrue(e.getMessage().contains("in a linear memory of 10 bytes"), e.getMessage());
    }
  }
}
