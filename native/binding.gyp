{
  # weft's native addon: /dev/shm segments as SharedArrayBuffers, and the Linux futex, and the study's memory read probe.
  # Node-API (C), so one binary serves every Node version. Linux only (/dev/shm, SYS_futex).
  # Prebuilt by `npm run prebuild` (prebuildify); built from source by node-gyp when no prebuild fits.
  "targets": [
    {
      "target_name": "weft_native",
      "sources": ["src/addon.c", "src/buffer.c", "src/futex.c", "src/liveness.c", "src/parent.c", "src/probe.c", "src/registry.c", "src/segment.c", "src/util.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
