{
  # weft's native addon: /dev/shm segments as SharedArrayBuffers, and the Linux futex.
  # Linux only (/dev/shm, SYS_futex). Build: node-gyp rebuild -C native   (npm install runs it through the package's install script)
  "targets": [
    {
      "target_name": "weft_native",
      "sources": ["src/addon.cc", "src/errors.cc", "src/segment.cc", "src/futex.cc"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"]
    }
  ]
}
