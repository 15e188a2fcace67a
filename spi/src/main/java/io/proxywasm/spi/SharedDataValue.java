package io.proxywasm.spi;

/**
 * A value in the host's shared data with the CAS token a later conditional write must present.
 *
 * @param value the bytes
 * @param cas the token
 */
public record SharedDataValue(byte[] value, int cas) {}
