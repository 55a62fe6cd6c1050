/** The npm `siphash` package ships no types; only what the reference test uses. */
declare module "siphash" {
  const siphash: { hash_hex(key: Uint32Array, message: Uint8Array | string): string };
  export default siphash;
}
