/**
 * The Null VM: runtime {@code null}, which runs plugins written against the Java plugin SDK ({@code
 * io.proxywasm.sdk}). Configure a plugin with runtime {@code null} and code {@code java:NAME}.
 */
package io.proxywasm.nullvm;
